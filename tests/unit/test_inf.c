/*
 * test_inf.c - an INF's [Version] read in its three encodings, GUIDs and DriverVer dates
 * parsed (dates checked against libc's timegm), and the DRIVERS hive's 48-byte Version record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "inf.h"
#include "util.h"

/* Shaped like the network filter INF the lbfo manifest reads (its [Version] as PRODUCT.md gives it). */
static const char lbfo_inf[] =
	"; mslbfoprovider.inf - shaped like the real one, not a copy\r\n"
	"[version]\r\n"
	"Signature   = \"$Windows NT$\"\r\n"
	"Class       = NetService\r\n"
	"ClassGUID   = {4D36E974-E325-11CE-BFC1-08002BE10318}\r\n"
	"Provider    = %Msft%\r\n"
	"DriverVer   = 06/21/2006,10.0.20348.1\r\n"
	"PnpLockdown = 1\r\n"
	"\r\n"
	"[Manufacturer]\r\n"
	"%Msft% = MSFT,NTamd64\r\n"
	"\r\n"
	"[Strings]\r\n"
	"Msft = \"Microsoft\"\r\n"
	"lbfo_Desc = \"Microsoft Network Adapter Multiplexor Protocol\"\r\n";

/* The Version record a Windows install holds for that INF (PRODUCT.md). */
static const uint8_t lbfo_record[INF_VERSION_RECORD_SIZE] = {
	0xff, 0xff, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x74, 0xe9, 0x36, 0x4d, 0x25, 0xe3, 0xce, 0x11, 0xbf, 0xc1, 0x08, 0x00, 0x2b, 0xe1, 0x03, 0x18,
	0x00, 0x80, 0x8c, 0xa3, 0xc5, 0x94, 0xc6, 0x01,
	0x01, 0x00, 0x7c, 0x4f, 0x00, 0x00, 0x0a, 0x00,
	0, 0, 0, 0, 0, 0, 0, 0,
};

static void check_lbfo(const unsigned char *data, size_t len)
{
	struct inf_version v;
	assert_int_equal(inf_parse_version(data, len, "mslbfoprovider.inf", &v), WG_OK);
	assert_string_equal(v.class_guid, "{4D36E974-E325-11CE-BFC1-08002BE10318}");
	assert_string_equal(v.driver_ver, "06/21/2006,10.0.20348.1");
	assert_string_equal(v.provider, "Microsoft");
	uint8_t rec[INF_VERSION_RECORD_SIZE];
	assert_int_equal(inf_version_record(v.class_guid, v.driver_ver, rec), 0);
	assert_memory_equal(rec, lbfo_record, sizeof(rec));
	inf_version_release(&v);
	assert_null(v.class_guid);
}

static void test_version_encodings(void **state)
{
	(void)state;
	/* UTF-8, as written */
	check_lbfo((const unsigned char *)lbfo_inf, strlen(lbfo_inf));
	/* UTF-8 with a BOM */
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "\xef\xbb\xbf");
	sb_addstr(&sb, lbfo_inf);
	check_lbfo((const unsigned char *)sb.buf, sb.len);
	sb_release(&sb);
	/* UTF-16LE with a BOM, as Windows ships it */
	size_t n;
	unsigned char *u16 = utf8_to_utf16le(lbfo_inf, strlen(lbfo_inf), &n);
	assert_non_null(u16);
	unsigned char *bom = malloc(n + 2);
	bom[0] = 0xff;
	bom[1] = 0xfe;
	memcpy(bom + 2, u16, n);
	check_lbfo(bom, n + 2);
	free(bom);
	free(u16);
}

static void test_version_absent_fields(void **state)
{
	(void)state;
	static const char text[] =
		"[Version]\nSignature=\"$Windows NT$\"\nClass=Net\n[Other]\nDriverVer=01/01/2020,1.0.0.0\n";
	struct inf_version v;
	assert_int_equal(inf_parse_version((const unsigned char *)text, strlen(text), "x.inf", &v),
			 WG_OK);
	assert_null(v.class_guid);
	assert_null(v.driver_ver);   /* only [Version] counts */
	assert_null(v.provider);
	uint8_t rec[INF_VERSION_RECORD_SIZE];
	assert_int_equal(inf_version_record(v.class_guid, v.driver_ver, rec), -1);
	inf_version_release(&v);

	/* the first of a repeated key wins; keys ignore case */
	static const char twice[] =
		"[VERSION]\nclassguid={00000000-0000-0000-0000-000000000001}\n"
		"ClassGuid={00000000-0000-0000-0000-000000000002}\nPROVIDER=\"Contoso, Ltd\"\n";
	assert_int_equal(inf_parse_version((const unsigned char *)twice, strlen(twice), "x.inf", &v),
			 WG_OK);
	assert_string_equal(v.class_guid, "{00000000-0000-0000-0000-000000000001}");
	assert_string_equal(v.provider, "Contoso, Ltd");
	inf_version_release(&v);
}

static void test_version_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"Class=Net\n[Version]\n",                 /* text outside a section */
		"[Version\nClass=Net\n",                  /* unterminated section name */
		"[Version]\nProvider=%Nope%\n",           /* undefined %string% */
		"[Version]\nProvider=\"open\n",           /* unterminated quote */
	};
	wg_opt_quiet = 1;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct inf_version v;
		assert_int_equal(inf_parse_version((const unsigned char *)bad[i], strlen(bad[i]),
						   "bad.inf", &v), WG_ERR_INF);
	}
	wg_opt_quiet = 0;
}

