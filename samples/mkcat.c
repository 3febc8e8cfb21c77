/*
 * mkcat.c - make test signing catalogs of the real structure (PKCS#7 SignedData,
 * content type szOID_CTL, the CTL carried as a SEQUENCE) and the test PKI that
 * signs them. Nothing here is Microsoft's: every key and certificate is made here.
 *
 * usage: mkcat pki DIR
 *          DIR/{root,pca,signer,old-signer,rogue-root,rogue-pca,rogue-signer}.pem and
 *          the signers' .key files. root -> pca -> signer; old-signer is issued by pca
 *          and expired on 2022-09-01; rogue-* is a second, untrusted chain.
 *        mkcat sign DIR SIGNER OUT [-t YYMMDDHHMMSSZ] [-u] [-f] HEX...
 *          OUT lists every HEX hash (SHA-1 or SHA-256 bytes) as a member tag; SIGNER is
 *          signer, old-signer or rogue-signer (its PCA is carried, not the root); -t sets
 *          the CTL's ThisUpdate, -u writes tags as UTF-16 hex text (the older form),
 *          -f flips one byte of the CTL after signing (a damaged catalog), -n COUNT adds
 *          COUNT more members (SHA-256 tags derived from OUT's name: filler, for benchmarks).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define die(...) (fprintf(stderr, "mkcat: " __VA_ARGS__), fputc('\n', stderr), exit(1))

/* --- a minimal DER writer (test data only) ---------------------------------------- */
struct buf {
	unsigned char *p;
	size_t n;
};

static void add(struct buf *b, const void *d, size_t n)
{
	b->p = realloc(b->p, b->n + n + 1);
	if (!b->p)
		die("out of memory");
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

/* Append tag, length and the content c (which is freed). */
static void tlv(struct buf *b, unsigned char tag, struct buf *c)
{
	unsigned char h[6] = { tag };
	size_t hn;
	if (c->n < 0x80)
		h[1] = (unsigned char)c->n, hn = 2;
	else if (c->n < 0x100)
		h[1] = 0x81, h[2] = (unsigned char)c->n, hn = 3;
	else if (c->n < 0x10000)
		h[1] = 0x82, h[2] = (unsigned char)(c->n >> 8), h[3] = (unsigned char)c->n, hn = 4;
	else
		h[1] = 0x83, h[2] = (unsigned char)(c->n >> 16), h[3] = (unsigned char)(c->n >> 8),
		h[4] = (unsigned char)c->n, hn = 5;
	add(b, h, hn);
	add(b, c->p, c->n);
	free(c->p);
	c->p = NULL, c->n = 0;
}

static void raw(struct buf *b, unsigned char tag, const void *d, size_t n)
{
	struct buf c = { 0 };
	add(&c, d, n);
	if (!n)
		c.p = malloc(1);
	tlv(b, tag, &c);
}

static void oid(struct buf *b, const char *txt)
{
	ASN1_OBJECT *o = OBJ_txt2obj(txt, 1);
	if (!o)
		die("bad OID %s", txt);
	raw(b, 0x06, OBJ_get0_data(o), OBJ_length(o));
	ASN1_OBJECT_free(o);
}

/* --- the test PKI ---------------------------------------------------------------- */
static EVP_PKEY *newkey(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	if (!k)
		die("cannot make a key");
	return k;
}

static X509 *newcert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, int ca,
		     const char *from, const char *to, long serial)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME *n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"wimgraft tests", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	ASN1_TIME_set_string(X509_getm_notBefore(x), from);
	ASN1_TIME_set_string(X509_getm_notAfter(x), to);
	X509_set_pubkey(x, key);
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	const char *ext[][2] = {
		{ "basicConstraints", ca ? "critical,CA:TRUE" : "CA:FALSE" },
		{ "keyUsage", ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature" },
		{ "extendedKeyUsage", ca ? NULL : "codeSigning,1.3.6.1.4.1.311.10.3.6" },
		{ "subjectKeyIdentifier", "hash" },
		{ "authorityKeyIdentifier", "keyid" },
	};
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		if (!ext[i][1])
			continue;
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &ctx, ext[i][0], ext[i][1]);
		if (!e)
			die("bad extension %s", ext[i][0]);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	if (!X509_sign(x, ikey ? ikey : key, EVP_sha256()))
		die("cannot sign %s", cn);
	return x;
}

static void save(const char *dir, const char *name, X509 *x, EVP_PKEY *k)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || !PEM_write_X509(f, x) || fclose(f))
		die("cannot write %s", path);
	if (!k)
		return;
	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	f = fopen(path, "w");
	if (!f || !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) || fclose(f))
		die("cannot write %s", path);
}

