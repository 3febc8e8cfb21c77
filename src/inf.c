/*
 * inf.c - read the [Version] section of a driver INF and encode the DRIVERS
 * hive's Version record from its ClassGuid and DriverVer.
 */
#include "inf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The INF as UTF-8 text: UTF-16LE with BOM is converted, a UTF-8 BOM dropped, ANSI kept as is. */
static char *inf_text(const unsigned char *data, size_t len)
{
	if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
		/* utf16le_to_utf8 stops at a NUL code unit, which an INF never holds. */
		return utf16le_to_utf8(data + 2, len - 2);
	}
	if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
		data += 3;
		len -= 3;
	}
	char *s = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		s[i] = data[i] ? (char)data[i] : ' ';
	s[len] = '\0';
	return s;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* Drop a ';' comment outside quotes, then surrounding blanks and quotes. */
static char *clean_value(char *s)
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
	s = trim(s);
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s[n - 1] = '\0';
		s++;
	}
	return s;
}

struct kv {
	char *section, *key, *value;
};

static void free_kvs(struct kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].section);
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

static const char *find_kv(const struct kv *kv, size_t n, const char *section, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (wg_streq_nocase(kv[i].section, section) && wg_streq_nocase(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

/* "%Msft%" -> the [Strings] entry Msft; a value without %...% is returned as is. */
static char *expand_strings(const struct kv *kv, size_t n, const char *v)
{
	size_t len = strlen(v);
	if (len >= 3 && v[0] == '%' && v[len - 1] == '%') {
		char *key = xstrndup(v + 1, len - 2);
		const char *s = find_kv(kv, n, "Strings", key);
		free(key);
		if (s)
			return xstrdup(s);
	}
	return xstrdup(v);
}

enum wg_err inf_parse_version(const unsigned char *data, size_t len, const char *name,
			      struct inf_version *out)
{
	memset(out, 0, sizeof(*out));
	char *text = inf_text(data, len);
	if (!text) {
		wg_error("'%s': not valid UTF-16 text", name);
		return WG_ERR_NOT_FOUND;
	}
	struct kv *kv = NULL;
	size_t nkv = 0, alloc = 0;
	char *section = xstrdup("");
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line);
		if (*l == '[') {
			char *end = strchr(l, ']');
			if (end) {
				free(section);
				section = xstrndup(l + 1, (size_t)(end - l - 1));
				char *t = trim(section);
				memmove(section, t, strlen(t) + 1);
			}
			continue;
		}
		if (*l == ';' || !*l)
			continue;
		char *eq = strchr(l, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (nkv == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			kv = xrealloc(kv, alloc * sizeof(*kv));
		}
		kv[nkv].section = xstrdup(section);
		kv[nkv].key = xstrdup(trim(l));
		kv[nkv].value = xstrdup(clean_value(eq + 1));
		nkv++;
	}
	free(section);

	const char *v;
	if ((v = find_kv(kv, nkv, "Version", "ClassGuid")))
		out->class_guid = xstrdup(v);
	if ((v = find_kv(kv, nkv, "Version", "DriverVer")))
		out->driver_ver = expand_strings(kv, nkv, v);
	if ((v = find_kv(kv, nkv, "Version", "Provider")))
		out->provider = expand_strings(kv, nkv, v);
	free_kvs(kv, nkv);
	free(text);
	return WG_OK;
}

void inf_version_release(struct inf_version *v)
{
	free(v->class_guid);
	free(v->driver_ver);
	free(v->provider);
	memset(v, 0, sizeof(*v));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* n hex digits at s -> *v. */
static int parse_hex(const char *s, int n, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		int h = hexval((unsigned char)s[i]);
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
