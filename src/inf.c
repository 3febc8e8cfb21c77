/*
 * inf.c - read a driver INF: its text in any of the encodings Windows accepts,
 * split into sections and logical lines, fields with quotes and %strings%, [Version].
 */
#include "inf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct inf_line {
	size_t section;           /* index in inf->sections */
	char *text;               /* comment and continuation removed, blanks trimmed */
	unsigned line;
};

struct inf {
	char *name;
	struct strvec sections;   /* names as written, one per [header] */
	struct inf_line *lines;
	size_t nlines;
	struct strvec skeys, svals;   /* [Strings] */
};

static enum wg_err fail(char **msg, const char *name, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum wg_err fail(char **msg, const char *name, unsigned line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (line)
		sb_addf(&sb, "'%s' line %u: %s", name, line, buf);
	else
		sb_addf(&sb, "'%s': %s", name, buf);
	if (msg) {
		free(*msg);
		*msg = sb_detach(&sb);
	}
	sb_release(&sb);
	return WG_ERR_INF;
}

/* The INF as UTF-8 text: UTF-16LE with BOM is converted, a UTF-8 BOM dropped, ANSI kept as is. */
static char *inf_text(const unsigned char *data, size_t len)
{
	if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
		if (len % 2)
			return NULL;
		/* utf16le_to_utf8 stops at a NUL code unit: one inside the text is refused. */
		for (size_t i = 2; i + 1 < len; i += 2)
			if (!data[i] && !data[i + 1])
				return NULL;
		return utf16le_to_utf8(data + 2, len - 2);
	}
	if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
		data += 3;
		len -= 3;
	}
	if (memchr(data, 0, len))
		return NULL;
	return xstrndup((const char *)data, len);
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static char *trim(char *s)
{
	while (is_blank((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && is_blank((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Cut a ';' comment outside quotes; false when a quote is left open. */
static bool cut_comment(char *s)
{
	bool quoted = false;
	for (char *p = s; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ';' && !quoted) {
			*p = '\0';
			break;
		}
	}
	return !quoted;
}

static void add_line(struct inf *inf, const char *text, unsigned line)
{
	inf->lines = xrealloc(inf->lines, (inf->nlines + 1) * sizeof(*inf->lines));
	inf->lines[inf->nlines++] = (struct inf_line){ inf->sections.n - 1, xstrdup(text), line };
}

/* A [section] header line; s starts with '['. */
static enum wg_err section_header(struct inf *inf, char *s, unsigned line, char **msg)
{
	char *end = strchr(s, ']');
	if (!end)
		return fail(msg, inf->name, line, "section name without a closing ']'");
	*end = '\0';
	if (*trim(end + 1))
		return fail(msg, inf->name, line, "text after the section name '[%s]'", s + 1);
	char *name = trim(s + 1);
	if (!*name || strchr(name, '['))
		return fail(msg, inf->name, line, "invalid section name '[%s]'", s + 1);
	sv_push(&inf->sections, name);
	return WG_OK;
}

/* Split the text into sections and logical lines (continuations joined). */
static enum wg_err split_lines(struct inf *inf, char *text, char **msg)
{
	struct strbuf logical = STRBUF_INIT;
	unsigned first = 0, lineno = 0;
	enum wg_err err = WG_OK;
	char *save = NULL;
	for (char *p = text; p && !err; p = save) {
		char *nl = strchr(p, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		if (!cut_comment(p)) {
			err = fail(msg, inf->name, lineno, "a quoted string is not closed");
			break;
		}
		char *l = trim(p);
		size_t n = strlen(l);
		bool more = n && l[n - 1] == '\\';
		if (more)
			l[--n] = '\0';
		if (!logical.len && !more && !*l)
			continue;
		if (!logical.len)
			first = lineno;
		sb_addstr(&logical, trim(l));
		if (more && save)
			continue;
		char *t = logical.buf ? logical.buf : "";
		if (*t == '[')
			err = section_header(inf, t, first, msg);
		else if (!inf->sections.n)
			err = fail(msg, inf->name, first, "text outside any section: '%.40s'", t);
		else if (*t)
			add_line(inf, t, first);
		sb_reset(&logical);
	}
	sb_release(&logical);
	return err;
}

static bool is_strings_section(const char *name)
{
	return wg_streq_nocase(name, "Strings");
}

static enum wg_err subst_field(const struct inf *inf, const char *s, size_t n, bool subst,
			       unsigned line, char **out, char **msg);

/* Offset of the first '=' outside quotes, or -1. */
static long find_eq(const char *s)
{
	bool quoted = false;
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '=' && !quoted)
			return p - s;
	}
	return -1;
}

static enum wg_err read_strings(struct inf *inf, char **msg)
{
	for (size_t i = 0; i < inf->nlines; i++) {
		const struct inf_line *l = &inf->lines[i];
		if (!is_strings_section(inf->sections.v[l->section]))
			continue;
		long eq = find_eq(l->text);
		if (eq < 0)
			return fail(msg, inf->name, l->line, "a [%s] line without '='",
				    inf->sections.v[l->section]);
		char *key = xstrndup(l->text, (size_t)eq);
		char *k, *v;
		subst_field(inf, key, strlen(key), false, l->line, &k, NULL);
		free(key);
		if (!*k) {
			free(k);
			return fail(msg, inf->name, l->line, "a string without a name");
		}
		sv_push_nodup(&inf->skeys, k);
		const char *val = l->text + eq + 1;
		subst_field(inf, val, strlen(val), false, l->line, &v, NULL);
		sv_push_nodup(&inf->svals, v);
	}
	return WG_OK;
}

enum wg_err inf_load(const unsigned char *data, size_t len, const char *name, struct inf **out,
		     char **msg)
{
	*out = NULL;
	if (len > INF_MAX_SIZE)
		return fail(msg, name, 0, "larger than %u bytes", INF_MAX_SIZE);
	char *text = inf_text(data, len);
	if (!text)
		return fail(msg, name, 0, "not text (a NUL character, or UTF-16 that does not decode)");
	struct inf *inf = xcalloc(1, sizeof(*inf));
	inf->name = xstrdup(name);
	enum wg_err err = split_lines(inf, text, msg);
	if (!err)
		err = read_strings(inf, msg);
	free(text);
	if (err) {
		inf_free(inf);
		return err;
	}
	*out = inf;
	return WG_OK;
}

void inf_free(struct inf *inf)
{
	if (!inf)
		return;
	for (size_t i = 0; i < inf->nlines; i++)
		free(inf->lines[i].text);
	free(inf->lines);
	sv_clear(&inf->sections);
	sv_clear(&inf->skeys);
	sv_clear(&inf->svals);
	free(inf->name);
	free(inf);
}

const char *inf_name(const struct inf *inf)
{
	return inf->name;
}

bool inf_has_section(const struct inf *inf, const char *section)
{
	for (size_t i = 0; i < inf->sections.n; i++)
		if (wg_streq_nocase(inf->sections.v[i], section))
			return true;
	return false;
}

static const char *lookup_string(const struct inf *inf, const char *key)
{
	for (size_t i = 0; i < inf->skeys.n; i++)
		if (wg_streq_nocase(inf->skeys.v[i], key))
			return inf->svals.v[i];
	return NULL;
}

/*
 * The field s[0..n): quotes removed, "" inside quotes kept as one ", blanks
 * outside quotes around it dropped; with subst, %key% replaced and %% kept as one %.
 */
static enum wg_err subst_field(const struct inf *inf, const char *s, size_t n, bool subst,
			       unsigned line, char **out, char **msg)
{
	struct strbuf sb = STRBUF_INIT;
	size_t keep = 0;
	bool quoted = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '"') {
			if (quoted && i + 1 < n && s[i + 1] == '"') {
				sb_addch(&sb, '"');
				i++;
			} else {
				quoted = !quoted;
			}
			keep = sb.len;
			continue;
		}
		if (c == '%' && subst) {
			size_t j = i + 1;
			while (j < n && s[j] != '%' && s[j] != '"')
				j++;
			if (j >= n || s[j] != '%') {
				sb_release(&sb);
				return fail(msg, inf->name, line, "a '%%' without its closing '%%' "
					    "(write %%%% for a percent sign)");
			}
			if (j == i + 1) {
				sb_addch(&sb, '%');
			} else {
				char *key = xstrndup(s + i + 1, j - i - 1);
				const char *v = lookup_string(inf, key);
				if (!v) {
					fail(msg, inf->name, line, "%%%s%% is not defined in [Strings]",
					     key);
					free(key);
					sb_release(&sb);
					return WG_ERR_INF;
				}
				free(key);
				sb_addstr(&sb, v);
			}
			i = j;
			keep = sb.len;
			continue;
		}
		if (!quoted && is_blank((unsigned char)c) && !sb.len)
			continue;
		sb_addch(&sb, c);
		if (quoted || !is_blank((unsigned char)c))
			keep = sb.len;
	}
	*out = xstrndup(sb.buf ? sb.buf : "", keep);
	sb_release(&sb);
	return WG_OK;
}

static enum wg_err parse_entry(const struct inf *inf, const struct inf_line *l,
			       struct inf_entry *e, char **msg)
{
	const char *t = l->text;
	long eq = find_eq(t);
	enum wg_err err = WG_OK;
	e->line = l->line;
	if (eq >= 0) {
		err = subst_field(inf, t, (size_t)eq, true, l->line, &e->key, msg);
		if (err)
			return err;
		t += eq + 1;
	}
	for (;;) {
		bool quoted = false;
		size_t n = 0;
		while (t[n] && (quoted || t[n] != ',')) {
			if (t[n] == '"')
				quoted = !quoted;
			n++;
		}
		char *f;
		err = subst_field(inf, t, n, true, l->line, &f, msg);
		if (err)
			return err;
		sv_push_nodup(&e->fields, f);
		if (!t[n])
			break;
		t += n + 1;
	}
	return WG_OK;
}

enum wg_err inf_section(const struct inf *inf, const char *section, struct inf_entries *out,
			char **msg)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < inf->nlines; i++) {
		const struct inf_line *l = &inf->lines[i];
		if (!wg_streq_nocase(inf->sections.v[l->section], section))
			continue;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		struct inf_entry *e = &out->v[out->n++];
		memset(e, 0, sizeof(*e));
		enum wg_err err = parse_entry(inf, l, e, msg);
		if (err) {
			inf_entries_release(out);
			return err;
		}
	}
	return WG_OK;
}

