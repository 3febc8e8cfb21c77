/*
 * regfile.c - the .reg parser (text -> struct reg_ops; no hivex, fuzzed) and the
 * REGEDIT5 writer (ops -> UTF-16LE text that 'reg import' and this parser read back).
 */
#include "regfile.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER5 "Windows Registry Editor Version 5.00"
#define HEADER4 "REGEDIT4"
#define MAX_KEY_COMPONENT 255     /* characters in one key name */
#define MAX_VALUE_NAME 16383      /* characters in a value name */

struct parser {
	const char *name;          /* the file, for messages and ops' origin */
	const char *text;          /* the whole file as UTF-8, no NUL inside */
	size_t len;
	size_t pos;                /* where the next line starts */
	unsigned lineno;           /* the current line */
	const char *line;          /* the current line, without its line end */
	size_t line_len;
	int version;               /* 4 (REGEDIT4) or 5 */
	char *err;                 /* the first error */
	struct reg_ops ops;
	char *key;                 /* the key of the current section, NULL before any */
	bool key_deleted;          /* the current section is a [-key] */
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	if (p->err)
		return -1;
	struct strbuf sb = STRBUF_INIT;
	char *msg;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	sb_addf(&sb, "'%s' line %u: %s", p->name, p->lineno, msg ? msg : "out of memory");
	free(msg);
	p->err = sb_detach(&sb);
	return -1;
}

/* ---- decoding: everything becomes UTF-8 before it is parsed ---- */

/* Windows-1252 bytes 0x80-0x9F; the rest of the code page is Latin-1. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static uint32_t cp1252(unsigned char b)
{
	return (b >= 0x80 && b < 0xA0) ? cp1252_high[b - 0x80] : b;
}

static int decode_utf16le(struct parser *p, const unsigned char *b, size_t len,
			  struct strbuf *out)
{
	if (len % 2) {
		p->lineno = 1;
		for (size_t i = 0; i + 1 < len; i += 2)
			if (b[i] == '\n' && !b[i + 1])
				p->lineno++;
		return fail(p, "the UTF-16 text ends in the middle of a character");
	}
	p->lineno = 1;
	for (size_t i = 0; i < len; i += 2) {
		uint32_t c = b[i] | (uint32_t)b[i + 1] << 8;
		if (c >= 0xD800 && c <= 0xDBFF) {
			uint32_t lo = i + 3 < len ? (b[i + 2] | (uint32_t)b[i + 3] << 8) : 0;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return fail(p, "invalid UTF-16 (an unpaired surrogate)");
			c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			return fail(p, "invalid UTF-16 (an unpaired surrogate)");
		} else if (c == 0) {
			return fail(p, "NUL character in the text");
		}
		if (c == '\n')
			p->lineno++;
		sb_add_utf8(out, c);
	}
	return 0;
}

/* Check UTF-8 (and the absence of NUL); with latin_fallback, re-read as Windows-1252. */
static int decode_8bit(struct parser *p, const unsigned char *b, size_t len, bool latin_fallback,
		       struct strbuf *out)
{
	p->lineno = 1;
	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t n = utf8_decode(b + i, len - i, &c);
		if (!n) {
			if (!latin_fallback)
				return fail(p, "invalid UTF-8 (save the file as UTF-8 or as UTF-16)");
			sb_reset(out);
			p->lineno = 1;
			for (size_t j = 0; j < len; j++) {
				if (!b[j])
					return fail(p, "NUL character in the text");
				if (b[j] == '\n')
					p->lineno++;
				sb_add_utf8(out, cp1252(b[j]));
			}
			return 0;
		}
		if (c == 0)
			return fail(p, "NUL character in the text");
		if (c == '\n')
			p->lineno++;
		sb_add(out, b + i, n);
		i += n;
	}
	return 0;
}

/* ---- lines and white space ---- */

