/*
 * test_hive.c - the hivex wrapper on a minimal hive: base-block checks, keys and
 * values with stored spellings, subtree save/restore, atomic commit (read back by reglookup).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "hive.h"
#include "regop.h"
#include "minhive.h"

struct fx {
	char dir[64];
	int dirfd;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/wg-test-hive.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY);
	if (f->dirfd < 0 || mh_write(f->dirfd, "SYSTEM"))
		return -1;
	wg_opt_quiet = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	close(f->dirfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

static unsigned char *slurp(struct fx *f, const char *name, size_t *len)
{
	char path[256];
	unsigned char *d;
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(read_file(path, 0, &d, len), WG_OK);
	return d;
}

static void spit(struct fx *f, const char *name, const unsigned char *d, size_t len)
{
	int fd = openat(f->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, d, len), (ssize_t)len);
	close(fd);
}

/* The lines reglookup prints for the hive, without the timestamp column. */
static char *reglookup(struct fx *f, const char *name)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "reglookup -H '%s/%s' 2>/dev/null | cut -d, -f1-3", f->dir, name);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_add(&sb, buf, n);
	int rc = pclose(p);
	assert_int_equal(rc, 0);
	return sb_detach(&sb);
}

static void need_reglookup(void)
{
	if (system("command -v reglookup >/dev/null 2>&1"))
		skip();
}

static void test_base_block(void **state)
{
	struct fx *f = *state;
	bool dirty = true;
	size_t len;
	assert_int_equal(hive_check_file(f->dirfd, "SYSTEM", "SYSTEM", &dirty), WG_OK);
	assert_false(dirty);

	unsigned char *d = slurp(f, "SYSTEM", &len);
	/* dirty: the sequence numbers differ (checksum updated) */
	mh_put32(d + 4, 7);
	mh_checksum(d);
	spit(f, "DIRTY", d, len);
	assert_int_equal(hive_check_file(f->dirfd, "DIRTY", "DIRTY", &dirty), WG_OK);
	assert_true(dirty);
	/* the checksum no longer matches */
	d[0x30] ^= 1;
	spit(f, "BADSUM", d, len);
	assert_int_equal(hive_check_file(f->dirfd, "BADSUM", "BADSUM", &dirty), WG_ERR_HIVE_CORRUPT);
	/* a stored checksum of 0 never matches: it is written as 1 */
	d[0] = 'x';
	spit(f, "NOMAGIC", d, len);
	assert_int_equal(hive_check_file(f->dirfd, "NOMAGIC", "NOMAGIC", &dirty), WG_ERR_HIVE_CORRUPT);
	spit(f, "SHORT", (const unsigned char *)"regf", 4);
	assert_int_equal(hive_check_file(f->dirfd, "SHORT", "SHORT", &dirty), WG_ERR_HIVE_CORRUPT);
	assert_int_equal(hive_check_file(f->dirfd, "MISSING", "MISSING", &dirty), WG_ERR_NOT_FOUND);
	free(d);
}

