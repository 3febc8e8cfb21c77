/*
 * test_catalog.c - catalogs made by samples/mkcat.c (real structure: SignedData,
 * szOID_CTL, CTL as a SEQUENCE) read and verified; decoys refused for their reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "catalog.h"
#include "tools.h"

static char *dir;
static const char *H_SHA1 = "456cec2e1b3f125b958c6a8d8c195c2717f692db";
static const char *H_SHA256 = "c5d7bf165944e1da004b7a8cb190c9e9ef598d78fef96c65c169b9a44db8db81";
static const char *OTHER = "0123456789abcdef0123456789abcdef01234567";

static int setup(void **state)
{
	(void)state;
	dir = tools_setup(1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tools_teardown(dir);
	return 0;
}

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* Make a catalog with mkcat sign (args: SIGNER [options] HEX...) and parse it. */
static struct catalog *make(const char *args, const char **why)
{
	char *out = xasprintf("%s/t.cat", dir);
	assert_int_equal(run("'%s/mkcat' sign '%s/pki' %.*s '%s' %s", dir, dir,
			     (int)strcspn(args, " "), args, out, args + strcspn(args, " ")), 0);
	unsigned char *der;
	size_t len;
	assert_int_equal(read_file(out, 0, &der, &len), WG_OK);
	struct catalog *c = NULL;
	enum wg_err e = catalog_parse(der, len, &c, why);
	assert_true(e == WG_OK || !c);
	free(der);
	free(out);
	return c;
}

static struct catalog_trust *test_trust(void)
{
	struct catalog_trust *t = catalog_trust_new();
	assert_non_null(t);
	char *root = xasprintf("%s/pki/root.pem", dir);
	assert_int_equal(catalog_trust_add_pem(t, root), WG_OK);
	free(root);
	return t;
}

static void test_lists_and_verifies(void **state)
{
	(void)state;
	const char *why = NULL;
	char *args = xasprintf("signer -t 250702143459Z %s %s", H_SHA1, H_SHA256);
	struct catalog *c = make(args, &why);
	assert_non_null(c);
	assert_int_equal(catalog_member_count(c), 2);
	uint8_t h1[20], h256[32], other[20];
	unhex(H_SHA1, h1);
	unhex(H_SHA256, h256);
	unhex(OTHER, other);
	assert_true(catalog_lists(c, h1, 20));
	assert_true(catalog_lists(c, h256, 32));
	assert_false(catalog_lists(c, other, 20));
	assert_false(catalog_lists(c, h256, 20));  /* a prefix is not a member */
	assert_int_equal(catalog_time(c), 1751466899);  /* 2025-07-02 14:34:59 UTC */
	struct catalog_trust *t = test_trust();
	assert_true(catalog_verify(c, t, &why));
	/* Twice: the second takes the remembered chain. */
	assert_true(catalog_verify(c, t, &why));
	catalog_trust_free(t);
	/* Trusting nothing but the real pin: refused. */
	t = catalog_trust_new();
	assert_false(catalog_verify(c, t, &why));
	assert_non_null(strstr(why, "pinned"));
	catalog_trust_free(t);
	catalog_free(c);
	free(args);
}

