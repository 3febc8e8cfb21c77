/*
 * error.c - the message table of enum wg_err and the reporting functions.
 * Messages go to stderr, and to the --log file when one is open.
 */
#include "error.h"

#include <stdio.h>
#include <time.h>

int wg_opt_quiet;
int wg_opt_verbose;
static FILE *log_file;

static const struct {
	const char *msg;
	int exit_status;
} err_table[WG_ERR_MAX] = {
	[WG_OK]                  = { "success", WG_EXIT_OK },
	[WG_ERR_NOMEM]           = { "out of memory", WG_EXIT_FAILED },
	[WG_ERR_USAGE]           = { "invalid usage", WG_EXIT_USAGE },
	[WG_ERR_IO]              = { "input/output error", WG_EXIT_FAILED },
	[WG_ERR_NOT_WIM]         = { "not a valid WIM file", WG_EXIT_FAILED },
	[WG_ERR_WIM]             = { "WIM operation failed", WG_EXIT_FAILED },
	[WG_ERR_NO_IMAGE]        = { "no such image", WG_EXIT_FAILED },
	[WG_ERR_MANIFEST]        = { "invalid manifest", WG_EXIT_USAGE },
	[WG_ERR_REG_SYNTAX]      = { "malformed registry file", WG_EXIT_FAILED },
	[WG_ERR_HIVE_DIRTY]      = { "hive has unreplayed transaction logs", WG_EXIT_REFUSED },
	[WG_ERR_HIVE_CORRUPT]    = { "hive is damaged", WG_EXIT_FAILED },
	[WG_ERR_HIVE]            = { "registry operation failed", WG_EXIT_FAILED },
	[WG_ERR_NOT_FOUND]       = { "not found", WG_EXIT_FAILED },
	[WG_ERR_AMBIGUOUS]       = { "ambiguous pattern", WG_EXIT_FAILED },
	[WG_ERR_REQUIREMENT]     = { "target does not meet the manifest's requirements", WG_EXIT_REFUSED },
	[WG_ERR_UNSAFE_PATH]     = { "path leaves the target", WG_EXIT_FAILED },
	[WG_ERR_NOT_IMAGE_DIR]   = { "not a Windows image folder", WG_EXIT_FAILED },
	[WG_ERR_MISMATCH]        = { "feature missing or different", WG_EXIT_VERIFY },
	[WG_ERR_HASH]            = { "content does not match its hash", WG_EXIT_FAILED },
	[WG_ERR_READ_ONLY]       = { "target is read-only", WG_EXIT_FAILED },
	[WG_ERR_NO_SPACE]        = { "no space left on target", WG_EXIT_FAILED },
	[WG_ERR_SOURCE_REQUIREMENT] = { "no source image meets the manifest", WG_EXIT_FAILED },
	[WG_ERR_UNDO]            = { "undo record missing or invalid", WG_EXIT_FAILED },
	[WG_ERR_INTERNAL]        = { "internal error", WG_EXIT_FAILED },
	[WG_ERR_PARTIAL]         = { "partially applied; run 'wimgraft recover'", WG_EXIT_PARTIAL },
	[WG_ERR_LOCKED]          = { "target is in use by another wimgraft run", WG_EXIT_FAILED },
	[WG_ERR_UNFINISHED]      = { "target holds an interrupted transaction", WG_EXIT_VERIFY },
	[WG_ERR_CHANGED]         = { "target changed since it was opened", WG_EXIT_FAILED },
	[WG_ERR_INF]             = { "driver INF cannot be interpreted", WG_EXIT_FAILED },
	[WG_ERR_ANSWER_FILE]     = { "answer file cannot be edited", WG_EXIT_FAILED },
	[WG_ERR_TEAM]            = { "invalid team file", WG_EXIT_USAGE },
	[WG_ERR_TOO_LARGE]       = { "input too large", WG_EXIT_FAILED },
	[WG_ERR_ISO]             = { "damaged or unreadable ISO image", WG_EXIT_FAILED },
	[WG_ERR_NOT_WINDOWS_ISO] = { "not a Windows installation ISO", WG_EXIT_FAILED },
	[WG_ERR_UNSIGNED]        = { "no valid catalog signs a file", WG_EXIT_FAILED },
};

const char *wg_strerror(enum wg_err err)
{
	if ((unsigned)err >= WG_ERR_MAX || !err_table[err].msg)
		return "unknown error";
	return err_table[err].msg;
}

int wg_exit_status(enum wg_err err)
{
	if ((unsigned)err >= WG_ERR_MAX || !err_table[err].msg)
		return WG_EXIT_FAILED;
	return err_table[err].exit_status;
}

void wg_utc_stamp(char out[WG_STAMP_SIZE])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, WG_STAMP_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void vlog_line(const char *prefix, const char *fmt, va_list ap)
{
	if (!log_file)
		return;
	char stamp[WG_STAMP_SIZE];
	wg_utc_stamp(stamp);
	fprintf(log_file, "%s %s", stamp, prefix);
	vfprintf(log_file, fmt, ap);
	fputc('\n', log_file);
	fflush(log_file);
}

static void report(FILE *out, int show, const char *prefix, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	vlog_line(prefix, fmt, copy);
	va_end(copy);
	if (!show)
		return;
	fflush(stdout);   /* keep the order of what a pipe holding both streams shows */
	fputs(prefix, out);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	fflush(out);
}

int wg_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(stderr, 1, "error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void wg_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(stderr, !wg_opt_quiet, "warning: ", fmt, ap);
	va_end(ap);
}

void wg_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(stderr, !wg_opt_quiet, "", fmt, ap);
	va_end(ap);
}

void wg_verbose(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(stderr, wg_opt_verbose && !wg_opt_quiet, "", fmt, ap);
	va_end(ap);
}

void wg_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog_line("", fmt, ap);
	va_end(ap);
}

int wg_log_open(const char *path)
{
	log_file = fopen(path, "a");
	return log_file ? 0 : -1;
}

void wg_log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}