static void test_open_refusals(void **state)
{
	struct fx *f = *state;
	struct hive *h = NULL;
	size_t len, len2;
	unsigned char *d = slurp(f, "SYSTEM", &len);
	mh_put32(d + 8, 9);
	mh_checksum(d);
	spit(f, "DIRTY", d, len);

	assert_int_equal(hive_open(f->dirfd, "DIRTY", NULL, HIVE_WRITE, &h), WG_ERR_HIVE_DIRTY);
	assert_null(h);
	/* read-only and in-memory-only opens only warn */
	assert_int_equal(hive_open(f->dirfd, "DIRTY", NULL, 0, &h), WG_OK);
	hive_close(h);
	assert_int_equal(hive_open(f->dirfd, "DIRTY", NULL, HIVE_WRITE | HIVE_NO_COMMIT, &h), WG_OK);
	hive_close(h);
	assert_int_equal(hive_open(f->dirfd, "DIRTY", NULL, HIVE_WRITE | HIVE_FORCE, &h), WG_OK);
	hive_close(h);
	unsigned char *after = slurp(f, "DIRTY", &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(d, after, len);
	free(after);

	/* hivex refuses a hive whose root cell is not a key */
	mh_put32(d + 0x24, 0x78);
	mh_put32(d + 8, 1);
	mh_checksum(d);
	spit(f, "BADROOT", d, len);
	assert_int_equal(hive_open(f->dirfd, "BADROOT", NULL, HIVE_WRITE, &h), WG_ERR_HIVE_CORRUPT);

	assert_int_equal(symlinkat("SYSTEM", f->dirfd, "LINK"), 0);
	assert_int_equal(hive_open(f->dirfd, "LINK", NULL, HIVE_WRITE, &h), WG_ERR_UNSAFE_PATH);
	assert_int_equal(mkdirat(f->dirfd, "ADIR", 0755), 0);
	assert_int_equal(hive_open(f->dirfd, "ADIR", NULL, 0, &h), WG_ERR_HIVE_CORRUPT);
	assert_int_equal(hive_open(f->dirfd, "NONE", NULL, 0, &h), WG_ERR_NOT_FOUND);
	free(d);
}

static void test_keys_and_values(void **state)
{
	struct fx *f = *state;
	struct hive *h;
	hive_key k, k2, sub;
	char *stored = NULL;
	struct strvec created = STRVEC_INIT;
	struct hive_value v;

	assert_int_equal(hive_open(f->dirfd, "SYSTEM", "cfg/SYSTEM", HIVE_WRITE, &h), WG_OK);
	assert_string_equal(hive_display(h), "cfg/SYSTEM");
	assert_false(hive_modified(h));
	assert_int_equal(hive_lookup(h, "", &k, &stored), WG_OK);
	assert_int_equal(k, hive_root(h));
	assert_string_equal(stored, "");
	free(stored);
	assert_int_equal(hive_lookup(h, "ControlSet001\\Services", &k, NULL), WG_ERR_NOT_FOUND);

	assert_int_equal(hive_ensure_key(h, "ControlSet001\\Services\\Tcpip", &k, &stored, &created),
			 WG_OK);
	assert_string_equal(stored, "ControlSet001\\Services\\Tcpip");
	free(stored);
	assert_int_equal(created.n, 3);
	assert_string_equal(created.v[0], "ControlSet001");
	assert_string_equal(created.v[2], "ControlSet001\\Services\\Tcpip");
	sv_clear(&created);
	assert_true(hive_modified(h));

	/* look-ups ignore case and give the stored spelling; nothing more is created */
	assert_int_equal(hive_ensure_key(h, "CONTROLSET001\\services\\TCPIP\\Parameters", &k2,
					 &stored, &created), WG_OK);
	assert_string_equal(stored, "ControlSet001\\Services\\Tcpip\\Parameters");
	free(stored);
	assert_int_equal(created.n, 1);
	assert_string_equal(created.v[0], "ControlSet001\\Services\\Tcpip\\Parameters");
	sv_clear(&created);
	assert_int_equal(hive_lookup(h, "controlset001\\SERVICES\\tcpip", &sub, &stored), WG_OK);
	assert_int_equal(sub, k);
	assert_string_equal(stored, "ControlSet001\\Services\\Tcpip");
	free(stored);
	assert_int_equal(hive_child(h, k, "PARAMETERS", &sub), WG_OK);
	assert_int_equal(sub, k2);
	assert_int_equal(hive_child(h, k, "Nope", &sub), WG_ERR_NOT_FOUND);
	assert_int_equal(hive_lookup(h, "a\\\\b", &sub, NULL), WG_ERR_HIVE);

	/* values: set keeps the others and the stored spelling */
	assert_int_equal(hive_value_set(h, k, "Start", REG_DWORD, "\2\0\0\0", 4), WG_OK);
	assert_int_equal(hive_value_set(h, k, "Type", REG_DWORD, "\1\0\0\0", 4), WG_OK);
	assert_int_equal(hive_value_set(h, k, "", REG_SZ, "d\0\0\0", 4), WG_OK);
	assert_int_equal(hive_value_set(h, k, "start", REG_DWORD, "\3\0\0\0", 4), WG_OK);
	struct hive_value *vals;
	size_t n;
	assert_int_equal(hive_values_list(h, k, &vals, &n), WG_OK);
	assert_int_equal(n, 3);
	assert_string_equal(vals[0].name, "Start");
	assert_memory_equal(vals[0].data, "\3\0\0\0", 4);
	assert_string_equal(vals[1].name, "Type");
	assert_string_equal(vals[2].name, "");
	hive_values_free(vals, n);
	assert_int_equal(hive_value_get(h, k, "TYPE", &v), WG_OK);
	assert_string_equal(v.name, "Type");
	assert_int_equal(v.type, REG_DWORD);
	assert_int_equal(v.len, 4);
	hive_value_release(&v);
	assert_int_equal(hive_value_get(h, k, "Missing", &v), WG_ERR_NOT_FOUND);

	/* an empty value and the size limit */
	assert_int_equal(hive_value_set(h, k, "Empty", REG_BINARY, "", 0), WG_OK);
	assert_int_equal(hive_value_get(h, k, "empty", &v), WG_OK);
	assert_int_equal(v.len, 0);
	hive_value_release(&v);
	unsigned char *big = calloc(1, HIVE_MAX_VALUE_DATA + 1);
	assert_int_equal(hive_value_set(h, k, "Big", REG_BINARY, big, HIVE_MAX_VALUE_DATA + 1),
			 WG_ERR_HIVE);
	assert_int_equal(hive_value_set(h, k, "Big", REG_BINARY, big, HIVE_MAX_VALUE_DATA), WG_OK);
	free(big);

	/* delete one value */
	assert_int_equal(hive_value_delete(h, k, "BIG"), WG_OK);
	assert_int_equal(hive_value_delete(h, k, "Big"), WG_ERR_NOT_FOUND);
	size_t nk, nv;
	assert_int_equal(hive_key_counts(h, k, &nk, &nv), WG_OK);
	assert_int_equal(nk, 1);
	assert_int_equal(nv, 4);
	hive_close(h);
}

static void test_tree_and_commit(void **state)
{
	struct fx *f = *state;
	struct hive *h;
	hive_key k, p;
	struct stat st0, st1;
	need_reglookup();

	assert_int_equal(fchmodat(f->dirfd, "SYSTEM", 0640, 0), 0);
	assert_int_equal(fstatat(f->dirfd, "SYSTEM", &st0, 0), 0);
	/* nothing edited: nothing written (a replacement would have a new inode, made while
	   the old one still existed) */
	assert_int_equal(hive_open(f->dirfd, "SYSTEM", NULL, HIVE_WRITE, &h), WG_OK);
	assert_int_equal(hive_commit(h), WG_OK);
	hive_close(h);
	assert_int_equal(fstatat(f->dirfd, "SYSTEM", &st1, 0), 0);
	assert_int_equal(st0.st_ino, st1.st_ino);

	assert_int_equal(hive_open(f->dirfd, "SYSTEM", NULL, HIVE_WRITE, &h), WG_OK);
	assert_int_equal(hive_ensure_key(h, "Svc\\A\\B", &k, NULL, NULL), WG_OK);
	assert_int_equal(hive_value_set(h, k, "v", REG_SZ, "x\0\0\0", 4), WG_OK);
	assert_int_equal(hive_lookup(h, "Svc\\A", &k, NULL), WG_OK);
	assert_int_equal(hive_value_set(h, k, "n", REG_DWORD, "\x2a\0\0\0", 4), WG_OK);
	assert_int_equal(hive_ensure_key(h, "Svc\\A\\C", &p, NULL, NULL), WG_OK);
	assert_int_equal(hive_commit(h), WG_OK);
	assert_false(hive_modified(h));
	char *before = reglookup(f, "SYSTEM");
	assert_non_null(strstr(before, "/Svc/A/B/v,SZ,x\n"));
	assert_non_null(strstr(before, "/Svc/A/n,DWORD,0x0000002A\n"));

	/* save, delete, restore: the same keys and values again */
	struct hive_tree t;
	assert_int_equal(hive_save_tree(h, k, &t), WG_OK);
	assert_string_equal(t.name, "A");
	assert_int_equal(t.nvalues, 1);
	assert_int_equal(t.nchildren, 2);
	assert_int_equal(hive_delete_key(h, k), WG_OK);
	assert_int_equal(hive_lookup(h, "Svc\\A", &k, NULL), WG_ERR_NOT_FOUND);
	assert_int_equal(hive_delete_key(h, hive_root(h)), WG_ERR_HIVE);
	assert_int_equal(hive_commit(h), WG_OK);
	char *gone = reglookup(f, "SYSTEM");
	assert_null(strstr(gone, "/Svc/A"));
	free(gone);
	assert_int_equal(hive_lookup(h, "Svc", &p, NULL), WG_OK);
	assert_int_equal(hive_restore_tree(h, p, &t), WG_OK);
	hive_tree_release(&t);
	assert_int_equal(hive_commit(h), WG_OK);
	hive_close(h);
	char *again = reglookup(f, "SYSTEM");
	assert_string_equal(before, again);
	free(before);
	free(again);

	/* its mode kept, no temporary file left, clean */
	assert_int_equal(fstatat(f->dirfd, "SYSTEM", &st1, 0), 0);
	assert_int_equal(st1.st_mode & 07777, 0640);
	bool dirty = true;
	assert_int_equal(hive_check_file(f->dirfd, "SYSTEM", "SYSTEM", &dirty), WG_OK);
	assert_false(dirty);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) = 1", f->dir);
	assert_int_equal(system(cmd), 0);
}

static void test_dry_run_hive_cannot_commit(void **state)
{
	struct fx *f = *state;
	struct hive *h;
	hive_key k;
	size_t len, len2;
	unsigned char *d = slurp(f, "SYSTEM", &len);
	assert_int_equal(hive_open(f->dirfd, "SYSTEM", NULL, HIVE_WRITE | HIVE_NO_COMMIT, &h), WG_OK);
	assert_int_equal(hive_ensure_key(h, "X", &k, NULL, NULL), WG_OK);
	assert_int_not_equal(hive_commit(h), WG_OK);
	hive_close(h);
	/* read-only: no edits at all */
	assert_int_equal(hive_open(f->dirfd, "SYSTEM", NULL, 0, &h), WG_OK);
	assert_int_not_equal(hive_ensure_key(h, "Y", &k, NULL, NULL), WG_OK);
	assert_int_not_equal(hive_value_set(h, hive_root(h), "v", REG_DWORD, "\0\0\0\0", 4), WG_OK);
	hive_close(h);
	unsigned char *after = slurp(f, "SYSTEM", &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(d, after, len);
	free(d);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_base_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_and_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_and_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_hive_cannot_commit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
