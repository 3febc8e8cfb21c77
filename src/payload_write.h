/*
 * payload_write.h - write the payload folder of 'extract': the files at their
 * Windows paths, REGEDIT5 .reg files (the DRIVERS hive's apart), install.cmd, and
 * wimgraft-payload.xml describing them.
 */
#ifndef WIMGRAFT_PAYLOAD_WRITE_H
#define WIMGRAFT_PAYLOAD_WRITE_H

#include "graft.h"

/* The .reg file's name for a feature: "Enable_Lbfo.reg" for "lbfo". */
char *payload_reg_name(const char *feature);
/* The second .reg, of the DRIVERS hive's values: "Enable_Lbfo_DRIVERS.reg". */
char *payload_drivers_reg_name(const char *feature);
/* Write everything into dir (which must exist and be empty). */
enum wg_err payload_write(const struct graft_source *gs, const char *dir);

#endif
