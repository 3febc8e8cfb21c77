/*
 * authenticode.c - the Authenticode hash of PE images (as the Authenticode PE
 * specification defines it) and flat file hashes, on libcrypto's EVP digests.
 */
#include <string.h>

#include <openssl/evp.h>

#include "authenticode.h"

/* Offsets in the PE format (Microsoft PE/COFF specification). */
#define DOS_LFANEW          0x3c
#define COFF_SIZE           20
#define OPT_MAGIC_PE32      0x10b
#define OPT_MAGIC_PE32PLUS  0x20b
#define OPT_SIZEOFHEADERS   60
#define OPT_CHECKSUM        64
#define OPT_NUMRVA_PE32     92
#define OPT_NUMRVA_PE32PLUS 108
#define DIR_SECURITY        4     /* the Certificate Table */

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

const char *sign_kind_name(enum sign_kind k)
{
	switch (k) {
	case SIGN_AUTHENTICODE: return "authenticode";
	case SIGN_FLAT: return "flat";
	default: return "none";
	}
}

bool pe_layout(const unsigned char *data, size_t len, struct pe_layout *out, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	if (len < 0x40 || data[0] != 'M' || data[1] != 'Z')
		return *why = "no MZ header", false;
	size_t pe = le32(data + DOS_LFANEW);
	if (pe > len || len - pe < 4 + COFF_SIZE + 2 || memcmp(data + pe, "PE\0\0", 4))
		return *why = "no PE signature", false;
	size_t opt = pe + 4 + COFF_SIZE;
	size_t optsize = le16(data + pe + 4 + 16);
	uint32_t magic = le16(data + opt);
	size_t numrva_at;
	if (magic == OPT_MAGIC_PE32)
		numrva_at = OPT_NUMRVA_PE32;
	else if (magic == OPT_MAGIC_PE32PLUS)
		numrva_at = OPT_NUMRVA_PE32PLUS, out->pe32plus = true;
	else
		return *why = "unknown optional header magic", false;
	size_t dirs = numrva_at + 4;
	if (optsize < dirs || len - opt < dirs)
		return *why = "optional header truncated", false;
	uint32_t numrva = le32(data + opt + numrva_at);
	out->checksum_offset = opt + OPT_CHECKSUM;
	out->hashed_end = len;
	if (numrva <= DIR_SECURITY) {
		/* No Certificate Table entry: nothing but the CheckSum is left out. */
		out->certdir_offset = 0;
		return true;
	}
	size_t entry = dirs + 8 * DIR_SECURITY;
	if (optsize < entry + 8 || len - opt < entry + 8)
		return *why = "data directories truncated", false;
	out->certdir_offset = opt + entry;
	uint32_t cert_at = le32(data + opt + entry), cert_size = le32(data + opt + entry + 4);
	if (cert_size) {
		if (cert_at < out->certdir_offset + 8 || cert_at > len || len - cert_at < cert_size)
			return *why = "certificate table outside the file", false;
		out->hashed_end = cert_at;
		out->cert_size = cert_size;
	}
	return true;
}

struct two_digests {
	EVP_MD_CTX *c1, *c256;
};

static void update(struct two_digests *d, const unsigned char *p, size_t n)
{
	EVP_DigestUpdate(d->c1, p, n);
	EVP_DigestUpdate(d->c256, p, n);
}

static void hash_pe(struct two_digests *d, const unsigned char *data, const struct pe_layout *l)
{
	size_t at = 0;
	update(d, data, l->checksum_offset);
	at = l->checksum_offset + 4;
	if (l->certdir_offset) {
		update(d, data + at, l->certdir_offset - at);
		at = l->certdir_offset + 8;
	}
	if (l->hashed_end > at)
		update(d, data + at, l->hashed_end - at);
}

enum wg_err file_hashes_compute(const unsigned char *data, size_t len, enum sign_kind kind,
				const char *name, struct file_hashes *out)
{
	struct pe_layout l;
	const char *why = NULL;
	if (kind == SIGN_AUTHENTICODE && !pe_layout(data, len, &l, &why)) {
		wg_error("'%s' is not a PE image (%s): it has no Authenticode hash", name, why);
		return WG_ERR_HASH;
	}
	struct two_digests d = { EVP_MD_CTX_new(), EVP_MD_CTX_new() };
	if (!d.c1 || !d.c256 || !EVP_DigestInit_ex(d.c1, EVP_sha1(), NULL) ||
	    !EVP_DigestInit_ex(d.c256, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(d.c1);
		EVP_MD_CTX_free(d.c256);
		wg_error("cannot set up the hashes of '%s'", name);
		return WG_ERR_INTERNAL;
	}
	if (kind == SIGN_AUTHENTICODE)
		hash_pe(&d, data, &l);
	else
		update(&d, data, len);
	EVP_DigestFinal_ex(d.c1, out->sha1, NULL);
	EVP_DigestFinal_ex(d.c256, out->sha256, NULL);
	EVP_MD_CTX_free(d.c1);
	EVP_MD_CTX_free(d.c256);
	return WG_OK;
}

void hash_to_hex(const uint8_t *digest, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[2 * n] = '\0';
}