static bool next_line(struct parser *p)
{
	if (p->pos >= p->len)
		return false;
	const char *start = p->text + p->pos;
	const char *nl = memchr(start, '\n', p->len - p->pos);
	size_t n = nl ? (size_t)(nl - start) : p->len - p->pos;
	p->pos += n + (nl ? 1 : 0);
	if (n && start[n - 1] == '\r')
		n--;
	p->line = start;
	p->line_len = n;
	p->lineno++;
	return true;
}

/*
 * Bytes of the white-space character at s, 0 if none: ASCII blanks and the
 * Unicode spaces that web pages put into pasted text (U+00A0, U+2000-U+200B,
 * U+202F, U+3000, and U+FEFF, a byte order mark left inside the text).
 */
static size_t ws_at(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	if (!n)
		return 0;
	if (u[0] == ' ' || u[0] == '\t' || u[0] == '\r' || u[0] == '\v' || u[0] == '\f')
		return 1;
	if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] <= 0x8B || u[2] == 0xAF))
		return 3;
	if (n >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;
	if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		return 3;
	return 0;
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	size_t w;
	while (i < n && (w = ws_at(s + i, n - i)))
		i += w;
	return i;
}

/* Length of s[0..n) once trailing white space is cut. */
static size_t trim_end(const char *s, size_t n)
{
	size_t end = 0;
	for (size_t i = 0; i < n;) {
		size_t w = ws_at(s + i, n - i);
		if (w) {
			i += w;
		} else {
			i++;
			end = i;
		}
	}
	return end;
}

/* Nothing but white space, or a ';' comment, from i on. */
static bool rest_is_empty(const char *s, size_t n, size_t i)
{
	i = skip_ws(s, n, i);
	return i == n || s[i] == ';';
}

static size_t count_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* A short quote of the text at s for messages. */
static char *excerpt(const char *s, size_t n)
{
	size_t m = 0, chars = 0;
	while (m < n && chars < 24) {
		m++;
		while (m < n && ((unsigned char)s[m] & 0xC0) == 0x80)
			m++;
		chars++;
	}
	return xasprintf("%.*s%s", (int)m, s, m < n ? "..." : "");
}

static bool has_prefix_nocase(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char a = s[i], b = prefix[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (char)(b + 32);
		if (a != b)
			return false;
	}
	return true;
}

/* ---- keys ---- */

static const char *const roots[] = {
	"HKEY_LOCAL_MACHINE", "HKLM", "HKEY_USERS", "HKU", "HKEY_CURRENT_USER", "HKCU",
	"HKEY_CLASSES_ROOT", "HKCR", "HKEY_CURRENT_CONFIG", "HKCC",
};

static int check_key_path(struct parser *p, const char *k, size_t n)
{
	if (!n)
		return fail(p, "empty key name in '[]'");
	if (k[0] == '\\')
		return fail(p, "the key name starts with '\\'");
	if (k[n - 1] == '\\')
		return fail(p, "the key name ends with '\\'");
	size_t start = 0;
	bool first = true;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && k[i] != '\\')
			continue;
		size_t clen = i - start;
		if (!clen)
			return fail(p, "empty key name between two '\\' in the key path");
		if (count_chars(k + start, clen) > MAX_KEY_COMPONENT)
			return fail(p, "key name longer than %d characters", MAX_KEY_COMPONENT);
		if (first) {
			bool known = false;
			for (size_t r = 0; r < ARRAY_SIZE(roots); r++)
				if (strlen(roots[r]) == clen && has_prefix_nocase(k + start, clen, roots[r]))
					known = true;
			if (!known)
				return fail(p, "unknown root key '%.*s' (expected HKEY_LOCAL_MACHINE, "
					    "HKEY_USERS, HKEY_CURRENT_USER, HKEY_CLASSES_ROOT, "
					    "HKEY_CURRENT_CONFIG or their short forms)", (int)clen, k + start);
			first = false;
		}
		start = i + 1;
	}
	return 0;
}

