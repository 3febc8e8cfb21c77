/*
 * authenticode.h - the hashes a signing catalog lists a file by: the Authenticode
 * hash of a PE image (PE32/PE32+) and the flat hash of any other file.
 */
#ifndef WIMGRAFT_AUTHENTICODE_H
#define WIMGRAFT_AUTHENTICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* How a catalog lists a file. */
enum sign_kind {
	SIGN_NONE,          /* not signed through a catalog */
	SIGN_AUTHENTICODE,  /* PE image: Authenticode hash */
	SIGN_FLAT,          /* any file: hash of its bytes */
};

struct file_hashes {
	uint8_t sha1[20];
	uint8_t sha256[32];
};

/* "authenticode", "flat" (or "none"). */
const char *sign_kind_name(enum sign_kind k);

/*
 * Where a PE image's Authenticode hash leaves bytes out: the CheckSum field,
 * the Certificate Table directory entry and the certificate data (from
 * cert_offset to the end). Returns false (why set to a short reason) when
 * data is not a PE32 or PE32+ image this can hash.
 */
struct pe_layout {
	bool pe32plus;
	size_t checksum_offset;   /* 4 bytes */
	size_t certdir_offset;    /* 8 bytes */
	size_t hashed_end;        /* the certificate table's start, else the file's size */
	uint32_t cert_size;       /* 0: no embedded signature */
};
bool pe_layout(const unsigned char *data, size_t len, struct pe_layout *out, const char **why);

/*
 * Both digests of data as kind says. For SIGN_AUTHENTICODE a file that is not
 * a PE image is an error naming name (WG_ERR_HASH).
 */
enum wg_err file_hashes_compute(const unsigned char *data, size_t len, enum sign_kind kind,
				const char *name, struct file_hashes *out);

/* Lower-case hex of n bytes into hex (2n + 1 bytes). */
void hash_to_hex(const uint8_t *digest, size_t n, char *hex);

#endif
