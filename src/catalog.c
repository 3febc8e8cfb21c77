/*
 * catalog.c - Windows signing catalogs read with libcrypto's ASN.1 templates and
 * PKCS#7/X.509 APIs: the CTL's member tags, its digest, signature and chain.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "catalog.h"
#include "util.h"

#define OID_CTL "1.3.6.1.4.1.311.10.1"

/*
 * Microsoft Windows Production PCA 2011, the CA that issues the "Microsoft
 * Windows" signing certificates of Windows' own catalogs. SHA-256 fingerprint of
 * the certificate as published in Microsoft's PKI repository
 * (https://www.microsoft.com/pkiops/certs/MicWinProPCA2011_2011-10-19.crt) and
 * as carried in the Server 2022 catalogs.
 */
static const uint8_t PCA2011_SHA256[32] = {
	0xe8, 0xe9, 0x5f, 0x07, 0x33, 0xa5, 0x5e, 0x8b, 0xad, 0x7b, 0xe0, 0xa1, 0x41, 0x3e, 0xe2, 0x3c,
	0x51, 0xfc, 0xea, 0x64, 0xb3, 0xc8, 0xfa, 0x6a, 0x78, 0x69, 0x35, 0xfd, 0xdc, 0xc7, 0x19, 0x61,
};

/* The CTL (Microsoft's Certificate Trust List) as catalogs carry it. */
typedef struct {
	ASN1_OCTET_STRING *tag;              /* subjectIdentifier: the hash */
	STACK_OF(ASN1_TYPE) *attrs;          /* subjectAttributes, kept unparsed */
} CatMember;

typedef struct {
	ASN1_INTEGER *version;
	STACK_OF(ASN1_OBJECT) *usage;
	ASN1_OCTET_STRING *list_id;
	ASN1_INTEGER *sequence;
	ASN1_TIME *this_update;
	ASN1_TIME *next_update;
	X509_ALGOR *subject_alg;
	STACK_OF(CatMember) *members;
	STACK_OF(X509_EXTENSION) *extensions;
} CatCtl;

DEFINE_STACK_OF(CatMember)

ASN1_SEQUENCE(CatMember) = {
	ASN1_SIMPLE(CatMember, tag, ASN1_OCTET_STRING),
	ASN1_SET_OF_OPT(CatMember, attrs, ASN1_ANY),
} ASN1_SEQUENCE_END(CatMember)

ASN1_SEQUENCE(CatCtl) = {
	ASN1_OPT(CatCtl, version, ASN1_INTEGER),
	ASN1_SEQUENCE_OF(CatCtl, usage, ASN1_OBJECT),
	ASN1_OPT(CatCtl, list_id, ASN1_OCTET_STRING),
	ASN1_OPT(CatCtl, sequence, ASN1_INTEGER),
	ASN1_SIMPLE(CatCtl, this_update, ASN1_TIME),
	ASN1_OPT(CatCtl, next_update, ASN1_TIME),
	ASN1_SIMPLE(CatCtl, subject_alg, X509_ALGOR),
	ASN1_SEQUENCE_OF_OPT(CatCtl, members, CatMember),
	ASN1_EXP_SEQUENCE_OF_OPT(CatCtl, extensions, X509_EXTENSION, 0),
} ASN1_SEQUENCE_END(CatCtl)

DECLARE_ASN1_FUNCTIONS(CatMember)
DECLARE_ASN1_FUNCTIONS(CatCtl)
IMPLEMENT_ASN1_FUNCTIONS(CatMember)
IMPLEMENT_ASN1_FUNCTIONS(CatCtl)

/* One member hash, raw bytes. */
struct member {
	uint8_t len;
	uint8_t hash[64];
};

struct catalog {
	PKCS7 *p7;
	const unsigned char *ctl_value;  /* the CTL SEQUENCE's value octets (inside p7) */
	long ctl_value_len;
	time_t time;
	struct member *members;          /* sorted */
	size_t nmembers;
};

struct trusted_signer {
	uint8_t fp[32];
	bool ok;
	const char *why;
};

struct catalog_trust {
	uint8_t (*pins)[32];
	size_t npins;
	STACK_OF(X509) *extra;           /* trusted certificates (tests) */
	struct trusted_signer *cache;    /* chain results by signer fingerprint */
	size_t ncache;
};

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->hash, y->hash, x->len);
}