static int parse_key_line(struct parser *p, size_t i)
{
	const char *s = p->line;
	size_t n = trim_end(s, p->line_len);
	if (n <= i + 1 || s[n - 1] != ']') {
		/* say which: no ']' at all, or text after it */
		const char *close = memchr(s + i, ']', n - i);
		if (!close)
			return fail(p, "missing ']' at the end of the key line");
		return fail(p, "unexpected text after ']' on the key line");
	}
	bool del = s[i + 1] == '-';
	const char *k = s + i + 1 + (del ? 1 : 0);
	size_t klen = (size_t)(s + n - 1 - k);
	if (check_key_path(p, k, klen))
		return -1;
	free(p->key);
	p->key = xstrndup(k, klen);
	p->key_deleted = del;
	struct reg_op op = {
		.kind = del ? REG_OP_DELETE_KEY : REG_OP_KEY,
		.key = p->key,
		.origin = p->name,
		.line = p->lineno,
	};
	reg_ops_push(&p->ops, &op);
	return 0;
}

/* ---- values ---- */

/* A "quoted" string with \\ and \" escapes, starting at s[*i] == '"'. */
static int parse_quoted(struct parser *p, const char *what, size_t *i, struct strbuf *out)
{
	const char *s = p->line;
	size_t n = p->line_len;
	size_t j = *i + 1;
	for (; j < n; j++) {
		if (s[j] == '"') {
			*i = j + 1;
			return 0;
		}
		if (s[j] == '\\') {
			if (j + 1 < n && (s[j + 1] == '\\' || s[j + 1] == '"')) {
				sb_addch(out, s[++j]);
				continue;
			}
			if (j + 1 >= n)
				return fail(p, "missing '\"' at the end of the %s", what);
			char *e = excerpt(s + j, n - j > 2 ? 2 : n - j);
			fail(p, "unknown escape '%s' in the %s (write '\\\\' for a backslash)", e, what);
			free(e);
			return -1;
		}
		sb_addch(out, s[j]);
	}
	return fail(p, "missing '\"' at the end of the %s", what);
}

/* ANSI (Windows-1252) string bytes of a REGEDIT4 hex(1)/hex(2)/hex(7) value, as UTF-16LE. */
static void ansi_to_utf16(struct strbuf *data)
{
	struct strbuf w = STRBUF_INIT;
	for (size_t i = 0; i < data->len; i++) {
		uint32_t c = cp1252((unsigned char)data->buf[i]);
		sb_addch(&w, (int)(c & 0xFF));
		sb_addch(&w, (int)(c >> 8));
	}
	sb_release(data);
	*data = w;
}

/*
 * Hex bytes "xx,xx,..." from s[i] on, continued over lines by a trailing '\'.
 * Bytes are one or two hex digits; a ';' ends the data on that line.
 */
static int parse_hex_bytes(struct parser *p, size_t i, struct strbuf *out)
{
	const char *s = p->line;
	size_t n = p->line_len;
	bool need_byte = false;    /* after ',' or '\' */
	bool after_byte = false;   /* a byte was just read */
	for (;;) {
		i = skip_ws(s, n, i);
		if (i == n || s[i] == ';') {
			if (need_byte)
				return fail(p, "expected a hex byte after ','");
			return 0;
		}
		char c = s[i];
		if (c == '\\') {
			if (skip_ws(s, n, i + 1) != n)
				return fail(p, "unexpected text after the '\\' that continues the line");
			unsigned from = p->lineno;
			if (!next_line(p))
				return fail(p, "the file ends after the '\\' that continues line %u", from);
			s = p->line;
			n = p->line_len;
			i = skip_ws(s, n, 0);
			if (i == n)
				return fail(p, "expected hex bytes continuing line %u", from);
			need_byte = true;
			after_byte = false;
			continue;
		}
		if (c == ',') {
			if (!after_byte)
				return fail(p, "expected a hex byte before ','");
			need_byte = true;
			after_byte = false;
			i++;
			continue;
		}
		int hi = wg_hexval((unsigned char)c);
		if (hi < 0) {
			char *e = excerpt(s + i, n - i);
			fail(p, "unexpected '%s' in hex data (expected bytes like 0a,1f)", e);
			free(e);
			return -1;
		}
		if (after_byte)
			return fail(p, "expected ',' between hex bytes");
		int v = hi;
		i++;
		if (i < n && wg_hexval((unsigned char)s[i]) >= 0) {
			v = v * 16 + wg_hexval((unsigned char)s[i]);
			i++;
			if (i < n && wg_hexval((unsigned char)s[i]) >= 0)
				return fail(p, "expected at most two hex digits per byte");
		}
		if (out->len >= REGFILE_MAX_DATA)
			return fail(p, "value data longer than %d bytes", REGFILE_MAX_DATA);
		sb_addch(out, v);
		need_byte = false;
		after_byte = true;
	}
}

