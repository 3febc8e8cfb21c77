/*
 * test_team_script.c - the first-boot team script: golden files per feature of the team file
 * (tests/fixtures/team/golden), PowerShell quoting, and hostile values that must stay data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <unistd.h>
#include <cmocka.h>

#include "team_script.h"

static char top[PATH_MAX];

static int find_top(void **state)
{
	(void)state;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (char *s = strrchr(exe, '/'); s; s = strrchr(exe, '/')) {
		*s = '\0';
		char probe[PATH_MAX + 64];
		snprintf(probe, sizeof(probe), "%s/manifests/%s", exe, TEAM_SCHEMA_FILE);
		if (access(probe, R_OK) == 0) {
			snprintf(top, sizeof(top), "%s", exe);
			char dir[PATH_MAX + 16];
			snprintf(dir, sizeof(dir), "%s/manifests", top);
			setenv("WIMGRAFT_MANIFEST_DIR", dir, 1);
			return 0;
		}
	}
	return -1;
}

static struct team_file *parse(const char *text)
{
	struct team_file *tf = NULL;
	char *msg = NULL;
	if (team_parse_buffer_msg(text, strlen(text), "t.xml", &tf, &msg))
		fail_msg("refused: %s", msg);
	free(msg);
	return tf;
}

static char *generate(const char *text)
{
	struct team_file *tf = parse(text);
	struct strbuf sb = STRBUF_INIT;
	team_script_generate(tf, &sb);
	team_file_free(tf);
	return sb_detach(&sb);
}

static void test_golden(void **state)
{
	(void)state;
	char dir[PATH_MAX + 32];
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/team/golden", top);
	bool update = getenv("WIMGRAFT_UPDATE_GOLDEN") != NULL;
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int count = 0, failures = 0;
	while ((e = readdir(d))) {
		size_t nl = strlen(e->d_name);
		if (nl < 5 || strcmp(e->d_name + nl - 4, ".xml"))
			continue;
		char xml[PATH_MAX * 2], ps1[PATH_MAX * 2];
		snprintf(xml, sizeof(xml), "%s/%s", dir, e->d_name);
		snprintf(ps1, sizeof(ps1), "%s/%.*s.ps1", dir, (int)(nl - 4), e->d_name);
		struct team_file *tf = NULL;
		assert_int_equal(team_load(xml, &tf), WG_OK);
		struct strbuf got = STRBUF_INIT;
		team_script_generate(tf, &got);
		team_file_free(tf);
		if (update) {
			FILE *f = fopen(ps1, "wb");
			assert_non_null(f);
			fwrite(got.buf, 1, got.len, f);
			fclose(f);
		}
		unsigned char *want = NULL;
		size_t wlen = 0;
		if (read_file(ps1, 0, &want, &wlen) || wlen != got.len || memcmp(want, got.buf, wlen)) {
			print_error("%s: the generated script differs from %s\n", e->d_name, ps1);
			failures++;
		}
		free(want);
		sb_release(&got);
		count++;
	}
	closedir(d);
	assert_int_equal(failures, 0);
	assert_true(count >= 6);
}

static void test_format(void **state)
{
	(void)state;
	char *s = generate("<teams format=\"1\"><team name=\"T\"><members><match name=\"E*\"/>"
			   "</members></team></teams>");
	assert_memory_equal(s, "\xef\xbb\xbf# ", 5);
	for (char *p = s; *p; p++)
		if (*p == '\n' && (p == s || p[-1] != '\r'))
			fail_msg("a line ends without CR at offset %td", p - s);
	/* the contract with the first-boot caller, and what the script must never do */
	assert_non_null(strstr(s, "team.log"));
	assert_non_null(strstr(s, "exit 1\r\n"));
	assert_null(strcasestr(s, "Restart-Computer"));
	assert_null(strcasestr(s, "shutdown"));
	assert_null(strcasestr(s, "Invoke-Expression"));
	assert_null(strcasestr(s, "iex "));
	free(s);
}

static void test_quote(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "", "''" },
		{ "plain", "'plain'" },
		{ "O'Brien", "'O''Brien'" },
		{ "''", "''''''" },
		{ "$x `n ; \"a\"", "'$x `n ; \"a\"'" },
		{ "a\nb", "'a\nb'" },
		{ "\xe2\x80\x98x\xe2\x80\x99", "'\xe2\x80\x98\xe2\x80\x98x\xe2\x80\x99\xe2\x80\x99'" },
		{ "\xe2\x80\x9a\xe2\x80\x9b", "'\xe2\x80\x9a\xe2\x80\x9a\xe2\x80\x9b\xe2\x80\x9b'" },
		/* double quote look-alikes do not end a single-quoted string: left alone */
		{ "\xe2\x80\x9c\xe2\x80\x9d", "'\xe2\x80\x9c\xe2\x80\x9d'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		ps_quote(&sb, cases[i][0]);
		assert_string_equal(sb.buf, cases[i][1]);
		sb_release(&sb);
	}
}

