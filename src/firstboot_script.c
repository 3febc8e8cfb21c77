/*
 * firstboot_script.c - write the first-boot .cmd: logging of every step, netcfg only
 * for components not yet installed, the service and component checks, the ready line.
 */
#include "firstboot_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The start of a log line, in a format string. */
#define LOG ">>\"%%WG_LOG%%\" echo(%%DATE%% %%TIME%% "

char *fbscript_path(const char *feature)
{
	return xasprintf(FBSCRIPT_DIR "/wimgraft-%s.cmd", feature);
}

char *fbscript_windows_path(const char *feature)
{
	return xasprintf("\"%%SystemRoot%%\\Setup\\Scripts\\wimgraft-%s.cmd\"", feature);
}

char *fbscript_call_line(const char *feature)
{
	char *p = fbscript_windows_path(feature);
	char *s = xasprintf("call %s", p);
	free(p);
	return s;
}

char *fbscript_unattend_command(const char *feature)
{
	char *p = fbscript_windows_path(feature);
	char *s = xasprintf("cmd.exe /c %s", p);
	free(p);
	return s;
}

char *fbscript_quote_image_path(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	const char *rest = path;
	sb_addch(&sb, '"');
	if (!strncasecmp(path, "Windows/", 8)) {
		sb_addstr(&sb, "%SystemRoot%\\");
		rest = path + 8;
	} else {
		sb_addstr(&sb, "%SystemDrive%\\");
	}
	for (const char *p = rest; *p; p++) {
		if (*p == '"' || (unsigned char)*p < 0x20) {
			sb_release(&sb);
			return NULL;
		}
		if (*p == '/')
			sb_addch(&sb, '\\');
		else if (*p == '%')
			sb_addstr(&sb, "%%");
		else
			sb_addch(&sb, *p);
	}
	sb_addch(&sb, '"');
	return sb_detach(&sb);
}

char *fbscript_echo_text(const char *command)
{
	struct strbuf sb = STRBUF_INIT;
	bool quoted = false;
	for (const char *p = command; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && strchr("&|<>^", *p))
			sb_addch(&sb, '^');
		sb_addch(&sb, *p);
	}
	return sb.buf ? sb_detach(&sb) : xstrdup("");
}

static bool plain_name(const char *s)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_.-", *p)))
			return false;
	return true;
}

/* One command run with its output, time and exit status in the log; WG_RC holds the status. */
static void run_logged(struct strbuf *out, const char *command)
{
	char *echo = fbscript_echo_text(command);
	sb_addf(out, LOG "run: %s\r\n", echo);
	sb_addf(out, "%s >>\"%%WG_LOG%%\" 2>&1\r\n", command);
	sb_addstr(out, "set \"WG_RC=%ERRORLEVEL%\"\r\n");
	sb_addf(out, LOG "exit %%WG_RC%%: %s\r\n", echo);
	free(echo);
}

static void first_reason(struct strbuf *out, const char *cond, const char *reason)
{
	sb_addf(out, "%s if not defined WG_REASON set \"WG_REASON=%s\"\r\n", cond, reason);
}

static void header(struct strbuf *out, const char *feature)
{
	sb_addf(out, "@echo off\r\n"
		"rem wimgraft-%s.cmd - the first-boot steps of the feature '%s', written by wimgraft\r\n"
		"rem ('wimgraft remove' deletes it). Runs once as SYSTEM, from SetupComplete.cmd or the\r\n"
		"rem answer file's specialize pass. Every step goes to firstboot.log with its time and\r\n"
		"rem exit status; the last line says '%s: ready' or '%s: NOT ready' and why. It never\r\n"
		"rem restarts Windows and waits only for the commands it runs.\r\n"
		"chcp 65001 >nul\r\n"
		"setlocal EnableExtensions DisableDelayedExpansion\r\n"
		"set \"WG_LOG=%s\"\r\n"
		"set \"WG_REASON=\"\r\n"
		"set \"WG_RC=0\"\r\n"
		"if not exist \"%%SystemRoot%%\\Logs\\wimgraft\\\" mkdir \"%%SystemRoot%%\\Logs\\wimgraft\"\r\n"
		LOG "%s: first-boot script started\r\n",
		feature, feature, feature, feature, FBSCRIPT_LOG, feature);
}