/* A quoted string's data at s[i] (REG_SZ, stored as UTF-16LE). */
static int parse_string_data(struct parser *p, size_t i, struct reg_op *op)
{
	struct strbuf data = STRBUF_INIT;
	int ret = -1;
	if (parse_quoted(p, "string", &i, &data))
		goto out;
	if (!rest_is_empty(p->line, p->line_len, i)) {
		fail(p, "unexpected text after the closing '\"' of the string");
		goto out;
	}
	op->type = REG_SZ;
	op->data = utf8_to_utf16z(data.buf ? data.buf : "", data.len, &op->len);
	if (!op->data) {
		fail(p, "invalid UTF-8 in the string");
		goto out;
	}
	ret = 0;
out:
	sb_release(&data);
	return ret;
}

/* 'dword:' and 1 to 8 hex digits at s[i]. */
static int parse_dword(struct parser *p, size_t i, struct reg_op *op)
{
	const char *s = p->line;
	size_t n = p->line_len;
	uint32_t v = 0;
	size_t digits = 0;
	i += 6;
	while (i < n && wg_hexval((unsigned char)s[i]) >= 0) {
		v = (v << 4) | (uint32_t)wg_hexval((unsigned char)s[i]);
		digits++;
		i++;
	}
	if (!digits || digits > 8 || !rest_is_empty(s, n, i)) {
		fail(p, "expected 1 to 8 hex digits after 'dword:'");
		return -1;
	}
	op->type = REG_DWORD;
	op->len = 4;
	op->data = xmalloc(4);
	op->data[0] = v & 0xFF;
	op->data[1] = (v >> 8) & 0xFF;
	op->data[2] = (v >> 16) & 0xFF;
	op->data[3] = v >> 24;
	return 0;
}

/* 'hex:' or 'hex(N):' and bytes at s[i], possibly continued over lines from first_line. */
static int parse_hex_data(struct parser *p, size_t i, unsigned first_line, struct reg_op *op)
{
	const char *s = p->line;
	size_t n = p->line_len;
	struct strbuf data = STRBUF_INIT;
	uint32_t type = REG_BINARY;
	int ret = -1;
	if (s[i + 3] == '(') {
		i += 4;
		size_t digits = 0;
		type = 0;
		while (i < n && wg_hexval((unsigned char)s[i]) >= 0) {
			type = (type << 4) | (uint32_t)wg_hexval((unsigned char)s[i]);
			digits++;
			i++;
		}
		if (!digits || digits > 8 || i == n || s[i] != ')') {
			fail(p, "expected a type of 1 to 8 hex digits and ')' after 'hex('");
			goto out;
		}
		i++;
		if (i == n || s[i] != ':') {
			fail(p, "expected ':' after 'hex(%x)'", type);
			goto out;
		}
		i++;
	} else {
		i += 4;
	}
	if (parse_hex_bytes(p, i, &data))
		goto out;
	bool text_type = type == REG_SZ || type == REG_EXPAND_SZ || type == REG_MULTI_SZ;
	if (text_type && p->version == 4) {
		ansi_to_utf16(&data);
	} else if (text_type && data.len % 2) {
		p->lineno = first_line;
		fail(p, "odd number of bytes in hex(%x) data (%s is UTF-16LE text)", type,
		     reg_type_name(type));
		goto out;
	}
	op->type = type;
	op->len = data.len;
	op->data = xmalloc(data.len ? data.len : 1);
	if (data.len)
		memcpy(op->data, data.buf, data.len);
	ret = 0;
out:
	sb_release(&data);
	return ret;
}