/* The older tag form: the hash as UTF-16LE hex text. */
static bool tag_from_utf16_hex(const unsigned char *p, size_t n, struct member *m)
{
	if (n % 4 || n / 4 > sizeof(m->hash) || n < 4)
		return false;
	for (size_t i = 0; i < n / 4; i++) {
		int hi = wg_hexval(p[4 * i]), lo = wg_hexval(p[4 * i + 2]);
		if (hi < 0 || lo < 0 || p[4 * i + 1] || p[4 * i + 3])
			return false;
		m->hash[i] = (uint8_t)(hi << 4 | lo);
	}
	m->len = (uint8_t)(n / 4);
	return true;
}

static bool tag_matches(const unsigned char *p, size_t n, const uint8_t (*hashes)[32],
			const uint8_t *lens, size_t count)
{
	struct member m;
	if (n == 80 || n == 128) {
		if (!tag_from_utf16_hex(p, n, &m))
			return false;
		p = m.hash, n = m.len;
	}
	for (size_t i = 0; i < count; i++)
		if (lens[i] == n && !memcmp(hashes[i], p, n))
			return true;
	return false;
}

bool catalog_may_list(const unsigned char *der, size_t len, const uint8_t (*hashes)[32],
		      const uint8_t *lens, size_t n)
{
	const unsigned char *p = der, *end = der + len;
	while ((p = memchr(p, V_ASN1_OCTET_STRING, (size_t)(end - p)))) {
		p++;
		size_t left = (size_t)(end - p), tlen, hdr = 1;
		if (!left)
			break;
		tlen = p[0];
		if (tlen == 0x81 && left >= 2)
			tlen = p[1], hdr = 2;
		if ((tlen == 20 || tlen == 32 || tlen == 80 || tlen == 128) && left - hdr >= tlen &&
		    tag_matches(p + hdr, tlen, hashes, lens, n))
			return true;
	}
	return false;
}

static void collect_members(struct catalog *c, const CatCtl *ctl)
{
	int n = ctl->members ? sk_CatMember_num(ctl->members) : 0;
	c->members = xcalloc(n ? (size_t)n : 1, sizeof(*c->members));
	for (int i = 0; i < n; i++) {
		const ASN1_OCTET_STRING *t = sk_CatMember_value(ctl->members, i)->tag;
		const unsigned char *p = ASN1_STRING_get0_data(t);
		size_t len = (size_t)ASN1_STRING_length(t);
		struct member *m = &c->members[c->nmembers];
		if (tag_from_utf16_hex(p, len, m)) {
			c->nmembers++;
		} else if (len && len <= sizeof(m->hash)) {
			m->len = (uint8_t)len;
			memcpy(m->hash, p, len);
			c->nmembers++;
		}
	}
	qsort(c->members, c->nmembers, sizeof(*c->members), member_cmp);
}

