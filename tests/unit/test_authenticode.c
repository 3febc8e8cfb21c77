/*
 * test_authenticode.c - Authenticode hashes of PE32 and PE32+ images, unsigned and
 * signed, equal the digest osslsigncode reports; flat hashes equal sha1sum/sha256sum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "authenticode.h"
#include "tools.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = tools_setup(0);
	return run("cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem "
		   "-days 30 -subj /CN=throwaway >/dev/null 2>&1", dir) != 0;
}

static int teardown(void **state)
{
	(void)state;
	tools_teardown(dir);
	return 0;
}

static void hashes_of(const char *path, enum sign_kind kind, struct file_hashes *h)
{
	unsigned char *data;
	size_t len;
	assert_int_equal(read_file(path, 0, &data, &len), WG_OK);
	assert_int_equal(file_hashes_compute(data, len, kind, path, h), WG_OK);
	free(data);
}

/* The "Current message digest" osslsigncode verify prints, lower case. */
static char *ossl_digest(const char *path)
{
	char *out = output_of("osslsigncode verify -in '%s' 2>/dev/null | "
			      "sed -n 's/^Current message digest *: *\\([0-9A-F]*\\).*/\\1/p' | "
			      "tr A-F a-f | tr -d '\\n'", path);
	return out;
}

static void check_pe(const char *kind, const char *md)
{
	char *in = xasprintf("%s/%s.sys", dir, kind), *out = xasprintf("%s/%s-%s.sys", dir, kind, md);
	assert_int_equal(run("'%s/mkpe' %s '%s' 'text of %s'", dir, kind, in, kind), 0);
	assert_int_equal(run("osslsigncode sign -certs '%s/c.pem' -key '%s/k.pem' -h %s -in '%s' "
			     "-out '%s' >/dev/null", dir, dir, md, in, out), 0);
	char *want = ossl_digest(out);
	assert_int_equal(strlen(want), !strcmp(md, "sha1") ? 40 : 64);

	struct file_hashes unsigned_h, signed_h;
	hashes_of(in, SIGN_AUTHENTICODE, &unsigned_h);
	hashes_of(out, SIGN_AUTHENTICODE, &signed_h);
	char hex[65];
	const uint8_t *u = !strcmp(md, "sha1") ? unsigned_h.sha1 : unsigned_h.sha256;
	const uint8_t *s = !strcmp(md, "sha1") ? signed_h.sha1 : signed_h.sha256;
	size_t n = !strcmp(md, "sha1") ? 20 : 32;
	hash_to_hex(u, n, hex);
	assert_string_equal(hex, want);
	hash_to_hex(s, n, hex);
	assert_string_equal(hex, want);

	/* The signed file really carries a certificate table that the hash left out. */
	unsigned char *data;
	size_t len;
	struct pe_layout l;
	assert_int_equal(read_file(out, 0, &data, &len), WG_OK);
	assert_true(pe_layout(data, len, &l, NULL));
	assert_true(l.cert_size > 0);
	assert_int_equal(l.pe32plus, !strcmp(kind, "pe32+"));
	free(data);
	/* ... and the flat hash of the signed file differs from the Authenticode hash. */
	struct file_hashes flat;
	hashes_of(out, SIGN_FLAT, &flat);
	assert_memory_not_equal(flat.sha256, signed_h.sha256, 32);
	free(want);
	free(in);
	free(out);
}

static void test_pe32plus_sha256(void **state) { (void)state; check_pe("pe32+", "sha256"); }
static void test_pe32plus_sha1(void **state) { (void)state; check_pe("pe32+", "sha1"); }
static void test_pe32_sha256(void **state) { (void)state; check_pe("pe32", "sha256"); }
static void test_pe32_sha1(void **state) { (void)state; check_pe("pe32", "sha1"); }

static void test_flat_matches_coreutils(void **state)
{
	(void)state;
	char *f = xasprintf("%s/flat.inf", dir);
	assert_int_equal(run("printf '[Version]\\r\\nClass=NetService\\r\\n' > '%s'", f), 0);
	struct file_hashes h;
	hashes_of(f, SIGN_FLAT, &h);
	char *s1 = output_of("sha1sum < '%s' | cut -c1-40 | tr -d '\\n'", f);
	char *s256 = output_of("sha256sum < '%s' | cut -c1-64 | tr -d '\\n'", f);
	char hex[65];
	hash_to_hex(h.sha1, 20, hex);
	assert_string_equal(hex, s1);
	hash_to_hex(h.sha256, 32, hex);
	assert_string_equal(hex, s256);
	free(s1);
	free(s256);
	free(f);
}

static void test_not_pe_refused(void **state)
{
	(void)state;
	static const unsigned char text[] = "MZ but nothing else of a PE image, long enough to read the "
					    "header fields and find no signature there at all";
	struct file_hashes h;
	const char *why = NULL;
	struct pe_layout l;
	assert_false(pe_layout(text, sizeof(text), &l, &why));
	assert_non_null(why);
	assert_int_equal(file_hashes_compute(text, sizeof(text), SIGN_AUTHENTICODE, "x.sys", &h),
			 WG_ERR_HASH);
	assert_int_equal(file_hashes_compute(text, sizeof(text), SIGN_FLAT, "x.sys", &h), WG_OK);
	/* Truncated images are refused, never read past their end. */
	unsigned char *pe;
	size_t len;
	char *p = xasprintf("%s/t.sys", dir);
	assert_int_equal(run("'%s/mkpe' pe32+ '%s'", dir, p), 0);
	assert_int_equal(read_file(p, 0, &pe, &len), WG_OK);
	for (size_t cut = 0; cut < 0x130; cut += 7) /* up to the Certificate Table entry */
		assert_false(pe_layout(pe, cut, &l, NULL));
	free(pe);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pe32plus_sha256),
		cmocka_unit_test(test_pe32plus_sha1),
		cmocka_unit_test(test_pe32_sha256),
		cmocka_unit_test(test_pe32_sha1),
		cmocka_unit_test(test_flat_matches_coreutils),
		cmocka_unit_test(test_not_pe_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
