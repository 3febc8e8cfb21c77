/*
 * test_team.c - the team file reader: every crafted bad file in tests/fixtures/team/bad is
 * refused naming its file and line; good files give the model they describe.
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

#include "team.h"

static char top[PATH_MAX];   /* the checkout: the folder holding manifests/ */

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

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* The value after "key: " up to the end of its line, in text. */
static char *header(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	if (!p)
		return NULL;
	p += strlen(key);
	size_t n = strcspn(p, "\n");
	while (n && (p[n - 1] == ' ' || p[n - 1] == '>' || p[n - 1] == '-'))
		n--;
	return strndup(p, n);
}

static struct team_file *parse_text(const char *text, char **msg)
{
	struct team_file *tf = NULL;
	enum wg_err err = team_parse_buffer_msg(text, strlen(text), "t.xml", &tf, msg);
	if (err)
		assert_null(tf);
	return err ? NULL : tf;
}

static void test_bad_files(void **state)
{
	(void)state;
	char dir[PATH_MAX + 32];
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/team/bad", top);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int count = 0, failures = 0;
	while ((e = readdir(d))) {
		size_t nl = strlen(e->d_name);
		if (nl < 5 || strcmp(e->d_name + nl - 4, ".xml"))
			continue;
		char path[PATH_MAX * 2];
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		char *text = slurp(path, &len);
		char *line = header(text, "expect-line: ");
		char *want = header(text, "expect-text: ");
		assert_non_null(line);
		assert_non_null(want);
		struct team_file *tf = NULL;
		char *msg = NULL;
		enum wg_err err = team_parse_buffer_msg(text, len, e->d_name, &tf, &msg);
		char prefix[PATH_MAX];
		snprintf(prefix, sizeof(prefix), "'%s' line %s: ", e->d_name, line);
		if (err != WG_ERR_TEAM || !msg || strncmp(msg, prefix, strlen(prefix)) ||
		    !strstr(msg, want))
		{
			print_error("%s: err %d, message '%s'; expected '%s' ... '%s'\n", e->d_name,
				    err, msg ? msg : "(none)", prefix, want);
			failures++;
		}
		assert_null(tf);
		free(msg);
		free(line);
		free(want);
		free(text);
		count++;
	}
	closedir(d);
	assert_int_equal(failures, 0);
	assert_true(count >= 25);
}

#define T(body) "<?xml version=\"1.0\"?>\n<teams format=\"1\">\n" body "</teams>\n"

static void test_model(void **state)
{
	(void)state;
	char *msg = NULL;
	struct team_file *tf = parse_text(T(
		"<team name=\"Team1\">\n"
		"  <members min=\"2\" max=\"4\">\n"
		"    <match description=\"Intel(R) Ethernet*\"/>\n"
		"    <match mac=\"00:15:5d:01:02:03, 00-15-5D-*\" pci=\"3:0.*\"/>\n"
		"  </members>\n"
		"  <standby name=\"Ethernet 2\"/>\n"
		"  <vlan id=\"10\" name=\"Team1 - VLAN 10\"/>\n"
		"  <vlan id=\"4094\"/>\n"
		"</team>\n"
		"<team name=\"Uplink\" mode=\"Lacp\" algorithm=\"HyperVPort\" lacp-timer=\"Fast\">\n"
		"  <members><match name=\"Slot 4 *\"/></members>\n"
		"</team>\n"), &msg);
	assert_null(msg);
	assert_non_null(tf);
	assert_int_equal(tf->nteams, 2);
	assert_int_equal(tf->wait, TEAM_WAIT_DEFAULT);
	const struct team *t = &tf->teams[0];
	assert_string_equal(t->name, "Team1");
	assert_int_equal(t->mode, TEAM_SWITCH_INDEPENDENT);
	assert_int_equal(t->algorithm, TEAM_ALG_DYNAMIC);
	assert_int_equal(t->lacp_timer, TEAM_LACP_TIMER_UNSET);
	assert_int_equal(t->min, 2);
	assert_int_equal(t->max, 4);
	assert_int_equal(t->nrules, 2);
	assert_string_equal(t->rules[0].description, "Intel(R) Ethernet*");
	assert_null(t->rules[0].name);
	assert_int_equal(t->rules[1].macs.n, 2);
	assert_string_equal(t->rules[1].macs.v[0], "00-15-5D-01-02-03");
	assert_string_equal(t->rules[1].macs.v[1], "00-15-5D-*");
	assert_string_equal(t->rules[1].pci, "0:3:0.*");
	assert_int_equal(t->rules[1].line, 6);
	assert_non_null(t->standby);
	assert_string_equal(t->standby->name, "Ethernet 2");
	assert_int_equal(t->nvlans, 2);
	assert_int_equal(t->vlans[0].id, 10);
	assert_string_equal(t->vlans[0].name, "Team1 - VLAN 10");
	assert_int_equal(t->vlans[1].id, 4094);
	assert_null(t->vlans[1].name);
	t = &tf->teams[1];
	assert_int_equal(t->mode, TEAM_LACP);
	assert_int_equal(t->algorithm, TEAM_ALG_HYPERV_PORT);
	assert_string_equal(team_lacp_timer_name(t->lacp_timer), "Fast");
	assert_int_equal(t->min, 1);
	assert_int_equal(t->max, TEAM_MAX_MEMBERS);
	assert_null(t->standby);
	team_file_free(tf);
}

/* The limits themselves are allowed: 32 members, 31 VLANs (32 interfaces), 256 characters. */
static void test_limits_allowed(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "<teams format=\"1\" wait=\"3600\"><team name=\"");
	for (int i = 0; i < 128; i++)
		sb_addstr(&sb, "\xc3\xa9T");   /* 256 UTF-16 units */
	sb_addstr(&sb, "\"><members min=\"32\" max=\"32\"><match mac=\"00-15-5D-*\"/></members>");
	for (int i = 1; i <= 31; i++)
		sb_addf(&sb, "<vlan id=\"%d\"/>", i * 100);
	sb_addstr(&sb, "</team></teams>");
	char *msg = NULL;
	struct team_file *tf = parse_text(sb.buf, &msg);
	if (!tf)
		fail_msg("refused: %s", msg);
	assert_int_equal(tf->teams[0].nvlans, 31);
	assert_int_equal(tf->wait, 3600);
	team_file_free(tf);
	sb_release(&sb);
}

static void test_names(void **state)
{
	(void)state;
	const char *why;
	assert_true(team_valid_interface_name("Team1 - VLAN 10", &why));
	assert_true(team_valid_interface_name("O'Brien $x `y; z", &why));
	assert_true(team_valid_interface_name("\xe2\x80\x98quoted\xe2\x80\x99", &why));
	static const char *const bad[] = { "", "a\\b", "a/b", "a:b", "a*b", "a?b", "a\"b", "a<b",
					   "a>b", "a|b", "a\nb", "a\tb", " a", "a " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (team_valid_interface_name(bad[i], &why))
			fail_msg("'%s' accepted", bad[i]);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct team_file *tf = NULL;
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	FILE *tmp = tmpfile();
	dup2(fileno(tmp), STDERR_FILENO);
	enum wg_err err = team_load("/nonexistent/team.xml", &tf);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	char buf[512] = "";
	rewind(tmp);
	size_t n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	assert_int_equal(err, WG_ERR_TEAM);
	assert_null(tf);
	assert_non_null(strstr(buf, "'/nonexistent/team.xml'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_limits_allowed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, find_top, NULL);
}