/* ---- a lexer for PowerShell single-quoted strings ---------------------------------- */

/* Is there a single quote (' or U+2018..U+201B) at p? Its length, else 0. */
static size_t quote_at(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	if (*u == '\'')
		return 1;
	if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x98 && u[2] <= 0x9b)
		return 3;
	return 0;
}

/*
 * Split a script as PowerShell reads single-quoted strings: the code with every
 * literal replaced by '', and the literals' values (quotes undoubled) in order.
 */
static void lex(const char *s, struct strbuf *code, struct strvec *literals)
{
	while (*s) {
		size_t q = quote_at(s);
		if (*s == '#') {   /* a comment runs to the end of the line */
			while (*s && *s != '\n')
				sb_addch(code, *s++);
			continue;
		}
		if (!q) {
			sb_addch(code, *s++);
			continue;
		}
		struct strbuf lit = STRBUF_INIT;
		sb_addstr(&lit, "");
		s += q;
		for (;;) {
			assert_true(*s != '\0');   /* an unterminated literal */
			size_t q1 = quote_at(s);
			if (q1) {
				size_t q2 = quote_at(s + q1);
				if (!q2) {
					s += q1;
					break;
				}
				sb_add(&lit, s, q1);   /* a doubled quote stands for the first */
				s += q1 + q2;
				continue;
			}
			sb_addch(&lit, *s++);
		}
		sb_addstr(code, "''");
		sv_push(literals, lit.buf);
		sb_release(&lit);
	}
}

static bool has_literal(const struct strvec *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return true;
	return false;
}

#define HOSTILE_TEAM(name, pat1, pat2, pat3, vname) \
	"<teams format=\"1\"><team name=\"" name "\"><members min=\"2\">" \
	"<match name=\"" pat1 "\" description=\"" pat2 "\"/></members>" \
	"<standby description=\"" pat3 "\"/><vlan id=\"7\" name=\"" vname "\"/></team></teams>"

/* Hostile values change no code: the script lexes to the same code as a plain one. */
static void test_injection(void **state)
{
	(void)state;
	char *plain = generate(HOSTILE_TEAM("a", "b", "c", "c", "d"));
	struct strbuf plain_code = STRBUF_INIT;
	struct strvec plain_lits = STRVEC_INIT;
	lex(plain, &plain_code, &plain_lits);
	static const char *const hostile[][4] = {
		{ "x'; Restart-Computer; '", "'+(Stop-Computer)+'", "a'';b", "v'v" },
		{ "$(Restart-Computer)", "`$x`", "${env}; calc", "$x ; $y" },
		{ "a`'b", "`'; calc; '", "#'", "` `" },
		{ "\xe2\x80\x98; Restart-Computer; \xe2\x80\x99", "\xe2\x80\x9a$x\xe2\x80\x9b",
		  "'\xe2\x80\x99", "\xe2\x80\x9b\xe2\x80\x9b'" },
		{ "a&#10;b;c", "x&#10;'; calc #", "@(1)|%{calc}", "&amp; calc" },
	};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		char xml[2048];
		snprintf(xml, sizeof(xml), HOSTILE_TEAM("%s", "%s", "%s", "%s", "%s"), hostile[i][0],
			 hostile[i][1], hostile[i][2], hostile[i][2], hostile[i][3]);
		struct team_file *tf = NULL;
		char *msg = NULL;
		if (team_parse_buffer_msg(xml, strlen(xml), "t.xml", &tf, &msg)) {
			/* control characters in names are refused before any script is written */
			assert_non_null(strstr(msg, "control character"));
			free(msg);
			continue;
		}
		struct strbuf sb = STRBUF_INIT, code = STRBUF_INIT;
		struct strvec lits = STRVEC_INIT;
		team_script_generate(tf, &sb);
		lex(sb.buf, &code, &lits);
		assert_string_equal(code.buf, plain_code.buf);
		assert_int_equal(lits.n, plain_lits.n);
		assert_true(has_literal(&lits, tf->teams[0].name));
		assert_true(has_literal(&lits, tf->teams[0].rules[0].name));
		assert_true(has_literal(&lits, tf->teams[0].rules[0].description));
		assert_true(has_literal(&lits, tf->teams[0].vlans[0].name));
		sb_release(&sb);
		sb_release(&code);
		sv_clear(&lits);
		team_file_free(tf);
	}
	sb_release(&plain_code);
	sv_clear(&plain_lits);
	free(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_injection),
	};
	return cmocka_run_group_tests(tests, find_top, NULL);
}
