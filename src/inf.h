/*
 * inf.h - the [Version] section of a driver INF (UTF-16LE with BOM, UTF-8 or
 * ANSI) and the DRIVERS hive's 48-byte Version record derived from it.
 */
#ifndef WIMGRAFT_INF_H
#define WIMGRAFT_INF_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct inf_version {
	char *class_guid;       /* as written, e.g. "{4D36E974-E325-11CE-BFC1-08002BE10318}"; NULL if absent */
	char *driver_ver;       /* as written, e.g. "06/21/2006,10.0.20348.1"; NULL if absent */
	char *provider;         /* %strkey% resolved through [Strings]; NULL if absent */
};

/* Parse the INF text. name is used in messages. Reports its own errors. */
enum wg_err inf_parse_version(const unsigned char *data, size_t len, const char *name,
			      struct inf_version *out);
void inf_version_release(struct inf_version *v);

/* "{4d36e974-e325-11ce-bfc1-08002be10318}" -> the binary GUID (Data1-3 little-endian). */
int inf_parse_guid(const char *s, uint8_t out[16]);
/* "mm/dd/yyyy,a.b.c.d" -> FILETIME of that day (00:00 UTC) and the version words {a,b,c,d}. */
int inf_parse_driver_ver(const char *s, uint64_t *filetime, uint16_t version[4]);

#define INF_VERSION_RECORD_SIZE 48
/*
 * The DRIVERS hive's DriverPackages\<pkg>\Version value: ff ff 09 00 00 00 00 00,
 * the class GUID, the DriverVer date as FILETIME, the DriverVer version as four
 * little-endian words revision, build, minor, major, and 8 zero bytes.
 * Returns 0, or -1 when class_guid or driver_ver is malformed.
 */
int inf_version_record(const char *class_guid, const char *driver_ver,
		       uint8_t out[INF_VERSION_RECORD_SIZE]);

#endif