/* What follows '=' at s[i]: '-' (delete), a string, dword: or hex data. */
static int parse_data(struct parser *p, size_t i, unsigned first_line, struct reg_op *op)
{
	const char *s = p->line;
	size_t n = p->line_len;
	if (s[i] == '-') {
		if (!rest_is_empty(s, n, i + 1)) {
			fail(p, "unexpected text after '=-'");
			return -1;
		}
		op->kind = REG_OP_DELETE_VALUE;
		return 0;
	}
	if (s[i] == '"')
		return parse_string_data(p, i, op);
	if (has_prefix_nocase(s + i, n - i, "dword:"))
		return parse_dword(p, i, op);
	if (has_prefix_nocase(s + i, n - i, "hex:") || has_prefix_nocase(s + i, n - i, "hex("))
		return parse_hex_data(p, i, first_line, op);
	char *e = excerpt(s + i, n - i);
	fail(p, "unexpected '%s' after '=' (expected a quoted string, dword:, hex:, "
	     "hex(N): or -)", e);
	free(e);
	return -1;
}

static int parse_value_line(struct parser *p, size_t i)
{
	const char *s = p->line;
	size_t n = p->line_len;
	unsigned first_line = p->lineno;
	struct strbuf name = STRBUF_INIT;
	struct reg_op op = { .kind = REG_OP_SET_VALUE, .origin = p->name, .line = first_line };
	int ret = -1;

	if (!p->key) {
		fail(p, "value outside of a key (a '[KEY]' line must come first)");
		goto out;
	}
	if (p->key_deleted) {
		fail(p, "value under a '[-KEY]' line, which deletes that key");
		goto out;
	}
	if (s[i] == '@') {
		i++;
	} else {
		if (parse_quoted(p, "value name", &i, &name))
			goto out;
		if (count_chars(name.buf ? name.buf : "", name.len) > MAX_VALUE_NAME) {
			fail(p, "value name longer than %d characters", MAX_VALUE_NAME);
			goto out;
		}
	}
	i = skip_ws(s, n, i);
	if (i == n || s[i] != '=') {
		fail(p, "expected '=' after the value name");
		goto out;
	}
	i = skip_ws(s, n, i + 1);
	if (i == n) {
		fail(p, "expected the value's data after '='");
		goto out;
	}
	if (parse_data(p, i, first_line, &op))
		goto out;
	op.key = p->key;
	op.name = name.buf ? name.buf : "";
	reg_ops_push(&p->ops, &op);
	ret = 0;
out:
	free(op.data);
	sb_release(&name);
	return ret;
}

/* ---- the file ---- */

static int parse_header(struct parser *p)
{
	while (next_line(p)) {
		size_t i = skip_ws(p->line, p->line_len, 0);
		if (i == p->line_len)
			continue;
		size_t n = trim_end(p->line, p->line_len);
		const char *h = p->line + i;
		size_t hl = n - i;
		if (hl == strlen(HEADER5) && !memcmp(h, HEADER5, hl)) {
			p->version = 5;
			return 0;
		}
		if (hl == strlen(HEADER4) && !memcmp(h, HEADER4, hl)) {
			p->version = 4;
			return 0;
		}
		break;
	}
	if (!p->lineno)
		p->lineno = 1;
	return fail(p, "expected the header '" HEADER5 "' or '" HEADER4 "'");
}

