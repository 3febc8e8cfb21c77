/*
 * error.h - wimgraft's error codes, their messages and exit statuses.
 * Modules report a problem once (wg_error) and return a code; only main exits.
 */
#ifndef WIMGRAFT_ERROR_H
#define WIMGRAFT_ERROR_H

#include <stdarg.h>

/* Fixed numbers: never reuse or renumber one. */
enum wg_err {
	WG_OK                   = 0,
	WG_ERR_NOMEM            = 1,  /* out of memory */
	WG_ERR_USAGE            = 2,  /* bad command line */
	WG_ERR_IO               = 3,  /* reading or writing a file failed */
	WG_ERR_NOT_WIM          = 4,  /* not a WIM, truncated, damaged */
	WG_ERR_WIM              = 5,  /* any other wimlib failure */
	WG_ERR_NO_IMAGE         = 6,  /* no such image in a WIM */
	WG_ERR_MANIFEST         = 7,  /* invalid manifest */
	WG_ERR_REG_SYNTAX       = 8,  /* malformed .reg file */
	WG_ERR_HIVE_DIRTY       = 9,  /* hive has unreplayed transaction logs */
	WG_ERR_HIVE_CORRUPT     = 10, /* hive cannot be read */
	WG_ERR_HIVE             = 11, /* any other registry failure */
	WG_ERR_NOT_FOUND        = 12, /* a required file, key or value is missing */
	WG_ERR_AMBIGUOUS        = 13, /* a pattern matched several candidates */
	WG_ERR_REQUIREMENT      = 14, /* target does not meet the manifest's requirements */
	WG_ERR_UNSAFE_PATH      = 15, /* a path would leave the target */
	WG_ERR_NOT_IMAGE_DIR    = 16, /* folder does not hold a Windows image */
	WG_ERR_MISMATCH         = 17, /* verify found differences */
	WG_ERR_HASH             = 18, /* content does not match its recorded hash */
	WG_ERR_READ_ONLY        = 19, /* target cannot be written */
	WG_ERR_NO_SPACE         = 20, /* target's file system is full */
	WG_ERR_SOURCE_REQUIREMENT = 21, /* no source image meets the manifest */
	WG_ERR_UNDO             = 22, /* undo record missing or invalid */
	WG_ERR_INTERNAL         = 23, /* a bug in wimgraft */
	WG_ERR_PARTIAL          = 24, /* a failed change could not be undone: recover needed */
	WG_ERR_LOCKED           = 25, /* another wimgraft run holds the target */
	WG_ERR_UNFINISHED       = 26, /* the target holds an interrupted transaction */
	WG_ERR_CHANGED          = 27, /* the target changed under us since it was opened */
	WG_ERR_UNSIGNED         = 28, /* no valid signing catalog lists a file that needs one */
	WG_ERR_INF              = 32, /* a driver INF that cannot be interpreted */
	WG_ERR_ANSWER_FILE      = 33, /* an answer file that cannot be edited */
	WG_ERR_TEAM             = 36, /* invalid team file */
	WG_ERR_TOO_LARGE        = 40, /* an input is larger than its limit */
	WG_ERR_ISO              = 44, /* an ISO whose UDF file system cannot be read */
	WG_ERR_NOT_WINDOWS_ISO  = 45, /* an ISO without a Windows install image */
	WG_ERR_MAX
};

/* Exit statuses of the command-line contract. */
enum {
	WG_EXIT_OK       = 0,
	WG_EXIT_FAILED   = 1,
	WG_EXIT_USAGE    = 2,
	WG_EXIT_VERIFY   = 3,
	WG_EXIT_REFUSED  = 4,
	WG_EXIT_PARTIAL  = 5,  /* partially applied; run 'wimgraft recover' */
};

const char *wg_strerror(enum wg_err err);
int wg_exit_status(enum wg_err err);

/* "error: <message>" on stderr (and in the --log file). Returns -1 like git's error(). */
int wg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "warning: <message>" on stderr unless --quiet. */
void wg_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A progress or status line on stderr unless --quiet. */
void wg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with --verbose. */
void wg_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Set by main from the global options. */
extern int wg_opt_quiet;
extern int wg_opt_verbose;
/* The time now, UTC, ISO 8601 ("2026-11-25T12:00:00Z"): log lines and undo records. */
#define WG_STAMP_SIZE 32
void wg_utc_stamp(char out[WG_STAMP_SIZE]);
int wg_log_open(const char *path);
void wg_log_close(void);
/* Write a line to the --log file only (no-op without one). */
void wg_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