/* The pinned path: the PCA carried in the catalog, pinned by its SHA-256 fingerprint. */
static void test_pinned_pca(void **state)
{
	(void)state;
	char *path = xasprintf("%s/pki/pca.pem", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	X509 *pca = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(pca);
	uint8_t fp[32];
	unsigned n;
	assert_true(X509_digest(pca, EVP_sha256(), fp, &n));
	X509_free(pca);
	const char *why = NULL;
	char *args = xasprintf("signer %s", H_SHA256);
	struct catalog *c = make(args, &why);
	struct catalog_trust *t = catalog_trust_new();
	catalog_trust_pin(t, fp);
	assert_true(catalog_verify(c, t, &why));
	catalog_free(c);
	/* The rogue chain's PCA is not that certificate. */
	free(args);
	args = xasprintf("rogue-signer %s", H_SHA256);
	c = make(args, &why);
	assert_false(catalog_verify(c, t, &why));
	catalog_trust_free(t);
	catalog_free(c);
	free(args);
	free(path);
}

static void test_expired_chain_accepted(void **state)
{
	(void)state;
	const char *why = NULL;
	char *args = xasprintf("old-signer -t 220315000000Z %s", H_SHA1);
	struct catalog *c = make(args, &why);
	struct catalog_trust *t = test_trust();
	assert_true(catalog_verify(c, t, &why));
	catalog_trust_free(t);
	catalog_free(c);
	free(args);
}

static void test_flipped_refused(void **state)
{
	(void)state;
	const char *why = NULL;
	char *args = xasprintf("signer -f %s %s", H_SHA1, H_SHA256);
	struct catalog *c = make(args, &why);
	assert_non_null(c);  /* it still parses ... */
	struct catalog_trust *t = test_trust();
	assert_false(catalog_verify(c, t, &why));  /* ... but its digest fails */
	assert_non_null(strstr(why, "messageDigest"));
	catalog_trust_free(t);
	catalog_free(c);
	free(args);
}

static void test_unpinned_refused(void **state)
{
	(void)state;
	const char *why = NULL;
	char *args = xasprintf("rogue-signer %s", H_SHA1);
	struct catalog *c = make(args, &why);
	uint8_t h1[20];
	unhex(H_SHA1, h1);
	assert_true(catalog_lists(c, h1, 20));
	struct catalog_trust *t = test_trust();
	assert_false(catalog_verify(c, t, &why));
	assert_non_null(strstr(why, "chain"));
	catalog_trust_free(t);
	catalog_free(c);
	free(args);
}

static void test_utf16_tags(void **state)
{
	(void)state;
	const char *why = NULL;
	char *args = xasprintf("signer -u %s", H_SHA1);
	struct catalog *c = make(args, &why);
	uint8_t h1[20];
	unhex(H_SHA1, h1);
	assert_true(catalog_lists(c, h1, 20));
	struct catalog_trust *t = test_trust();
	assert_true(catalog_verify(c, t, &why));
	catalog_trust_free(t);
	catalog_free(c);
	free(args);
}

/* The pre-check never says no to a catalog that lists a hash, and says no to the others. */
static void test_may_list(void **state)
{
	(void)state;
	uint8_t hashes[2][32] = { { 0 } };
	uint8_t lens[2] = { 20, 32 };
	unhex(H_SHA1, hashes[0]);
	unhex(H_SHA256, hashes[1]);
	uint8_t other[1][32] = { { 0 } };
	uint8_t olen[1] = { 20 };
	unhex(OTHER, other[0]);
	const char *forms[] = { "signer %s", "signer -u %s", "signer -n 50 %s" };
	const char *hex[] = { H_SHA1, H_SHA256 };
	for (size_t f = 0; f < 3; f++)
		for (size_t h = 0; h < 2; h++) {
			char *args = xasprintf(forms[f], hex[h]);
			char *out = xasprintf("%s/m.cat", dir);
			assert_int_equal(run("'%s/mkcat' sign '%s/pki' %.*s '%s' %s", dir, dir,
					     (int)strcspn(args, " "), args, out,
					     args + strcspn(args, " ")), 0);
			unsigned char *der;
			size_t len;
			assert_int_equal(read_file(out, 0, &der, &len), WG_OK);
			assert_true(catalog_may_list(der, len, hashes, lens, 2));
			assert_true(catalog_may_list(der, len, &hashes[h], &lens[h], 1));
			assert_false(catalog_may_list(der, len, other, olen, 1));
			free(der);
			free(out);
			free(args);
		}
}

static void test_garbage_refused(void **state)
{
	(void)state;
	const char *why = NULL;
	struct catalog *c;
	unsigned char junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7919 >> 3);
	assert_int_equal(catalog_parse(junk, sizeof(junk), &c, &why), WG_ERR_HASH);
	assert_null(c);
	assert_non_null(why);
	assert_int_equal(catalog_parse(junk, 0, &c, &why), WG_ERR_HASH);
	/* A PKCS#7 signature of plain data (openssl smime) is not a catalog. */
	char *p7 = xasprintf("%s/data.p7", dir);
	assert_int_equal(run("echo hello | openssl smime -sign -binary -outform DER -nodetach "
			     "-signer '%s/pki/signer.pem' -inkey '%s/pki/signer.key' -out '%s'",
			     dir, dir, p7), 0);
	unsigned char *der;
	size_t len;
	assert_int_equal(read_file(p7, 0, &der, &len), WG_OK);
	assert_int_equal(catalog_parse(der, len, &c, &why), WG_ERR_HASH);
	assert_non_null(strstr(why, "szOID_CTL"));
	/* Truncations never parse past the end. */
	for (size_t cut = 0; cut < len; cut += len / 50 + 1) {
		if (!catalog_parse(der, cut, &c, &why))
			catalog_free(c);
	}
	free(der);
	free(p7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists_and_verifies),
		cmocka_unit_test(test_pinned_pca),
		cmocka_unit_test(test_expired_chain_accepted),
		cmocka_unit_test(test_flipped_refused),
		cmocka_unit_test(test_unpinned_refused),
		cmocka_unit_test(test_utf16_tags),
		cmocka_unit_test(test_may_list),
		cmocka_unit_test(test_garbage_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
