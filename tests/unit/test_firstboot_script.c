/*
 * test_firstboot_script.c - the first-boot .cmd as text: every step logged with its exit
 * status, netcfg guarded, checks and the ready line, quoting of paths with spaces and %.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "firstboot_script.h"

/* The script's lines (CRLF checked: no bare LF anywhere). */
static size_t split(const char *text, char ***lines)
{
	size_t n = 0;
	*lines = NULL;
	for (const char *p = text; *p;) {
		const char *e = strstr(p, "\r\n");
		assert_non_null(e);
		assert_null(memchr(p, '\n', (size_t)(e - p)));
		*lines = realloc(*lines, (n + 1) * sizeof(char *));
		(*lines)[n++] = strndup(p, (size_t)(e - p));
		p = e + 2;
	}
	return n;
}

static ssize_t find_line(char **lines, size_t n, size_t from, const char *text)
{
	for (size_t i = from; i < n; i++)
		if (!strcmp(lines[i], text))
			return (ssize_t)i;
	return -1;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* command at line i is run logged: announced before, status kept and logged after. */
static void check_logged(char **l, size_t n, ssize_t i, const char *command, const char *echo)
{
	char want[1024];
	assert_true(i > 0 && (size_t)i + 2 < n);
	snprintf(want, sizeof(want), "%s >>\"%%WG_LOG%%\" 2>&1", command);
	assert_string_equal(l[i], want);
	snprintf(want, sizeof(want), ">>\"%%WG_LOG%%\" echo(%%DATE%% %%TIME%% run: %s", echo);
	assert_string_equal(l[i - 1], want);
	assert_string_equal(l[i + 1], "set \"WG_RC=%ERRORLEVEL%\"");
	snprintf(want, sizeof(want), ">>\"%%WG_LOG%%\" echo(%%DATE%% %%TIME%% exit %%WG_RC%%: %s", echo);
	assert_string_equal(l[i + 2], want);
}

static ssize_t find_run(char **l, size_t n, const char *command)
{
	char want[1024];
	snprintf(want, sizeof(want), "%s >>\"%%WG_LOG%%\" 2>&1", command);
	return find_line(l, n, 0, want);
}

static void test_lbfo_script(void **state)
{
	(void)state;
	struct fbscript_component c = { "ms_lbfo", "Windows/INF/mslbfoprovider.inf", 's',
					"MsLbfoProvider" };
	struct strvec cmds = STRVEC_INIT;
	sv_push(&cmds, "echo one & echo two");
	sv_push(&cmds, "\"%ProgramFiles%\\Tool Dir\\t.exe\" /q \"a|b\"");
	struct fbscript_spec spec = { "lbfo", &c, 1, &cmds };
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(fbscript_generate(&spec, &sb), WG_OK);
	char **l;
	size_t n = split(sb.buf, &l);
	assert_string_equal(l[0], "@echo off");
	assert_true(find_line(l, n, 0, "chcp 65001 >nul") > 0);
	assert_true(find_line(l, n, 0, "setlocal EnableExtensions DisableDelayedExpansion") > 0);
	assert_true(find_line(l, n, 0, "set \"WG_LOG=%SystemRoot%\\Logs\\wimgraft\\firstboot.log\"") > 0);
	assert_true(find_line(l, n, 0, "if not exist \"%SystemRoot%\\Logs\\wimgraft\\\" mkdir "
			      "\"%SystemRoot%\\Logs\\wimgraft\"") > 0);

	/* netcfg only when netcfg -s n does not list the component */
	ssize_t probe = find_line(l, n, 0, "netcfg.exe -s n 2>nul | findstr /i /c:\"ms_lbfo\" >nul");
	assert_true(probe > 0);
	assert_string_equal(l[probe + 1], "if not errorlevel 1 goto wg_have_1");
	const char *install = "netcfg.exe -v -l \"%SystemRoot%\\INF\\mslbfoprovider.inf\" -c s -i ms_lbfo";
	ssize_t i = find_run(l, n, install);
	check_logged(l, n, i, install, install);
	assert_true(i > probe);
	assert_string_equal(l[i + 3], "if not \"%WG_RC%\"==\"0\" if not defined WG_REASON set "
			    "\"WG_REASON=netcfg could not install ms_lbfo (exit status %WG_RC%)\"");
	ssize_t have = find_line(l, n, 0, ":wg_have_1");
	assert_true(have > i);
	assert_string_equal(l[have + 1], ">>\"%WG_LOG%\" echo(%DATE% %TIME% ms_lbfo is installed "
			    "already: netcfg not run");

	/* the manifest's commands, each logged; echo sees & and | escaped outside quotes */
	i = find_run(l, n, "echo one & echo two");
	check_logged(l, n, i, "echo one & echo two", "echo one ^& echo two");
	assert_string_equal(l[i + 3], "if not \"%WG_RC%\"==\"0\" if not defined WG_REASON set "
			    "\"WG_REASON=command 1 failed (exit status %WG_RC%)\"");
	i = find_run(l, n, cmds.v[1]);
	check_logged(l, n, i, cmds.v[1], cmds.v[1]);

	/* the checks: the service runs, netcfg lists the component */
	i = find_run(l, n, "sc.exe query MsLbfoProvider");
	check_logged(l, n, i, "sc.exe query MsLbfoProvider", "sc.exe query MsLbfoProvider");
	assert_string_equal(l[i + 3], "sc.exe query MsLbfoProvider 2>nul | findstr /i /c:\"RUNNING\" >nul");
	assert_string_equal(l[i + 4], "if errorlevel 1 if not defined WG_REASON set \"WG_REASON=the "
			    "MsLbfoProvider service is not running (sc query)\"");
	i = find_run(l, n, "netcfg.exe -s n");
	check_logged(l, n, i, "netcfg.exe -s n", "netcfg.exe -s n");
	assert_string_equal(l[i + 4], "if errorlevel 1 if not defined WG_REASON set \"WG_REASON="
			    "ms_lbfo is not installed (netcfg -s n does not list it)\"");

	/* one ready line or one NOT ready line, then the team script when it exists */
	ssize_t ready = find_line(l, n, 0, ">>\"%WG_LOG%\" echo(%DATE% %TIME% lbfo: ready");
	ssize_t notready = find_line(l, n, 0, ">>\"%WG_LOG%\" echo(%DATE% %TIME% lbfo: NOT ready "
				     "\xe2\x80\x94 %WG_REASON%");
	assert_true(ready > i && notready > ready);
	assert_string_equal(l[ready - 1], "if defined WG_REASON goto wg_not_ready");
	const char *teams = "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "
			    "\"%SystemRoot%\\Setup\\Scripts\\wimgraft-teams.ps1\"";
	ssize_t t = find_run(l, n, teams);
	check_logged(l, n, t, teams, teams);
	assert_true(t > notready);
	assert_true(find_line(l, n, 0, "if not exist \"%SystemRoot%\\Setup\\Scripts\\wimgraft-teams.ps1\" "
			      "goto wg_end") > notready);
	assert_string_equal(l[n - 1], "endlocal & exit /b %WG_EXIT%");

	/* every goto has its label; nothing restarts Windows or waits */
	for (size_t k = 0; k < n; k++) {
		const char *g = strstr(l[k], "goto ");
		if (g) {
			char label[64];
			snprintf(label, sizeof(label), ":%s", g + 5);
			assert_true(find_line(l, n, 0, label) >= 0);
		}
		assert_null(strstr(l[k], "shutdown"));
		assert_null(strstr(l[k], "timeout"));
		assert_null(strstr(l[k], "pause"));
		assert_null(strstr(l[k], "ping "));
		assert_null(strstr(l[k], "/wait"));
	}
	free_lines(l, n);
	sb_release(&sb);
	sv_clear(&cmds);
}

static void test_quoting(void **state)
{
	(void)state;
	char *q = fbscript_quote_image_path("Windows/INF/My Drivers/100% lbfo.inf");
	assert_string_equal(q, "\"%SystemRoot%\\INF\\My Drivers\\100%% lbfo.inf\"");
	free(q);
	q = fbscript_quote_image_path("Drivers/a&b (x).inf");
	assert_string_equal(q, "\"%SystemDrive%\\Drivers\\a&b (x).inf\"");
	free(q);
	assert_null(fbscript_quote_image_path("Windows/INF/a\"b.inf"));
	assert_null(fbscript_quote_image_path("Windows/INF/a\nb.inf"));
	char *e = fbscript_echo_text("a & b \"c & d|e\" | f > g ^ h <i");
	assert_string_equal(e, "a ^& b \"c & d|e\" ^| f ^> g ^^ h ^<i");
	free(e);

	/* a component whose INF path has a space and a percent sign */
	struct fbscript_component c = { "ms_lbfo", "Windows/INF/My Drivers/100% lbfo.inf", 's', NULL };
	struct fbscript_spec spec = { "lbfo", &c, 1, NULL };
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(fbscript_generate(&spec, &sb), WG_OK);
	assert_non_null(strstr(sb.buf, "\r\nnetcfg.exe -v -l \"%SystemRoot%\\INF\\My Drivers\\100%% "
				       "lbfo.inf\" -c s -i ms_lbfo >>\"%WG_LOG%\" 2>&1\r\n"));
	/* no service: no sc query */
	assert_null(strstr(sb.buf, "sc.exe"));
	sb_release(&sb);

	char *p = fbscript_call_line("lbfo");
	assert_string_equal(p, "call \"%SystemRoot%\\Setup\\Scripts\\wimgraft-lbfo.cmd\"");
	free(p);
	p = fbscript_unattend_command("lbfo");
	assert_string_equal(p, "cmd.exe /c \"%SystemRoot%\\Setup\\Scripts\\wimgraft-lbfo.cmd\"");
	free(p);
	p = fbscript_path("lbfo");
	assert_string_equal(p, "Windows/Setup/Scripts/wimgraft-lbfo.cmd");
	free(p);
}

static void test_refusals(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct fbscript_component bad[] = {
		{ "ms lbfo", "Windows/INF/a.inf", 's', NULL },
		{ "ms_lbfo&x", "Windows/INF/a.inf", 's', NULL },
		{ "ms_lbfo", "Windows/INF/a\".inf", 's', NULL },
		{ "ms_lbfo", "Windows/INF/a.inf", 's', "Svc|x" },
		{ "ms_lbfo", "Windows/INF/a.inf", 'x', NULL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fbscript_spec spec = { "lbfo", &bad[i], 1, NULL };
		assert_int_equal(fbscript_generate(&spec, &sb), WG_ERR_INF);
		sb_reset(&sb);
	}
	sb_release(&sb);
}

int main(void)
{
	wg_opt_quiet = 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lbfo_script),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
