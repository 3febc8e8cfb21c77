/*
 * inf_install.h - the install section of one component of an INF ([Manufacturer] ->
 * models -> install section) and its AddReg lines, as registry operations under a named key.
 */
#ifndef WIMGRAFT_INF_INSTALL_H
#define WIMGRAFT_INF_INSTALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "inf.h"
#include "regop.h"

enum inf_reg_kind {
	INF_REG_SET,              /* set a value */
	INF_REG_DELETE_VALUE,     /* FLG_ADDREG_DELVAL */
	INF_REG_KEY,              /* FLG_ADDREG_KEYONLY, or a line without a value name */
};

/* One AddReg line (HKR only), relative to the component's key. */
struct inf_reg {
	enum inf_reg_kind kind;
	char *subkey;             /* '\'-separated, "" for the key itself */
	char *name;               /* value name, "" the default value; NULL for INF_REG_KEY */
	uint32_t type;
	unsigned char *data;      /* as the hive stores it (REG_SZ: UTF-16LE with its NUL) */
	size_t len;
	bool noclobber;           /* FLG_ADDREG_NOCLOBBER: an existing value is kept */
	bool append;              /* FLG_ADDREG_APPEND: strings added to an existing REG_MULTI_SZ */
	unsigned line;
};

struct inf_component {
	char *id;                 /* the component id as the models line writes it */
	char *description;        /* the models line's description, %strings% resolved */
	char *section;            /* the install section found, e.g. "Install" */
	bool has_characteristics;
	uint32_t characteristics;
	char *netcfg_instance_id; /* as written, or NULL */
	struct inf_reg *regs;
	size_t nregs;
};

/*
 * Find component id for platform (e.g. "NTamd64"): [Manufacturer] names the
 * models sections (decorated for the platform, or undecorated), a models line
 * lists id, and its install section (decorated .<platform> or .NT when those
 * exist) is read: AddReg, Characteristics and NetCfgInstanceId. Any other
 * directive, any line that cannot be interpreted, is an error: WG_ERR_INF with
 * *msg "'INF' line N: problem"; a component that is not there is WG_ERR_NOT_FOUND.
 */
enum wg_err inf_read_component(const struct inf *inf, const char *platform, const char *id,
			       struct inf_component *out, char **msg);
void inf_component_release(struct inf_component *c);

/*
 * The component as registry operations under key (a full path,
 * "HKEY_LOCAL_MACHINE\SYSTEM\..."): the key, ComponentId, Characteristics (when
 * the section has it), InfSection, then every AddReg line in order. origin
 * (borrowed) names the INF in the operations.
 */
void inf_component_ops(const struct inf_component *c, const char *key, const char *origin,
		       struct reg_ops *ops);

/* "{fc66a602-...}" -> "{FC66A602-...}", as Windows names the component's key; NULL when no GUID. */
char *inf_instance_key_name(const char *netcfg_instance_id);

#endif
