/*
 * wim_record.c - the recovery record of a WIM written in place: reader (strict, for
 * untrusted input) and writer. The layout is in doc/journal.md.
 */
#include "wim_record.h"

#include <string.h>

/* The fixed header of a WIM, always the first range. */
#define HEADER_LEN 208

struct cursor {
	const unsigned char *p, *end;
	unsigned line;
};

/* The next line (without its '\n') into buf; false when there is none or it is too long. */
static bool next_line(struct cursor *c, char *buf, size_t size)
{
	const unsigned char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (!nl || (size_t)(nl - c->p) >= size)
		return false;
	size_t n = (size_t)(nl - c->p);
	memcpy(buf, c->p, n);
	buf[n] = '\0';
	if (strlen(buf) != n)
		return false;   /* a NUL inside the line */
	c->p = nl + 1;
	c->line++;
	return true;
}

/* A decimal number without sign or leading zeros, ending at a space or the end; *s moves past it. */
static bool number(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t n = 0;
	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (*p != ' ' && *p != '\0')
		return false;
	*v = n;
	*s = *p == ' ' ? p + 1 : p;
	return true;
}

static bool word(const char **s, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(*s, w, n) || (*s)[n] != ' ')
		return false;
	*s += n + 1;
	return true;
}

static enum wg_err bad(const char *display, const struct cursor *c, const char *what)
{
	wg_error("%s: line %u: %s", display, c->line + 1, what);
	return WG_ERR_UNDO;
}

/* "range OFF LEN SHA1" lines up to "data". */
static enum wg_err parse_ranges(const char *display, struct cursor *c, struct wim_record *r,
				uint8_t sums[][20])
{
	char line[128];
	uint64_t total = 0;
	for (;;) {
		struct cursor at = *c;
		if (!next_line(c, line, sizeof(line)))
			return bad(display, &at, "expected 'range OFFSET LENGTH SHA1' or 'data'");
		if (!strcmp(line, "data"))
			break;
		const char *s = line;
		struct wim_range *g = &r->v[r->n];
		uint64_t prev_end = r->n ? r->v[r->n - 1].off + r->v[r->n - 1].len : 0;
		if (r->n == WIM_RECORD_MAX_RANGES)
			return bad(display, &at, "too many ranges");
		if (!word(&s, "range") || !number(&s, &g->off) || !number(&s, &g->len) ||
		    strlen(s) != 40 || !sha1_from_hex(s, sums[r->n]))
			return bad(display, &at, "expected 'range OFFSET LENGTH SHA1'");
		if (!g->len || g->off > r->size || g->len > r->size - g->off)
			return bad(display, &at, "the range is empty or outside the WIM's size");
		if (r->n ? g->off < prev_end : (g->off != 0 || g->len < HEADER_LEN))
			return bad(display, &at, r->n ? "the ranges overlap or are out of order"
						      : "the first range is not the WIM's header");
		if (g->len > WIM_RECORD_MAX_DATA - total)
			return bad(display, &at, "the ranges hold too much data");
		total += g->len;
		r->n++;
	}
	if (!r->n)
		return bad(display, c, "no range before 'data'");
	if ((uint64_t)(c->end - c->p) != total) {
		wg_error("%s: the data after line %u is %zu bytes; the ranges name %llu", display,
			 c->line, (size_t)(c->end - c->p), (unsigned long long)total);
		return WG_ERR_UNDO;
	}
	return WG_OK;
}

enum wg_err wim_record_parse(const char *display, const unsigned char *buf, size_t len,
			     struct wim_record *r)
{
	struct cursor c = { buf, buf + len, 0 };
	char line[128];
	uint64_t pid;
	uint8_t sums[WIM_RECORD_MAX_RANGES][20];
	memset(r, 0, sizeof(*r));
	struct cursor at = c;
	if (!next_line(&c, line, sizeof(line)) || strncmp(line, WIM_RECORD_MAGIC " ",
							     strlen(WIM_RECORD_MAGIC) + 1))
		return bad(display, &at, "not a wimgraft WIM record (version 1)");
	const char *s = line + strlen(WIM_RECORD_MAGIC) + 1;
	if (!number(&s, &pid) || *s || !pid || pid > 0x7fffffff)
		return bad(display, &at, "expected the writer's process id");
	r->pid = (long)pid;
	at = c;
	s = line;
	if (!next_line(&c, line, sizeof(line)) || !word(&s, "wim") || !number(&s, &r->size) ||
	    !number(&s, &r->dev) || !number(&s, &r->ino) || *s)
		return bad(display, &at, "expected 'wim SIZE DEVICE INODE'");
	enum wg_err ret = parse_ranges(display, &c, r, sums);
	if (ret)
		return ret;
	const unsigned char *p = c.p;
	for (size_t i = 0; i < r->n; i++) {
		uint8_t got[20];
		r->v[i].data = p;
		sha1_buffer(p, (size_t)r->v[i].len, got);
		if (memcmp(got, sums[i], 20)) {
			wg_error("%s: the saved bytes of range %zu do not have their SHA-1", display,
				 i + 1);
			return WG_ERR_UNDO;
		}
		p += r->v[i].len;
	}
	return WG_OK;
}

void wim_record_format(const struct wim_record *r, struct strbuf *out)
{
	sb_addf(out, WIM_RECORD_MAGIC " %ld\nwim %llu %llu %llu\n", r->pid,
		(unsigned long long)r->size, (unsigned long long)r->dev,
		(unsigned long long)r->ino);
	for (size_t i = 0; i < r->n; i++) {
		uint8_t sum[20];
		char hex[41];
		sha1_buffer(r->v[i].data, (size_t)r->v[i].len, sum);
		sha1_to_hex(sum, hex);
		sb_addf(out, "range %llu %llu %s\n", (unsigned long long)r->v[i].off,
			(unsigned long long)r->v[i].len, hex);
	}
	sb_addstr(out, "data\n");
	for (size_t i = 0; i < r->n; i++)
		sb_add(out, r->v[i].data, (size_t)r->v[i].len);
}
