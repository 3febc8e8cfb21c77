/*
 * catalog.h - Windows signing catalogs (.cat): PKCS#7 SignedData over a
 * Certificate Trust List of file hashes, read and verified with libcrypto.
 */
#ifndef WIMGRAFT_CATALOG_H
#define WIMGRAFT_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"

struct catalog;
struct catalog_trust;

/* The test-only environment variable naming a PEM file of extra trusted CAs. */
#define CATALOG_TEST_CA_ENV "WIMGRAFT_TEST_TRUSTED_CA"

/*
 * Parse a catalog: PKCS#7 SignedData whose content type is szOID_CTL
 * (1.3.6.1.4.1.311.10.1) and whose content is the CTL as a SEQUENCE. Nothing
 * is verified yet. On failure returns WG_ERR_HASH with *why (static text) set.
 */
enum wg_err catalog_parse(const unsigned char *der, size_t len, struct catalog **out,
			  const char **why);
void catalog_free(struct catalog *c);

/*
 * A quick and sound pre-check before catalog_parse: can der list one of these n
 * hashes (hashes[i] of lens[i] bytes, 20 or 32)? A member tag is an OCTET STRING
 * holding the hash or its UTF-16 hex text, so false means it certainly does
 * not; true means parse it and see.
 */
bool catalog_may_list(const unsigned char *der, size_t len, const uint8_t (*hashes)[32],
		      const uint8_t *lens, size_t n);

/* Does the catalog list a member by this hash (raw tag, or the older UTF-16 hex tag)? */
bool catalog_lists(const struct catalog *c, const uint8_t *hash, size_t n);
size_t catalog_member_count(const struct catalog *c);
/* The CTL's ThisUpdate, else the signing time; 0 when neither is readable. */
time_t catalog_time(const struct catalog *c);

/*
 * The trusted roots: the pinned Microsoft Windows Production PCA 2011 (by its
 * SHA-256 fingerprint), plus, for tests only, every certificate in the PEM
 * file named by $WIMGRAFT_TEST_TRUSTED_CA. NULL (reported) when that file
 * cannot be read.
 */
struct catalog_trust *catalog_trust_new(void);
void catalog_trust_free(struct catalog_trust *t);
/* Pin one more certificate by its SHA-256 fingerprint (for tests). */
void catalog_trust_pin(struct catalog_trust *t, const uint8_t sha256[32]);
/* Add the certificates of a PEM file as trusted (for tests); reports errors. */
enum wg_err catalog_trust_add_pem(struct catalog_trust *t, const char *path);

/*
 * Verify a parsed catalog: the signed attributes' contentType is szOID_CTL and
 * their messageDigest is the digest of the CTL's value octets; the signature
 * over the signed attributes verifies with the signer's certificate; that
 * certificate chains through the certificates the catalog carries to a trusted
 * one, with no check of validity dates (real catalogs' certificates have
 * expired, and Windows honours them). Returns true, or false with *why set.
 */
bool catalog_verify(struct catalog *c, struct catalog_trust *t, const char **why);

#endif