static enum wg_err component_steps(struct strbuf *out, const struct fbscript_component *c,
				   size_t n)
{
	char *inf = fbscript_quote_image_path(c->inf);
	if (!inf || !plain_name(c->id) || (c->service && !plain_name(c->service)) ||
	    !strchr("spc", c->netcfg_class)) {
		wg_error("the component '%s' of '%s' cannot be installed from a first-boot script "
			 "(its id, service or INF path holds characters cmd cannot carry)", c->id,
			 c->inf);
		free(inf);
		return WG_ERR_INF;
	}
	char *install = xasprintf("netcfg.exe -v -l %s -c %c -i %s", inf, c->netcfg_class, c->id);
	char *reason = xasprintf("netcfg could not install %s (exit status %%WG_RC%%)", c->id);
	sb_addf(out, "rem the network component %s: installed by netcfg unless netcfg -s n lists it\r\n"
		"netcfg.exe -s n 2>nul | findstr /i /c:\"%s\" >nul\r\n"
		"if not errorlevel 1 goto wg_have_%zu\r\n", c->id, c->id, n);
	run_logged(out, install);
	first_reason(out, "if not \"%WG_RC%\"==\"0\"", reason);
	sb_addf(out, "goto wg_done_%zu\r\n"
		":wg_have_%zu\r\n"
		LOG "%s is installed already: netcfg not run\r\n"
		":wg_done_%zu\r\n", n, n, c->id, n);
	free(reason);
	free(install);
	free(inf);
	return WG_OK;
}

static void checks(struct strbuf *out, const struct fbscript_component *c)
{
	if (c->service) {
		char *q = xasprintf("sc.exe query %s", c->service);
		char *r = xasprintf("the %s service is not running (sc query)", c->service);
		run_logged(out, q);
		sb_addf(out, "%s 2>nul | findstr /i /c:\"RUNNING\" >nul\r\n", q);
		first_reason(out, "if errorlevel 1", r);
		free(q);
		free(r);
	}
	char *r = xasprintf("%s is not installed (netcfg -s n does not list it)", c->id);
	run_logged(out, "netcfg.exe -s n");
	sb_addf(out, "netcfg.exe -s n 2>nul | findstr /i /c:\"%s\" >nul\r\n", c->id);
	first_reason(out, "if errorlevel 1", r);
	free(r);
}

static void footer(struct strbuf *out, const char *feature)
{
	char *teams = xasprintf("powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass "
				"-File \"%s\"", FBSCRIPT_TEAMS);
	sb_addf(out, "if defined WG_REASON goto wg_not_ready\r\n"
		LOG "%s: ready\r\n"
		"set \"WG_EXIT=0\"\r\n"
		"goto wg_teams\r\n"
		":wg_not_ready\r\n"
		LOG "%s: NOT ready \xe2\x80\x94 %%WG_REASON%%\r\n"
		"set \"WG_EXIT=1\"\r\n"
		":wg_teams\r\n"
		"rem the NIC teams, when a team file was grafted too\r\n"
		"if not exist \"%s\" goto wg_end\r\n", feature, feature, FBSCRIPT_TEAMS);
	run_logged(out, teams);
	sb_addstr(out, ":wg_end\r\n"
		       "endlocal & exit /b %WG_EXIT%\r\n");
	free(teams);
}

enum wg_err fbscript_generate(const struct fbscript_spec *spec, struct strbuf *out)
{
	header(out, spec->feature);
	for (size_t i = 0; i < spec->ncomponents; i++) {
		enum wg_err err = component_steps(out, &spec->components[i], i + 1);
		if (err)
			return err;
	}
	for (size_t i = 0; spec->commands && i < spec->commands->n; i++) {
		char *reason = xasprintf("command %zu failed (exit status %%WG_RC%%)", i + 1);
		sb_addf(out, "rem command %zu of the manifest\r\n", i + 1);
		run_logged(out, spec->commands->v[i]);
		first_reason(out, "if not \"%WG_RC%\"==\"0\"", reason);
		free(reason);
	}
	for (size_t i = 0; i < spec->ncomponents; i++)
		checks(out, &spec->components[i]);
	footer(out, spec->feature);
	return WG_OK;
}