static void test_guid(void **state)
{
	(void)state;
	uint8_t g[16];
	static const uint8_t want[16] = { 0x74, 0xe9, 0x36, 0x4d, 0x25, 0xe3, 0xce, 0x11,
					  0xbf, 0xc1, 0x08, 0x00, 0x2b, 0xe1, 0x03, 0x18 };
	assert_int_equal(inf_parse_guid("{4d36e974-e325-11ce-bfc1-08002be10318}", g), 0);
	assert_memory_equal(g, want, 16);
	assert_int_equal(inf_parse_guid("{4D36E974-E325-11CE-BFC1-08002BE10318}", g), 0);
	assert_memory_equal(g, want, 16);
	static const char *const bad[] = {
		"4d36e974-e325-11ce-bfc1-08002be10318",     /* no braces */
		"{4d36e974-e325-11ce-bfc1-08002be1031}",    /* short */
		"{4d36e974-e325-11ce-bfc1-08002be103181}",  /* long */
		"{4d36e974-e325-11ce-bfc108002be10318-}",   /* dash misplaced */
		"{4d36e97g-e325-11ce-bfc1-08002be10318}",   /* not hex */
		"{4d36e974-e325-11ce-bfc1-08002be1031 }",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(inf_parse_guid(bad[i], g), -1);
}

/* FILETIME of y-m-d 00:00 UTC by libc's calendar. */
static uint64_t filetime_by_libc(int y, int m, int d)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d };
	time_t t = timegm(&tm);
	return (uint64_t)((int64_t)t + 11644473600LL) * 10000000ULL;
}

static void test_driver_ver_dates(void **state)
{
	(void)state;
	static const int years[] = { 1601, 1900, 1970, 1999, 2000, 2004, 2006, 2023, 2100, 2400, 9999 };
	size_t checked = 0;
	for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++)
		for (int m = 1; m <= 12; m++) {
			static const int last[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
			int y = years[i];
			bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
			int days = last[m - 1] + (m == 2 && leap);
			for (int d = 1; d <= days; d += 13) {
				char s[64];
				uint64_t ft;
				uint16_t ver[4];
				snprintf(s, sizeof(s), "%02d/%02d/%04d,1.2.3.4", m, d, y);
				assert_int_equal(inf_parse_driver_ver(s, &ft, ver), 0);
				assert_true(ft == filetime_by_libc(y, m, d));
				checked++;
			}
			/* the month's last day too */
			char s[64];
			uint64_t ft;
			uint16_t ver[4];
			snprintf(s, sizeof(s), "%d/%d/%d,1.2.3.4", m, days, y);
			assert_int_equal(inf_parse_driver_ver(s, &ft, ver), 0);
			assert_true(ft == filetime_by_libc(y, m, days));
			/* and the day after it is refused */
			snprintf(s, sizeof(s), "%d/%d/%d,1.2.3.4", m, days + 1, y);
			assert_int_equal(inf_parse_driver_ver(s, &ft, ver), -1);
		}
	assert_int_equal(checked, 11 * 12 * 3);   /* days 1, 14 and 27 */
}

static void test_driver_ver_versions(void **state)
{
	(void)state;
	uint64_t ft;
	uint16_t v[4];
	assert_int_equal(inf_parse_driver_ver(" 06/21/2006 , 10.0.20348.1 ", &ft, v), 0);
	assert_int_equal(v[0], 10);
	assert_int_equal(v[1], 0);
	assert_int_equal(v[2], 20348);
	assert_int_equal(v[3], 1);
	assert_int_equal(inf_parse_driver_ver("1/1/2020,65535.65535.65535.65535", &ft, v), 0);
	assert_int_equal(v[0], 65535);
	static const char *const bad[] = {
		"06/21/2006",                 /* no version */
		"06/21/2006,10.0.20348",      /* three parts */
		"06/21/2006,10.0.20348.1.5",
		"06/21/2006,10.0.65536.1",    /* over 16 bits */
		"13/01/2006,1.0.0.0",
		"00/01/2006,1.0.0.0",
		"01/00/2006,1.0.0.0",
		"02/29/2100,1.0.0.0",         /* not a leap year */
		"12/31/1600,1.0.0.0",         /* before FILETIME's epoch */
		"06-21-2006,1.0.0.0",
		"06/21/2006;1.0.0.0",
		"06/21/2006,1.0.0.x",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (inf_parse_driver_ver(bad[i], &ft, v) != -1)
			fail_msg("'%s' accepted", bad[i]);
	uint8_t rec[INF_VERSION_RECORD_SIZE];
	assert_int_equal(inf_version_record("{4D36E974-E325-11CE-BFC1-08002BE10318}", "13/01/2006,1.0.0.0",
					    rec), -1);
	assert_int_equal(inf_version_record("{4D36E974}", "06/21/2006,10.0.20348.1", rec), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_encodings),
		cmocka_unit_test(test_version_absent_fields),
		cmocka_unit_test(test_version_refused),
		cmocka_unit_test(test_guid),
		cmocka_unit_test(test_driver_ver_dates),
		cmocka_unit_test(test_driver_ver_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