static int parse_body(struct parser *p)
{
	while (next_line(p)) {
		size_t i = skip_ws(p->line, p->line_len, 0);
		if (i == p->line_len || p->line[i] == ';')
			continue;
		int r;
		if (p->line[i] == '[') {
			r = parse_key_line(p, i);
		} else if (p->line[i] == '"' || p->line[i] == '@') {
			r = parse_value_line(p, i);
		} else {
			char *e = excerpt(p->line + i, p->line_len - i);
			r = fail(p, "unexpected '%s' (expected '[KEY]', a value line or a ';' comment)", e);
			free(e);
		}
		if (r)
			return r;
	}
	return 0;
}

/* Is the 8-bit text (after any UTF-8 BOM) a REGEDIT4 file? Only its first line counts. */
static bool looks_regedit4(const unsigned char *b, size_t len)
{
	size_t i = 0;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
		i++;
	return len - i >= strlen(HEADER4) && !memcmp(b + i, HEADER4, strlen(HEADER4));
}

enum wg_err regfile_parse_msg(const char *name, const unsigned char *buf, size_t len,
			      struct reg_ops *out, char **errmsg)
{
	struct parser p = { .name = name };
	struct strbuf text = STRBUF_INIT;
	int r;

	if (errmsg)
		*errmsg = NULL;
	if (len >= 2 && buf[0] == 0xFF && buf[1] == 0xFE) {
		r = decode_utf16le(&p, buf + 2, len - 2, &text);
	} else if (len >= 2 && buf[0] == 0xFE && buf[1] == 0xFF) {
		p.lineno = 1;
		r = fail(&p, "UTF-16 big-endian text is not supported (save it as UTF-16LE or UTF-8)");
	} else if (len >= 2 && buf[0] && !buf[1]) {
		/* UTF-16LE without a byte order mark: an ASCII first character, then 0 */
		r = decode_utf16le(&p, buf, len, &text);
	} else if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) {
		r = decode_8bit(&p, buf + 3, len - 3, looks_regedit4(buf + 3, len - 3), &text);
	} else {
		r = decode_8bit(&p, buf, len, looks_regedit4(buf, len), &text);
	}
	if (r)
		goto out;
	p.text = text.buf ? text.buf : "";
	p.len = text.len;
	p.pos = 0;
	p.lineno = 0;
	r = parse_header(&p);
	if (!r)
		r = parse_body(&p);
out:
	if (r) {
		if (errmsg)
			*errmsg = p.err;
		else
			free(p.err);
		reg_ops_release(&p.ops);
	} else {
		for (size_t i = 0; i < p.ops.n; i++)
			reg_ops_push(out, &p.ops.v[i]);
		reg_ops_release(&p.ops);
	}
	free(p.key);
	sb_release(&text);
	return r ? WG_ERR_REG_SYNTAX : WG_OK;
}

enum wg_err regfile_parse(const char *name, const unsigned char *buf, size_t len,
			  struct reg_ops *out)
{
	char *msg;
	enum wg_err err = regfile_parse_msg(name, buf, len, out, &msg);
	if (err)
		wg_error("%s", msg ? msg : "malformed registry file");
	free(msg);
	return err;
}

enum wg_err regfile_load(const char *path, struct reg_ops *out)
{
	unsigned char *buf;
	size_t len;
	enum wg_err err = read_file(path, 64u << 20, &buf, &len);
	if (err)
		return err;
	err = regfile_parse(path, buf, len, out);
	free(buf);
	return err;
}

/* ---- the writer ---- */

static void add_quoted(struct strbuf *sb, const char *s)
{
	sb_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			sb_addch(sb, '\\');
		sb_addch(sb, *s);
	}
	sb_addch(sb, '"');
}

