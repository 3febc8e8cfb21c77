/*
 * inf.h - a driver INF read into sections and fields (UTF-16LE with BOM, UTF-8 or
 * ANSI; quotes, %strings%, continuation, comments), its [Version] and the Version record.
 */
#ifndef WIMGRAFT_INF_H
#define WIMGRAFT_INF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "util.h"

/* The largest INF read. */
#define INF_MAX_SIZE (4u << 20)

struct inf;

/*
 * Split the INF into sections and logical lines and read its [Strings]. Any
 * line that cannot be read (text outside a section, an unterminated quote or
 * section name, a [Strings] line without '=') is an error: WG_ERR_INF, with
 * *msg (new string) "'NAME' line N: problem". name is used in messages.
 */
enum wg_err inf_load(const unsigned char *data, size_t len, const char *name, struct inf **out,
		     char **msg);
void inf_free(struct inf *inf);
const char *inf_name(const struct inf *inf);
bool inf_has_section(const struct inf *inf, const char *section);

/* One line of a section: "key = f1, f2, ..." or "f1, f2, ...". */
struct inf_entry {
	char *key;                /* NULL when the line has no '=' */
	struct strvec fields;     /* at least one, possibly "" */
	unsigned line;            /* first physical line */
};

struct inf_entries {
	struct inf_entry *v;
	size_t n;
};

/*
 * Every line of the sections named section (ignoring case; repeated sections are
 * joined), parsed into key and fields: blanks around fields dropped, quotes
 * removed ("" inside quotes is one "), %key% replaced by its [Strings] value and
 * %% by %. An undefined %key% is an error (WG_ERR_INF, *msg). A missing section
 * gives no entries.
 */
enum wg_err inf_section(const struct inf *inf, const char *section, struct inf_entries *out,
			char **msg);
void inf_entries_release(struct inf_entries *e);

/* "0x40000" or "262144" -> *v; false when it is neither or does not fit 32 bits. */
bool inf_parse_number(const char *s, uint32_t *v);

struct inf_version {
	char *class_guid;       /* as written, e.g. "{4D36E974-E325-11CE-BFC1-08002BE10318}"; NULL if absent */
	char *driver_ver;       /* fields joined with ',', e.g. "06/21/2006,10.0.20348.1"; NULL if absent */
	char *provider;         /* %strkey% resolved through [Strings]; NULL if absent */
};

/* Parse the INF text's [Version]. name is used in messages. Reports its own errors. */
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