void inf_entries_release(struct inf_entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].key);
		sv_clear(&e->v[i].fields);
	}
	free(e->v);
	memset(e, 0, sizeof(*e));
}

bool inf_parse_number(const char *s, uint32_t *v)
{
	char *end;
	if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	unsigned long long n = strtoull(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
	if (errno || *end || end == s || n > UINT32_MAX)
		return false;
	*v = (uint32_t)n;
	return true;
}

static char *joined(const struct strvec *fields)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < fields->n; i++)
		sb_addf(&sb, "%s%s", i ? "," : "", fields->v[i]);
	return sb_detach(&sb);
}

enum wg_err inf_parse_version(const unsigned char *data, size_t len, const char *name,
			      struct inf_version *out)
{
	struct inf *inf;
	struct inf_entries e;
	char *msg = NULL;
	memset(out, 0, sizeof(*out));
	enum wg_err err = inf_load(data, len, name, &inf, &msg);
	if (!err) {
		err = inf_section(inf, "Version", &e, &msg);
		inf_free(inf);
	}
	if (err) {
		wg_error("%s", msg);
		free(msg);
		return err;
	}
	for (size_t i = 0; i < e.n; i++) {
		const struct inf_entry *x = &e.v[i];
		char **slot = NULL;
		if (!x->key)
			continue;
		if (wg_streq_nocase(x->key, "ClassGuid"))
			slot = &out->class_guid;
		else if (wg_streq_nocase(x->key, "DriverVer"))
			slot = &out->driver_ver;
		else if (wg_streq_nocase(x->key, "Provider"))
			slot = &out->provider;
		if (slot && !*slot)
			*slot = joined(&x->fields);
	}
	inf_entries_release(&e);
	return WG_OK;
}