static time_t asn1_time_to_time_t(const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

/* The SignedData's content: szOID_CTL carried as a SEQUENCE. */
static bool ctl_content(struct catalog *c, const char **why)
{
	if (!PKCS7_type_is_signed(c->p7) || !c->p7->d.sign || !c->p7->d.sign->contents)
		return *why = "not PKCS#7 SignedData", false;
	PKCS7 *inner = c->p7->d.sign->contents;
	char oid[64];
	if (!inner->type || OBJ_obj2txt(oid, sizeof(oid), inner->type, 1) <= 0 || strcmp(oid, OID_CTL))
		return *why = "content type is not szOID_CTL (1.3.6.1.4.1.311.10.1)", false;
	const ASN1_TYPE *any = inner->d.other;
	if (!any || any->type != V_ASN1_SEQUENCE || !any->value.sequence)
		return *why = "the certificate trust list is not a SEQUENCE", false;
	const unsigned char *der = any->value.sequence->data, *p = der;
	long dlen = any->value.sequence->length, len;
	int tag, cls;
	int r = ASN1_get_object(&p, &len, &tag, &cls, dlen);
	if ((r & 0x80) || !(r & V_ASN1_CONSTRUCTED) || tag != V_ASN1_SEQUENCE ||
	    cls != V_ASN1_UNIVERSAL || p + len != der + dlen)
		return *why = "the certificate trust list is malformed", false;
	c->ctl_value = p;
	c->ctl_value_len = len;
	p = der;
	CatCtl *ctl = d2i_CatCtl(NULL, &p, dlen);
	if (!ctl)
		return *why = "the certificate trust list does not parse", false;
	c->time = asn1_time_to_time_t(ctl->this_update);
	collect_members(c, ctl);
	CatCtl_free(ctl);
	return true;
}

enum wg_err catalog_parse(const unsigned char *der, size_t len, struct catalog **out,
			  const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*out = NULL;
	if (len > 0x7fffffff)
		return *why = "too large", WG_ERR_HASH;
	const unsigned char *p = der;
	struct catalog *c = xcalloc(1, sizeof(*c));
	c->p7 = d2i_PKCS7(NULL, &p, (long)len);
	ERR_clear_error();
	if (!c->p7) {
		*why = "not a PKCS#7 structure";
		catalog_free(c);
		return WG_ERR_HASH;
	}
	if (!ctl_content(c, why)) {
		ERR_clear_error();
		catalog_free(c);
		return WG_ERR_HASH;
	}
	if (!c->time) {
		STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(c->p7);
		ASN1_TYPE *st = sis && sk_PKCS7_SIGNER_INFO_num(sis) > 0
			? PKCS7_get_signed_attribute(sk_PKCS7_SIGNER_INFO_value(sis, 0),
						     NID_pkcs9_signingTime) : NULL;
		if (st && (st->type == V_ASN1_UTCTIME || st->type == V_ASN1_GENERALIZEDTIME))
			c->time = asn1_time_to_time_t((const ASN1_TIME *)st->value.asn1_string);
	}
	*out = c;
	return WG_OK;
}

void catalog_free(struct catalog *c)
{
	if (!c)
		return;
	PKCS7_free(c->p7);
	free(c->members);
	free(c);
}

bool catalog_lists(const struct catalog *c, const uint8_t *hash, size_t n)
{
	struct member key = { 0 };
	if (n > sizeof(key.hash))
		return false;
	key.len = (uint8_t)n;
	memcpy(key.hash, hash, n);
	return bsearch(&key, c->members, c->nmembers, sizeof(key), member_cmp) != NULL;
}

size_t catalog_member_count(const struct catalog *c)
{
	return c->nmembers;
}

time_t catalog_time(const struct catalog *c)
{
	return c->time;
}

/* --- trust ------------------------------------------------------------------------- */

struct catalog_trust *catalog_trust_new(void)
{
	struct catalog_trust *t = xcalloc(1, sizeof(*t));
	t->extra = sk_X509_new_null();
	if (!t->extra)
		abort();
	catalog_trust_pin(t, PCA2011_SHA256);
	const char *test_ca = getenv(CATALOG_TEST_CA_ENV);
	if (test_ca && *test_ca && catalog_trust_add_pem(t, test_ca)) {
		catalog_trust_free(t);
		return NULL;
	}
	return t;
}

void catalog_trust_free(struct catalog_trust *t)
{
	if (!t)
		return;
	free(t->pins);
	sk_X509_pop_free(t->extra, X509_free);
	free(t->cache);
	free(t);
}

void catalog_trust_pin(struct catalog_trust *t, const uint8_t sha256[32])
{
	t->pins = xrealloc(t->pins, (t->npins + 1) * sizeof(*t->pins));
	memcpy(t->pins[t->npins++], sha256, 32);
}

enum wg_err catalog_trust_add_pem(struct catalog_trust *t, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		wg_error("cannot open '%s' (%s): %m", path, CATALOG_TEST_CA_ENV);
		return WG_ERR_IO;
	}
	size_t before = (size_t)sk_X509_num(t->extra);
	X509 *x;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)))
		sk_X509_push(t->extra, x);
	ERR_clear_error();
	fclose(f);
	if ((size_t)sk_X509_num(t->extra) == before) {
		wg_error("'%s' holds no PEM certificate (%s)", path, CATALOG_TEST_CA_ENV);
		return WG_ERR_IO;
	}
	return WG_OK;
}

static bool pinned(const struct catalog_trust *t, X509 *x)
{
	uint8_t fp[32];
	unsigned n = 0;
	if (!X509_digest(x, EVP_sha256(), fp, &n) || n != 32)
		return false;
	for (size_t i = 0; i < t->npins; i++)
		if (!memcmp(t->pins[i], fp, 32))
			return true;
	return false;
}

/* Does signer chain, through the carried certificates, to a pinned or trusted one? */
static bool chain_ok(struct catalog_trust *t, X509 *signer, STACK_OF(X509) *carried,
		     const char **why)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok = false;
	*why = "cannot set up certificate verification";
	if (!store || !ctx)
		goto out;
	for (int i = 0; i < sk_X509_num(t->extra); i++)
		X509_STORE_add_cert(store, sk_X509_value(t->extra, i));
	int npinned = 0;
	for (int i = 0; i < sk_X509_num(carried); i++) {
		X509 *x = sk_X509_value(carried, i);
		if (pinned(t, x) && X509_STORE_add_cert(store, x))
			npinned++;
	}
	if (!npinned && !sk_X509_num(t->extra)) {
		*why = "the catalog carries no pinned certificate (Microsoft Windows Production PCA 2011)";
		goto out;
	}
	/* Real catalogs' certificates have expired: validity dates are not checked. */
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
	if (!X509_STORE_CTX_init(ctx, store, signer, carried))
		goto out;
	if (X509_verify_cert(ctx) == 1) {
		ok = true;
	} else {
		int e = X509_STORE_CTX_get_error(ctx);
		*why = e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
		       e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
		       e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
		       e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
			? "the signer does not chain to a pinned certificate"
			: X509_verify_cert_error_string(e);
	}
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

