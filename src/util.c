/*
 * util.c - memory, strings, UTF-16 conversion, file reads and SHA-1 digests.
 * Nothing here knows about WIMs, hives or manifests.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

static void die_nomem(void)
{
	fputs("fatal: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_nomem();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_nomem();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_nomem();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die_nomem();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		die_nomem();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		die_nomem();
	va_end(ap);
	return p;
}

void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->alloc)
		return;
	size_t want = sb->alloc ? sb->alloc : 64;
	while (want < sb->len + extra + 1)
		want *= 2;
	sb->buf = xrealloc(sb->buf, want);
	sb->alloc = want;
	sb->buf[sb->len] = '\0';   /* a fresh buffer is a valid empty string too */
}

void sb_add(struct strbuf *sb, const void *data, size_t len)
{
	sb_grow(sb, len);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sb_addstr(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;
	sb_add(sb, &ch, 1);
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	int n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		die_nomem();
	sb_add(sb, p, (size_t)n);
	free(p);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

char *sb_detach(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	return p;
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

void sv_push_nodup(struct strvec *sv, char *s)
{
	if (sv->n + 2 > sv->alloc) {
		sv->alloc = sv->alloc ? sv->alloc * 2 : 8;
		sv->v = xrealloc(sv->v, sv->alloc * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void sv_push(struct strvec *sv, const char *s)
{
	sv_push_nodup(sv, xstrdup(s));
}

void sv_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}

size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t n;
	uint32_t c, min;
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2; c = s[0] & 0x1F; min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3; c = s[0] & 0x0F; min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4; c = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

unsigned char *utf8_to_utf16le(const char *str, size_t len, size_t *out_len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char *out = xmalloc(len * 4 + 2);
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (!n) {
			free(out);
			return NULL;
		}
		i += n;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			uint16_t hi = 0xD800 | (cp >> 10), lo = 0xDC00 | (cp & 0x3FF);
			out[o++] = hi & 0xFF; out[o++] = hi >> 8;
			out[o++] = lo & 0xFF; out[o++] = lo >> 8;
		} else {
			out[o++] = cp & 0xFF;
			out[o++] = cp >> 8;
		}
	}
	*out_len = o;
	return out;
}

unsigned char *utf8_to_utf16z(const char *s, size_t len, size_t *out_len)
{
	size_t n;
	unsigned char *u = utf8_to_utf16le(s, len, &n);
	if (!u)
		return NULL;
	u = xrealloc(u, n + 2);
	u[n] = u[n + 1] = 0;
	*out_len = n + 2;
	return u;
}

void sb_add_utf8(struct strbuf *sb, uint32_t c)
{
	char tmp[4];
	size_t n;
	if (c < 0x80) {
		tmp[0] = (char)c; n = 1;
	} else if (c < 0x800) {
		tmp[0] = (char)(0xC0 | (c >> 6)); tmp[1] = (char)(0x80 | (c & 0x3F)); n = 2;
	} else if (c < 0x10000) {
		tmp[0] = (char)(0xE0 | (c >> 12)); tmp[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		tmp[2] = (char)(0x80 | (c & 0x3F)); n = 3;
	} else {
		tmp[0] = (char)(0xF0 | (c >> 18)); tmp[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		tmp[2] = (char)(0x80 | ((c >> 6) & 0x3F)); tmp[3] = (char)(0x80 | (c & 0x3F)); n = 4;
	}
	sb_add(sb, tmp, n);
}

char *utf16le_to_utf8(const unsigned char *p, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	sb_grow(&sb, len);
	for (size_t i = 0; i + 1 < len; i += 2) {
		uint32_t c = p[i] | (p[i + 1] << 8);
		if (c == 0)
			break;
		if (c >= 0xD800 && c <= 0xDBFF) {
			if (i + 3 >= len)
				goto bad;
			uint32_t lo = p[i + 2] | (p[i + 3] << 8);
			if (lo < 0xDC00 || lo > 0xDFFF)
				goto bad;
			c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			goto bad;
		}
		sb_add_utf8(&sb, c);
	}
	return sb_detach(&sb);
bad:
	sb_release(&sb);
	return NULL;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

int wg_strcasecmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	while (*x && lower(*x) == lower(*y)) {
		x++;
		y++;
	}
	return lower(*x) - lower(*y);
}

bool wg_streq_nocase(const char *a, const char *b)
{
	return wg_strcasecmp(a, b) == 0;
}

int wg_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool wg_glob_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p == '?' || (*p && lower((unsigned char)*p) == lower((unsigned char)*s))) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

enum wg_err wg_err_from_errno(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		return WG_ERR_NO_SPACE;
	case EROFS:
	case EACCES:
	case EPERM:
		return WG_ERR_READ_ONLY;
	case ENOMEM:
		return WG_ERR_NOMEM;
	default:
		return WG_ERR_IO;
	}
}

enum wg_err read_fd(int fd, const char *name, size_t max, unsigned char **data, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	for (;;) {
		sb_grow(&sb, 65536);
		ssize_t n = read(fd, sb.buf + sb.len, 65536);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			wg_error("cannot read '%s': %s", name, strerror(errno));
			sb_release(&sb);
			return WG_ERR_IO;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		if (max && sb.len > max) {
			wg_error("'%s' is too large (over %zu bytes)", name, max);
			sb_release(&sb);
			return WG_ERR_TOO_LARGE;
		}
	}
	sb.buf[sb.len] = '\0';
	*len = sb.len;
	*data = (unsigned char *)sb_detach(&sb);
	return WG_OK;
}

enum wg_err read_file(const char *path, size_t max, unsigned char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		wg_error("cannot open '%s': %s", path, strerror(errno));
		return errno == ENOENT ? WG_ERR_NOT_FOUND : WG_ERR_IO;
	}
	enum wg_err ret = read_fd(fd, path, max, data, len);
	close(fd);
	return ret;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void wg_remove_tree(const char *path)
{
	/* depth first, links not followed (FTW_PHYS): a link to a folder goes, not what it names */
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

enum wg_err copy_fd(int in, const char *in_name, int out, const char *out_name)
{
	char buf[65536];
	for (;;) {
		ssize_t r = read(in, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			wg_error("cannot read '%s': %s", in_name, strerror(errno));
			return WG_ERR_IO;
		}
		if (r == 0)
			return WG_OK;
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(out, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				int e = errno;
				wg_error("cannot write '%s': %s", out_name, strerror(e));
				return wg_err_from_errno(e);
			}
			off += w;
		}
	}
}

void sha1_buffer(const void *data, size_t len, uint8_t digest[20])
{
	unsigned int n = 20;
	if (!EVP_Digest(data, len, digest, &n, EVP_sha1(), NULL))
		die_nomem();
}

enum wg_err sha1_fd(int fd, const char *name, uint8_t digest[20])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	enum wg_err ret = WG_OK;
	unsigned char buf[65536];
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha1(), NULL))
		die_nomem();
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			wg_error("cannot read '%s': %s", name, strerror(errno));
			ret = WG_ERR_IO;
			break;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	unsigned int len = 20;
	if (ret == WG_OK)
		EVP_DigestFinal_ex(ctx, digest, &len);
	EVP_MD_CTX_free(ctx);
	return ret;
}

enum wg_err sha1_file(const char *path, uint8_t digest[20])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		wg_error("cannot open '%s': %s", path, strerror(errno));
		return errno == ENOENT ? WG_ERR_NOT_FOUND : WG_ERR_IO;
	}
	enum wg_err ret = sha1_fd(fd, path, digest);
	close(fd);
	return ret;
}

void sha1_to_hex(const uint8_t digest[20], char hex[41])
{
	static const char x[] = "0123456789abcdef";
	for (int i = 0; i < 20; i++) {
		hex[2 * i] = x[digest[i] >> 4];
		hex[2 * i + 1] = x[digest[i] & 15];
	}
	hex[40] = '\0';
}

bool sha1_from_hex(const char *hex, uint8_t digest[20])
{
	if (!hex || strlen(hex) != 40)
		return false;
	for (int i = 0; i < 40; i++) {
		int c = (unsigned char)hex[i], v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return false;
		if (i % 2)
			digest[i / 2] = (uint8_t)(digest[i / 2] | v);
		else
			digest[i / 2] = (uint8_t)(v << 4);
	}
	return true;
}

bool sha1_is_zero(const uint8_t digest[20])
{
	for (int i = 0; i < 20; i++)
		if (digest[i])
			return false;
	return true;
}