void inf_version_release(struct inf_version *v)
{
	free(v->class_guid);
	free(v->driver_ver);
	free(v->provider);
	memset(v, 0, sizeof(*v));
}

/* n hex digits at s -> *v. */
static int parse_hex(const char *s, int n, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		int h = wg_hexval((unsigned char)s[i]);
		if (h < 0)
			return -1;
		*v = (*v << 4) | (uint32_t)h;
	}
	return 0;
}

int inf_parse_guid(const char *s, uint8_t out[16])
{
	/* {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} */
	if (strlen(s) != 38 || s[0] != '{' || s[37] != '}' || s[9] != '-' || s[14] != '-' ||
	    s[19] != '-' || s[24] != '-')
		return -1;
	uint32_t d1, d2, d3, b;
	if (parse_hex(s + 1, 8, &d1) || parse_hex(s + 10, 4, &d2) || parse_hex(s + 15, 4, &d3))
		return -1;
	out[0] = d1 & 0xFF; out[1] = (d1 >> 8) & 0xFF; out[2] = (d1 >> 16) & 0xFF; out[3] = d1 >> 24;
	out[4] = d2 & 0xFF; out[5] = d2 >> 8;
	out[6] = d3 & 0xFF; out[7] = d3 >> 8;
	static const int pos[8] = { 20, 22, 25, 27, 29, 31, 33, 35 };
	for (int i = 0; i < 8; i++) {
		if (parse_hex(s + pos[i], 2, &b))
			return -1;
		out[8 + i] = (uint8_t)b;
	}
	return 0;
}