/* chain_ok, remembered per signer certificate (thousands of catalogs share a few). */
static bool chain_ok_cached(struct catalog_trust *t, X509 *signer, STACK_OF(X509) *carried,
			    const char **why)
{
	uint8_t fp[32];
	unsigned n = 0;
	if (!X509_digest(signer, EVP_sha256(), fp, &n) || n != 32)
		return *why = "cannot hash the signer certificate", false;
	for (size_t i = 0; i < t->ncache; i++)
		if (!memcmp(t->cache[i].fp, fp, 32)) {
			*why = t->cache[i].why;
			return t->cache[i].ok;
		}
	bool ok = chain_ok(t, signer, carried, why);
	/* A failure may depend on what one catalog carries: remember successes only. */
	if (ok) {
		t->cache = xrealloc(t->cache, (t->ncache + 1) * sizeof(*t->cache));
		memcpy(t->cache[t->ncache].fp, fp, 32);
		t->cache[t->ncache].ok = true;
		t->cache[t->ncache++].why = NULL;
	}
	return ok;
}

/* --- verification ------------------------------------------------------------------ */

static bool digest_ok(const struct catalog *c, PKCS7_SIGNER_INFO *si, const EVP_MD *md,
		      const char **why)
{
	ASN1_TYPE *ct = PKCS7_get_signed_attribute(si, NID_pkcs9_contentType);
	char oid[64];
	if (!ct || ct->type != V_ASN1_OBJECT ||
	    OBJ_obj2txt(oid, sizeof(oid), ct->value.object, 1) <= 0 || strcmp(oid, OID_CTL))
		return *why = "the signed contentType attribute is not szOID_CTL", false;
	ASN1_OCTET_STRING *want = PKCS7_digest_from_attributes(PKCS7_get_signed_attributes(si));
	if (!want)
		return *why = "no messageDigest signed attribute", false;
	unsigned char got[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (!EVP_Digest(c->ctl_value, (size_t)c->ctl_value_len, got, &n, md, NULL))
		return *why = "cannot hash the certificate trust list", false;
	if ((int)n != ASN1_STRING_length(want) || memcmp(got, ASN1_STRING_get0_data(want), n))
		return *why = "messageDigest does not match the certificate trust list", false;
	return true;
}

static bool signature_ok(PKCS7_SIGNER_INFO *si, X509 *signer, const EVP_MD *md, const char **why)
{
	unsigned char *attrs = NULL;
	int alen = ASN1_item_i2d((ASN1_VALUE *)PKCS7_get_signed_attributes(si), &attrs,
				 ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY *key = X509_get0_pubkey(signer);
	bool ok = alen > 0 && ctx && key &&
		  EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
		  EVP_DigestVerify(ctx, si->enc_digest->data, (size_t)si->enc_digest->length,
				   attrs, (size_t)alen) == 1;
	if (!ok)
		*why = "the signature over the signed attributes does not verify";
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(attrs);
	return ok;
}

bool catalog_verify(struct catalog *c, struct catalog_trust *t, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(c->p7);
	if (!sis || sk_PKCS7_SIGNER_INFO_num(sis) != 1)
		return *why = "not exactly one signer", false;
	PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(sis, 0);
	const EVP_MD *md = EVP_get_digestbyobj(si->digest_alg->algorithm);
	if (!md || EVP_MD_get_size(md) < 20)
		return *why = "unknown or weak digest algorithm", false;
	if (!PKCS7_get_signed_attributes(si) || !si->enc_digest)
		return *why = "no signed attributes", false;
	X509 *signer = PKCS7_cert_from_signer_info(c->p7, si);
	bool ok = false;
	if (!signer)
		*why = "the signer's certificate is not in the catalog";
	else
		ok = digest_ok(c, si, md, why) && signature_ok(si, signer, md, why) &&
		     chain_ok_cached(t, signer, c->p7->d.sign->cert, why);
	ERR_clear_error();
	return ok;
}
