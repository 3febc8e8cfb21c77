/*
 * util.h - small helpers shared by every module: memory, growable strings,
 * UTF-8/UTF-16LE conversion, whole-file reads and SHA-1 digests.
 */
#ifndef WIMGRAFT_UTIL_H
#define WIMGRAFT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Abort with "fatal: out of memory" rather than return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte/character buffer, always NUL-terminated. */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};
#define STRBUF_INIT { NULL, 0, 0 }
void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const void *data, size_t len);
void sb_addstr(struct strbuf *sb, const char *s);
void sb_addch(struct strbuf *sb, int c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_reset(struct strbuf *sb);
char *sb_detach(struct strbuf *sb);
void sb_release(struct strbuf *sb);

/* A growable array of owned strings. */
struct strvec {
	char **v;
	size_t n;
	size_t alloc;
};
#define STRVEC_INIT { NULL, 0, 0 }
void sv_push(struct strvec *sv, const char *s);
void sv_push_nodup(struct strvec *sv, char *s);
void sv_clear(struct strvec *sv);

/*
 * UTF-8 -> UTF-16LE. Returns a new buffer; *out_len gets its size in bytes,
 * without a terminator (callers add the 2-byte NUL where the format needs it).
 * Returns NULL on invalid UTF-8.
 */
unsigned char *utf8_to_utf16le(const char *s, size_t len, size_t *out_len);
/* The same with a 2-byte NUL after the text, counted in *out_len (REG_SZ data). */
unsigned char *utf8_to_utf16z(const char *s, size_t len, size_t *out_len);
/* One UTF-8 sequence at s: its code point in *cp; the bytes it takes, 0 when invalid. */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* Append code point c as UTF-8. */
void sb_add_utf8(struct strbuf *sb, uint32_t c);
/* UTF-16LE -> UTF-8, stopping at the first NUL code unit. NULL on bad input. */
char *utf16le_to_utf8(const unsigned char *p, size_t len);

/* ASCII case-insensitive comparison, as Windows path and registry look-ups use. */
int wg_strcasecmp(const char *a, const char *b);
bool wg_streq_nocase(const char *a, const char *b);
/* The value of a hex digit (0-9, a-f, A-F), -1 for any other character. */
int wg_hexval(int c);
/* Glob with '*' and '?', ASCII case-insensitive, on one path component. */
bool wg_glob_match(const char *pattern, const char *name);

/* Read a whole file (up to max bytes, else WG_ERR_TOO_LARGE; 0 = no limit). Reports errors itself. */
enum wg_err read_file(const char *path, size_t max, unsigned char **data, size_t *len);
/* The same from an open descriptor; name is the file's name in messages. */
enum wg_err read_fd(int fd, const char *name, size_t max, unsigned char **data, size_t *len);
/* Remove path and, for a folder, all it holds; symbolic links are removed, never followed. */
void wg_remove_tree(const char *path);
/*
 * Copy everything from in (from its current position) to out, handling short
 * writes and EINTR; errors name in_name or out_name (ENOSPC -> WG_ERR_NO_SPACE).
 */
enum wg_err copy_fd(int in, const char *in_name, int out, const char *out_name);


/* SHA-1 (OpenSSL libcrypto). hex needs 41 bytes. */
void sha1_buffer(const void *data, size_t len, uint8_t digest[20]);
enum wg_err sha1_file(const char *path, uint8_t digest[20]);
enum wg_err sha1_fd(int fd, const char *name_for_errors, uint8_t digest[20]);
void sha1_to_hex(const uint8_t digest[20], char hex[41]);
/* 40 hex digits (either case) -> digest; false when s is not that. */
bool sha1_from_hex(const char *hex, uint8_t digest[20]);
bool sha1_is_zero(const uint8_t digest[20]);

/* Map errno of a failed write to WG_ERR_NO_SPACE / WG_ERR_READ_ONLY / WG_ERR_IO. */
enum wg_err wg_err_from_errno(int e);

#endif