static void pki(const char *dir, const char *prefix, long serial, int with_old)
{
	char name[64];
	EVP_PKEY *rk = newkey(), *pk = newkey(), *sk = newkey();
	X509 *root = newcert(prefix[0] ? "Rogue Test Root CA" : "Test Root Certificate Authority 2010",
			     rk, NULL, NULL, 1, "20100623000000Z", "20360623000000Z", serial);
	X509 *pca = newcert(prefix[0] ? "Rogue Test PCA" : "Test Windows Production PCA 2011",
			    pk, root, rk, 1, "20111019000000Z", "20261019000000Z", serial + 1);
	X509 *signer = newcert(prefix[0] ? "Rogue Windows" : "Test Windows", sk, pca, pk, 0,
			       "20240101000000Z", "20350101000000Z", serial + 2);
	snprintf(name, sizeof(name), "%sroot", prefix), save(dir, name, root, NULL);
	snprintf(name, sizeof(name), "%spca", prefix), save(dir, name, pca, NULL);
	snprintf(name, sizeof(name), "%ssigner", prefix), save(dir, name, signer, sk);
	if (with_old) {
		EVP_PKEY *ok = newkey();
		X509 *old = newcert("Test Windows (expired)", ok, pca, pk, 0, "20210902000000Z",
				    "20220901000000Z", serial + 3);
		save(dir, "old-signer", old, ok);
		X509_free(old);
		EVP_PKEY_free(ok);
	}
	X509_free(root), X509_free(pca), X509_free(signer);
	EVP_PKEY_free(rk), EVP_PKEY_free(pk), EVP_PKEY_free(sk);
}

/* --- catalogs -------------------------------------------------------------------- */
static X509 *load_cert(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!x)
		die("cannot read %s", path);
	return x;
}

static EVP_PKEY *load_key(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	FILE *f = fopen(path, "r");
	EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!k)
		die("cannot read %s", path);
	return k;
}

static size_t unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = strlen(s);
	if (n % 2 || n / 2 > max)
		die("bad hash '%s'", s);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			die("bad hash '%s'", s);
		out[i] = (unsigned char)v;
	}
	return n / 2;
}

/* One member: its tag and, like real catalogs, an indirect-data attribute with the digest. */
static void member(struct buf *list, const char *hex, int utf16)
{
	unsigned char h[64];
	size_t n = unhex(hex, h, sizeof(h));
	struct buf m = { 0 }, attr = { 0 }, set = { 0 }, ind = { 0 }, t = { 0 }, alg = { 0 }, dig = { 0 };
	if (utf16) {
		unsigned char w[256];
		for (size_t i = 0; i < 2 * n; i++)
			w[2 * i] = (unsigned char)"0123456789ABCDEF"[i % 2 ? h[i / 2] & 15 : h[i / 2] >> 4],
			w[2 * i + 1] = 0;
		raw(&m, 0x04, w, 4 * n);
	} else {
		raw(&m, 0x04, h, n);
	}
	oid(&t, "1.3.6.1.4.1.311.2.1.15");               /* SPC_PE_IMAGE_DATA */
	raw(&t, 0x30, "\x03\x01\x00\xa0\x00", 5);
	tlv(&ind, 0x30, &t);
	oid(&alg, n == 20 ? "1.3.14.3.2.26" : "2.16.840.1.101.3.4.2.1");
	raw(&alg, 0x05, "", 0);
	tlv(&dig, 0x30, &alg);
	raw(&dig, 0x04, h, n);
	tlv(&ind, 0x30, &dig);
	tlv(&set, 0x30, &ind);
	oid(&attr, "1.3.6.1.4.1.311.2.1.4");              /* SPC_INDIRECT_DATA */
	tlv(&attr, 0x31, &set);
	struct buf attrs = { 0 };
	tlv(&attrs, 0x30, &attr);
	tlv(&m, 0x31, &attrs);
	tlv(list, 0x30, &m);
}

