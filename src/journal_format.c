/*
 * journal_format.c - the intent journal's text: one line per step, written as
 * steps are recorded, read back as untrusted input (every field checked).
 */
#include "journal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 8192
#define MAX_STEPS 1000000

static const char *const kind_names[] = {
	[JSTEP_WRITE] = "write", [JSTEP_REMOVE] = "remove", [JSTEP_MKDIR] = "mkdir",
	[JSTEP_RMDIR] = "rmdir", [JSTEP_PROBE] = "probe",
};

/* Bytes that would split a field or a line, and '%', as %XX. */
static void add_escaped(struct strbuf *sb, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '%')
			sb_addf(sb, "%%%02X", *p);
		else
			sb_addch(sb, *p);
	}
}

static void add_identity(struct strbuf *sb, bool has, uint64_t size, const uint8_t sha1[20])
{
	char hex[41];
	if (!has) {
		sb_addstr(sb, " - -");
		return;
	}
	sha1_to_hex(sha1, hex);
	sb_addf(sb, " %llu %s", (unsigned long long)size, hex);
}

void journal_format_step(const struct jstep *s, struct strbuf *sb)
{
	sb_addf(sb, "%s %lu ", kind_names[s->kind], s->n);
	add_escaped(sb, s->path);
	if (s->kind == JSTEP_WRITE || s->kind == JSTEP_REMOVE)
		add_identity(sb, s->has_old, s->old_size, s->old_sha1);
	if (s->kind == JSTEP_WRITE)
		add_identity(sb, s->has_new, s->new_size, s->new_sha1);
	sb_addch(sb, '\n');
}

/* Unescape a path field; refuse what could name something outside the image. */
static char *parse_path(const char *f)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = f; *p; p++) {
		if (*p != '%') {
			sb_addch(&sb, *p);
			continue;
		}
		int hi = wg_hexval((unsigned char)p[1]);
		int lo = hi < 0 ? -1 : wg_hexval((unsigned char)p[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			goto bad;
		sb_addch(&sb, hi * 16 + lo);
		p += 2;
	}
	if (!sb.len || sb.buf[0] == '/' || sb.buf[0] == '\\')
		goto bad;
	/* no empty, "." or ".." component, whichever separator */
	for (const char *c = sb.buf; c;) {
		size_t n = strcspn(c, "/\\");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			goto bad;
		c = c[n] ? c + n + 1 : NULL;
	}
	return sb_detach(&sb);
bad:
	sb_release(&sb);
	return NULL;
}

static bool parse_ulong(const char *f, unsigned long long max, unsigned long long *out)
{
	char *end;
	if (!*f || *f == '-' || *f == '+' || (*f == '0' && f[1]))
		return false;
	errno = 0;
	unsigned long long v = strtoull(f, &end, 10);
	if (*end || errno || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_identity(char **f, bool *has, uint64_t *size, uint8_t sha1[20])
{
	unsigned long long v;
	if (!strcmp(f[0], "-") && !strcmp(f[1], "-")) {
		*has = false;
		return true;
	}
	if (!parse_ulong(f[0], UINT64_MAX, &v) || strlen(f[1]) != 40 || !sha1_from_hex(f[1], sha1))
		return false;
	*has = true;
	*size = v;
	return true;
}

/* Split a line at single spaces into at most max fields; false on empty fields. */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;
	for (char *p = line;;) {
		if (n == max)
			return max + 1;
		f[n++] = p;
		char *sp = strchr(p, ' ');
		if (!sp)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!*f[i])
			return 0;
	return n;
}

static bool parse_step(char *line, struct jstep *s)
{
	char *f[8];
	size_t n = split(line, f, 7);
	unsigned long long num;
	memset(s, 0, sizeof(*s));
	if (n < 3 || n > 7)
		return false;
	size_t k;
	for (k = 0; k < ARRAY_SIZE(kind_names); k++)
		if (!strcmp(f[0], kind_names[k]))
			break;
	if (k == ARRAY_SIZE(kind_names))
		return false;
	s->kind = (enum jstep_kind)k;
	size_t want = s->kind == JSTEP_WRITE ? 7 : s->kind == JSTEP_REMOVE ? 5 : 3;
	if (n != want || !parse_ulong(f[1], MAX_STEPS, &num))
		return false;
	s->n = (unsigned long)num;
	if ((s->kind == JSTEP_WRITE || s->kind == JSTEP_REMOVE) &&
	    !parse_identity(f + 3, &s->has_old, &s->old_size, s->old_sha1))
		return false;
	if (s->kind == JSTEP_REMOVE && !s->has_old)
		return false;
	if (s->kind == JSTEP_WRITE && !parse_identity(f + 5, &s->has_new, &s->new_size, s->new_sha1))
		return false;
	s->path = parse_path(f[2]);
	return s->path != NULL;
}

/* "wimgraft-journal 1 <pid> <command>" */
static bool parse_header(char *line, struct jsteps *out)
{
	size_t m = strlen(JOURNAL_MAGIC);
	unsigned long long pid;
	if (strncmp(line, JOURNAL_MAGIC " ", m + 1))
		return false;
	char *f[3];
	if (split(line + m + 1, f, 2) != 2 || !parse_ulong(f[0], 0x7fffffff, &pid))
		return false;
	for (const char *c = f[1]; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || *c == '-'))
			return false;
	out->pid = (long)pid;
	out->command = xstrdup(f[1]);
	return true;
}

enum wg_err journal_parse(const char *display, const char *text, size_t len, struct jsteps *out)
{
	memset(out, 0, sizeof(*out));
	size_t lineno = 0, pos = 0;
	const char *why = NULL;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		if (!nl)
			break;   /* a step whose line was cut short never started */
		size_t n = (size_t)(nl - (text + pos));
		lineno++;
		if (n > MAX_LINE || memchr(text + pos, '\0', n)) {
			why = "a line is too long or holds a NUL byte";
			goto bad;
		}
		char *line = xstrndup(text + pos, n);
		pos += n + 1;
		bool ok;
		if (lineno == 1) {
			ok = parse_header(line, out);
		} else if (out->committed) {
			ok = false;   /* nothing may follow the completion mark */
		} else if (!strcmp(line, "commit")) {
			ok = out->committed = true;
		} else if (out->n >= MAX_STEPS) {
			ok = false;
		} else {
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			ok = parse_step(line, &out->v[out->n]);
			if (ok)
				out->n++;
			else
				free(out->v[out->n].path);
		}
		free(line);
		if (!ok) {
			why = lineno == 1 ? "it does not start with '" JOURNAL_MAGIC "'" : NULL;
			goto bad;
		}
	}
	return WG_OK;   /* no complete line at all: killed before the first step */
bad:
	if (why)
		wg_error("%s is not a valid journal: %s", display, why);
	else
		wg_error("%s is not a valid journal: line %zu is malformed", display, lineno);
	jsteps_release(out);
	return WG_ERR_UNDO;
}

void jsteps_release(struct jsteps *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	free(s->command);
	memset(s, 0, sizeof(*s));
}