/* Days from 1601-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_since_1601(int y, int m, int d)
{
	/* days from civil (Howard Hinnant), relative to 1970-01-01 */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t unix_days = era * 146097 + doe - 719468;
	return unix_days + 134774;  /* 1601-01-01 .. 1970-01-01 */
}

static int parse_uint(const char **p, unsigned long max, unsigned long *v)
{
	const char *s = *p;
	if (!isdigit((unsigned char)*s))
		return -1;
	*v = 0;
	while (isdigit((unsigned char)*s)) {
		*v = *v * 10 + (unsigned long)(*s - '0');
		if (*v > max)
			return -1;
		s++;
	}
	*p = s;
	return 0;
}

int inf_parse_driver_ver(const char *s, uint64_t *filetime, uint16_t version[4])
{
	unsigned long mo, d, y, w;
	const char *p = s;
	while (*p == ' ')
		p++;
	if (parse_uint(&p, 12, &mo) || *p++ != '/' || parse_uint(&p, 31, &d) || *p++ != '/' ||
	    parse_uint(&p, 9999, &y) || mo < 1 || d < 1 || y < 1601)
		return -1;
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > (unsigned long)mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return -1;
	while (*p == ' ')
		p++;
	if (*p++ != ',')
		return -1;
	while (*p == ' ')
		p++;
	for (int i = 0; i < 4; i++) {
		if (i && *p++ != '.')
			return -1;
		if (parse_uint(&p, 65535, &w))
			return -1;
		version[i] = (uint16_t)w;
	}
	while (*p == ' ')
		p++;
	if (*p)
		return -1;
	*filetime = (uint64_t)days_since_1601((int)y, (int)mo, (int)d) * 864000000000ULL;
	return 0;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xFF;
	p[1] = v >> 8;
}

int inf_version_record(const char *class_guid, const char *driver_ver,
		       uint8_t out[INF_VERSION_RECORD_SIZE])
{
	uint8_t guid[16];
	uint64_t ft;
	uint16_t ver[4];
	if (!class_guid || !driver_ver || inf_parse_guid(class_guid, guid) ||
	    inf_parse_driver_ver(driver_ver, &ft, ver))
		return -1;
	memset(out, 0, INF_VERSION_RECORD_SIZE);
	out[0] = 0xFF;
	out[1] = 0xFF;
	out[2] = 0x09;
	memcpy(out + 8, guid, 16);
	for (int i = 0; i < 8; i++)
		out[24 + i] = (uint8_t)(ft >> (8 * i));
	/* revision, build, minor, major */
	put_le16(out + 32, ver[3]);
	put_le16(out + 34, ver[2]);
	put_le16(out + 36, ver[1]);
	put_le16(out + 38, ver[0]);
	return 0;
}