static void ctl(struct buf *out, const char *when, int utf16, char **hashes, int nhashes,
		const char *filler, long nfiller)
{
	struct buf c = { 0 }, usage = { 0 }, alg = { 0 }, list = { 0 };
	unsigned char id[16];
	EVP_Digest(when, strlen(when), id, NULL, EVP_md5(), NULL);
	oid(&usage, "1.3.6.1.4.1.311.12.1.1");            /* szOID_CATALOG_LIST */
	tlv(&c, 0x30, &usage);
	raw(&c, 0x04, id, sizeof(id));
	raw(&c, 0x17, when, strlen(when));                /* UTCTime */
	oid(&alg, "1.3.6.1.4.1.311.12.1.2");              /* szOID_CATALOG_LIST_MEMBER */
	raw(&alg, 0x05, "", 0);
	tlv(&c, 0x30, &alg);
	for (int i = 0; i < nhashes; i++)
		member(&list, hashes[i], utf16);
	for (long i = 0; i < nfiller; i++) {
		char seed[4200], hex[65];
		unsigned char h[32];
		snprintf(seed, sizeof(seed), "%s/%ld", filler, i);
		EVP_Digest(seed, strlen(seed), h, NULL, EVP_sha256(), NULL);
		for (int j = 0; j < 32; j++)
			snprintf(hex + 2 * j, 3, "%02x", h[j]);
		member(&list, hex, utf16);
	}
	if (!list.n)
		list.p = malloc(1);
	tlv(&c, 0x30, &list);
	tlv(out, 0x30, &c);
}

static void sign(const char *dir, const char *signer, const char *out, const char *when,
		 int utf16, int flip, long nfiller, char **hashes, int nhashes)
{
	char pca_name[64];
	snprintf(pca_name, sizeof(pca_name), "%.*spca", (int)(strlen(signer) - strlen("signer")), signer);
	if (!strcmp(signer, "old-signer"))
		strcpy(pca_name, "pca");
	X509 *cert = load_cert(dir, signer), *pca = load_cert(dir, pca_name);
	EVP_PKEY *key = load_key(dir, signer);
	struct buf der = { 0 };
	ctl(&der, when, utf16, hashes, nhashes, out, nfiller);
	/* Whole SEQUENCE in the content; messageDigest over its value octets. */
	size_t hdr = der.p[1] < 0x80 ? 2 : 2 + (der.p[1] & 0x7f);
	unsigned char md[32];
	EVP_Digest(der.p + hdr, der.n - hdr, md, NULL, EVP_sha256(), NULL);

	ASN1_OBJECT *ctl_oid = OBJ_txt2obj("1.3.6.1.4.1.311.10.1", 1);
	PKCS7 *p7 = PKCS7_new(), *inner = PKCS7_new();
	PKCS7_set_type(p7, NID_pkcs7_signed);
	inner->type = OBJ_dup(ctl_oid);
	ASN1_STRING *seq = ASN1_STRING_new();
	ASN1_STRING_set(seq, der.p, (int)der.n);
	inner->d.other = ASN1_TYPE_new();
	ASN1_TYPE_set(inner->d.other, V_ASN1_SEQUENCE, seq);
	PKCS7_set_content(p7, inner);
	PKCS7_SIGNER_INFO *si = PKCS7_add_signature(p7, cert, key, EVP_sha256());
	if (!si)
		die("cannot add the signer");
	PKCS7_add_certificate(p7, cert);
	PKCS7_add_certificate(p7, pca);
	PKCS7_add_signed_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_dup(ctl_oid));
	PKCS7_add1_attrib_digest(si, md, sizeof(md));
	if (PKCS7_SIGNER_INFO_sign(si) <= 0)
		die("cannot sign %s", out);
	unsigned char *p7der = NULL;
	int n = i2d_PKCS7(p7, &p7der);
	if (n <= 0)
		die("cannot encode %s", out);
	if (flip) {
		unsigned char *at = memmem(p7der, (size_t)n, der.p, der.n);
		if (!at)
			die("cannot find the CTL to damage");
		at[der.n - 1] ^= 0x01;
	}
	FILE *f = fopen(out, "wb");
	if (!f || fwrite(p7der, 1, (size_t)n, f) != (size_t)n || fclose(f))
		die("cannot write %s", out);
	OPENSSL_free(p7der);
	free(der.p);
	PKCS7_free(p7);
	ASN1_OBJECT_free(ctl_oid);
	X509_free(cert), X509_free(pca);
	EVP_PKEY_free(key);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "pki")) {
		pki(argv[2], "", 1000, 1);
		pki(argv[2], "rogue-", 2000, 0);
		return 0;
	}
	if (argc < 5 || strcmp(argv[1], "sign"))
		die("usage: mkcat pki DIR | mkcat sign DIR SIGNER OUT [-t TIME] [-u] [-f] [-n COUNT] HEX...");
	const char *when = "240115120000Z";
	int utf16 = 0, flip = 0, i = 5;
	long nfiller = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			when = argv[++i];
		else if (!strcmp(argv[i], "-u"))
			utf16 = 1;
		else if (!strcmp(argv[i], "-f"))
			flip = 1;
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			nfiller = atol(argv[++i]);
		else
			die("unknown option %s", argv[i]);
	}
	sign(argv[2], argv[3], argv[4], when, utf16, flip, nfiller, argv + i, argc - i);
	return 0;
}