/* The UTF-8 text of REG_SZ data when a quoted string gives back exactly these bytes. */
static char *sz_as_text(const unsigned char *d, size_t len)
{
	if (len < 2 || len % 2 || d[len - 1] || d[len - 2])
		return NULL;
	for (size_t i = 0; i + 2 < len; i += 2)
		if (!d[i] && !d[i + 1])
			return NULL;
	char *t = utf16le_to_utf8(d, len);
	if (!t)
		return NULL;
	if (strpbrk(t, "\r\n")) {
		free(t);
		return NULL;
	}
	/* the text must convert back to the same code units */
	size_t back_len;
	unsigned char *back = utf8_to_utf16z(t, strlen(t), &back_len);
	bool same = back && back_len == len && !memcmp(back, d, len);
	free(back);
	if (!same) {
		free(t);
		return NULL;
	}
	return t;
}

static size_t line_col(const struct strbuf *sb)
{
	size_t start = sb->len;
	while (start && sb->buf[start - 1] != '\n')
		start--;
	return count_chars(sb->buf + start, sb->len - start);
}

static void add_hex(struct strbuf *sb, uint32_t type, const unsigned char *d, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	if (type == REG_BINARY)
		sb_addstr(sb, "hex:");
	else
		sb_addf(sb, "hex(%x):", type);
	size_t col = line_col(sb);
	for (size_t i = 0; i < len; i++) {
		sb_addch(sb, digits[d[i] >> 4]);
		sb_addch(sb, digits[d[i] & 15]);
		col += 2;
		if (i + 1 < len) {
			sb_addch(sb, ',');
			col++;
			if (col > 76) {
				sb_addstr(sb, "\\\r\n  ");
				col = 2;
			}
		}
	}
}

static bool has_line_break(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

enum wg_err regfile_write_regedit5(const struct reg_ops *ops, struct strbuf *out)
{
	struct strbuf t = STRBUF_INIT;
	const char *cur = NULL;
	enum wg_err err = WG_OK;

	sb_addstr(&t, HEADER5 "\r\n");
	for (size_t i = 0; i < ops->n; i++) {
		const struct reg_op *op = &ops->v[i];
		if (has_line_break(op->key) || has_line_break(op->name)) {
			wg_error("'%s': a name with a line break cannot be written to a .reg file",
				 op->key);
			err = WG_ERR_REG_SYNTAX;
			goto out;
		}
		switch (op->kind) {
		case REG_OP_KEY:
			sb_addf(&t, "\r\n[%s]\r\n", op->key);
			cur = op->key;
			continue;
		case REG_OP_DELETE_KEY:
			sb_addf(&t, "\r\n[-%s]\r\n", op->key);
			cur = NULL;
			continue;
		case REG_OP_SET_VALUE:
		case REG_OP_DELETE_VALUE:
			break;
		}
		if (!cur || strcmp(cur, op->key)) {
			sb_addf(&t, "\r\n[%s]\r\n", op->key);
			cur = op->key;
		}
		if (!op->name || !*op->name)
			sb_addch(&t, '@');
		else
			add_quoted(&t, op->name);
		sb_addch(&t, '=');
		char *text;
		if (op->kind == REG_OP_DELETE_VALUE) {
			sb_addch(&t, '-');
		} else if (op->type == REG_SZ && (text = sz_as_text(op->data, op->len))) {
			add_quoted(&t, text);
			free(text);
		} else if (op->type == REG_DWORD && op->len == 4) {
			uint32_t v = op->data[0] | (uint32_t)op->data[1] << 8 |
				     (uint32_t)op->data[2] << 16 | (uint32_t)op->data[3] << 24;
			sb_addf(&t, "dword:%08x", v);
		} else {
			add_hex(&t, op->type, op->data, op->len);
		}
		sb_addstr(&t, "\r\n");
	}
	sb_addstr(&t, "\r\n");

	size_t wlen;
	unsigned char *w = utf8_to_utf16le(t.buf, t.len, &wlen);
	if (!w) {
		wg_error("invalid UTF-8 in a key or value name");
		err = WG_ERR_REG_SYNTAX;
		goto out;
	}
	sb_add(out, "\xFF\xFE", 2);
	sb_add(out, w, wlen);
	free(w);
out:
	sb_release(&t);
	return err;
}
