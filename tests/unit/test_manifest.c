/*
 * test_manifest.c - the manifest loader (schema, parameters, references, value
 * data, paths), ${...} substitution, the INF reader and the DRIVERS Version record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <cmocka.h>

#include "inf.h"
#include "manifest.h"
#include "regfile.h"
#include "resolve.h"
#include "source.h"
#include "subst.h"

static char top[PATH_MAX];   /* the checkout: the folder holding manifests/ */

/* Walk up from the test binary to the checkout, so the schema is found from any cwd. */
static int find_top(void **state)
{
	(void)state;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (char *s = strrchr(exe, '/'); s; s = strrchr(exe, '/')) {
		*s = '\0';
		char probe[PATH_MAX + 64];
		snprintf(probe, sizeof(probe), "%s/manifests/%s", exe, MANIFEST_SCHEMA_FILE);
		if (access(probe, R_OK) == 0) {
			snprintf(top, sizeof(top), "%s", exe);
			char dir[PATH_MAX + 16];
			snprintf(dir, sizeof(dir), "%s/manifests", top);
			setenv("WIMGRAFT_MANIFEST_DIR", dir, 1);
			return 0;
		}
	}
	return -1;
}

/* ---------- helpers ---------- */

static char errbuf[8192];

/* Parse text as 't.xml' with -D params; stderr goes to errbuf. */
static enum wg_err parse(const char *text, const char *const *params, struct manifest **m)
{
	struct strvec sv = STRVEC_INIT;
	for (size_t i = 0; params && params[i]; i++)
		sv_push(&sv, params[i]);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	FILE *tmp = tmpfile();
	dup2(fileno(tmp), STDERR_FILENO);
	enum wg_err err = manifest_parse_buffer(text, strlen(text), "t.xml", NULL, &sv, m);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	size_t n = fread(errbuf, 1, sizeof(errbuf) - 1, tmp);
	errbuf[n] = '\0';
	fclose(tmp);
	sv_clear(&sv);
	return err;
}

#define HEAD "<?xml version=\"1.0\"?>\n<feature format=\"1\" id=\"t\" version=\"1\">\n<name>T</name>\n"
#define TAIL "</feature>\n"

/* The manifest must be rejected with a message naming 't.xml' line `line` and holding `what`. */
static void rejected(const char *text, const char *const *params, unsigned line, const char *what)
{
	struct manifest *m = NULL;
	enum wg_err err = parse(text, params, &m);
	assert_null(m);
	if (err != WG_ERR_MANIFEST)
		fail_msg("expected WG_ERR_MANIFEST, got %d; stderr: %s", err, errbuf);
	char want[64];
	snprintf(want, sizeof(want), "'t.xml' line %u: ", line);
	if (!strstr(errbuf, want) || !strstr(errbuf, what))
		fail_msg("expected \"%s...%s\" in: %s", want, what, errbuf);
}

static struct manifest *accepted(const char *text, const char *const *params)
{
	struct manifest *m = NULL;
	enum wg_err err = parse(text, params, &m);
	if (err != WG_OK)
		fail_msg("unexpected error %d: %s", err, errbuf);
	assert_non_null(m);
	return m;
}

static char *read_text(const char *rel)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	unsigned char *data;
	size_t len;
	if (read_file(path, 0, &data, &len) != WG_OK)
		return NULL;
	char *s = realloc(data, len + 1);
	s[len] = '\0';
	return s;
}

static const struct manifest_reg *find_value(const struct manifest *m, const char *key_suffix,
					     const char *name)
{
	for (size_t i = 0; i < m->nregs; i++) {
		const struct manifest_reg *r = &m->regs[i];
		size_t kl = strlen(r->key), sl = strlen(key_suffix);
		if (r->kind == REG_OP_SET_VALUE && kl >= sl &&
		    !strcmp(r->key + kl - sl, key_suffix) && !strcmp(r->name, name))
			return r;
	}
	return NULL;
}

/* ---------- substitution ---------- */

static const char *lookup(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "lang"))
		return "ja-JP";
	if (!strcmp(name, "package"))
		return "mslbfoprovider.inf_amd64_f9d27a6b05ef21aa";
	return NULL;
}

static void test_subst(void **state)
{
	(void)state;
	char *out, *bad;
	assert_int_equal(subst_expand("drivers/${lang}/x.mui", lookup, NULL, &out, &bad), SUBST_OK);
	assert_string_equal(out, "drivers/ja-JP/x.mui");
	free(out);
	assert_int_equal(subst_expand("DriverPackages\\${package}", lookup, NULL, &out, &bad), SUBST_OK);
	assert_string_equal(out, "DriverPackages\\mslbfoprovider.inf_amd64_f9d27a6b05ef21aa");
	free(out);
	/* "$$" is a '$'; a '$' before anything else is literal */
	assert_int_equal(subst_expand("$${lang} costs $5 ${lang}$", lookup, NULL, &out, &bad), SUBST_OK);
	assert_string_equal(out, "${lang} costs $5 ja-JP$");
	free(out);
	assert_int_equal(subst_expand("${nope}", lookup, NULL, &out, &bad), SUBST_UNDEFINED);
	assert_null(out);
	assert_string_equal(bad, "nope");
	free(bad);
	assert_int_equal(subst_expand("a${lang", lookup, NULL, &out, &bad), SUBST_SYNTAX);
	free(bad);
	assert_int_equal(subst_expand("${1x}", lookup, NULL, &out, &bad), SUBST_SYNTAX);
	assert_string_equal(bad, "${1x}");
	free(bad);
	assert_int_equal(subst_expand("${}", lookup, NULL, &out, &bad), SUBST_SYNTAX);
	free(bad);
	assert_true(subst_has_refs("x${a}"));
	assert_false(subst_has_refs("x$${a}"));
	assert_false(subst_has_refs("%SystemRoot%\\x"));
}

/* ---------- INF and the Version record ---------- */

/* PRODUCT.md, "The DRIVERS hive registration": the bytes of a working recipe. */
static const uint8_t product_version[48] = {
	0xff, 0xff, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x74, 0xe9, 0x36, 0x4d, 0x25, 0xe3, 0xce, 0x11, 0xbf, 0xc1, 0x08, 0x00, 0x2b, 0xe1, 0x03, 0x18,
	0x00, 0x80, 0x8c, 0xa3, 0xc5, 0x94, 0xc6, 0x01,
	0x01, 0x00, 0x7c, 0x4f, 0x00, 0x00, 0x0a, 0x00,
	0, 0, 0, 0, 0, 0, 0, 0,
};

static void test_version_record(void **state)
{
	(void)state;
	uint8_t out[48];
	assert_int_equal(inf_version_record("{4d36e974-e325-11ce-bfc1-08002be10318}",
					    "06/21/2006,10.0.20348.1", out), 0);
	assert_memory_equal(out, product_version, 48);
	/* the INF writes the GUID in capitals: the same bytes */
	assert_int_equal(inf_version_record("{4D36E974-E325-11CE-BFC1-08002BE10318}",
					    " 06/21/2006, 10.0.20348.1 ", out), 0);
	assert_memory_equal(out, product_version, 48);

	uint64_t ft;
	uint16_t v[4];
	/* 1601-01-01 is FILETIME 0; 1970-01-01 is 116444736000000000 */
	assert_int_equal(inf_parse_driver_ver("01/01/1601,1.2.3.4", &ft, v), 0);
	assert_true(ft == 0);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[3], 4);
	assert_int_equal(inf_parse_driver_ver("1/1/1970,0.0.0.0", &ft, v), 0);
	assert_true(ft == 116444736000000000ULL);
	assert_int_equal(inf_parse_driver_ver("02/29/2024,10.0.1.0", &ft, v), 0);
	assert_int_equal(inf_parse_driver_ver("02/29/2023,10.0.1.0", &ft, v), -1);
	assert_int_equal(inf_parse_driver_ver("13/01/2006,10.0.1.0", &ft, v), -1);
	assert_int_equal(inf_parse_driver_ver("06/21/2006,10.0.70000.1", &ft, v), -1);
	assert_int_equal(inf_parse_driver_ver("06/21/2006,10.0.1", &ft, v), -1);
	assert_int_equal(inf_parse_driver_ver("06/21/2006", &ft, v), -1);
	assert_int_equal(inf_version_record("{4d36e974-e325-11ce-bfc1-08002be1031}",
					    "06/21/2006,10.0.20348.1", out), -1);
	assert_int_equal(inf_version_record("4d36e974-e325-11ce-bfc1-08002be10318",
					    "06/21/2006,10.0.20348.1", out), -1);
	assert_int_equal(inf_version_record(NULL, "06/21/2006,10.0.20348.1", out), -1);
}

static const char inf_text[] =
	"; a comment\r\n"
	"[Version]\r\n"
	"Signature   = \"$Windows NT$\"\r\n"
	"Class       = NetService\r\n"
	"ClassGUID   = {4D36E974-E325-11CE-BFC1-08002BE10318} ; the NetService class\r\n"
	"Provider    = %Msft%\r\n"
	"DriverVer   = 06/21/2006,10.0.20348.1\r\n"
	"\r\n"
	"[Strings]\r\n"
	"Msft = \"Microsoft\"\r\n";

static void check_inf(const struct inf_version *v)
{
	assert_string_equal(v->class_guid, "{4D36E974-E325-11CE-BFC1-08002BE10318}");
	assert_string_equal(v->driver_ver, "06/21/2006,10.0.20348.1");
	assert_string_equal(v->provider, "Microsoft");
	uint8_t out[48];
	assert_int_equal(inf_version_record(v->class_guid, v->driver_ver, out), 0);
	assert_memory_equal(out, product_version, 48);
}

static void test_inf_encodings(void **state)
{
	(void)state;
	struct inf_version v;
	/* ANSI / UTF-8 */
	assert_int_equal(inf_parse_version((const unsigned char *)inf_text, strlen(inf_text), "a.inf", &v), WG_OK);
	check_inf(&v);
	inf_version_release(&v);
	/* UTF-16LE with a BOM, as Windows ships most INFs */
	size_t n;
	unsigned char *u = utf8_to_utf16le(inf_text, strlen(inf_text), &n);
	unsigned char *b = malloc(n + 2);
	b[0] = 0xFF;
	b[1] = 0xFE;
	memcpy(b + 2, u, n);
	assert_int_equal(inf_parse_version(b, n + 2, "u.inf", &v), WG_OK);
	check_inf(&v);
	inf_version_release(&v);
	free(u);
	free(b);
	/* UTF-8 with a BOM; a Provider without %...% is kept as written */
	const char *t = "\xEF\xBB\xBF[version]\nprovider=Contoso\n";
	assert_int_equal(inf_parse_version((const unsigned char *)t, strlen(t), "b.inf", &v), WG_OK);
	assert_string_equal(v.provider, "Contoso");
	assert_null(v.class_guid);
	assert_null(v.driver_ver);
	inf_version_release(&v);
}

/* ---------- the shipped manifest ---------- */

static void test_lbfo_defaults(void **state)
{
	(void)state;
	char *text = read_text("manifests/lbfo.xml");
	assert_non_null(text);
	struct manifest *m = accepted(text, NULL);
	assert_string_equal(m->id, "lbfo");
	assert_int_equal(m->format, 2);
	/* the component from the INF, its key named by NetCfgInstanceId */
	assert_int_equal(m->ninfcomps, 1);
	assert_string_equal(m->infcomps[0].id, "ms_lbfo");
	assert_string_equal(m->infcomps[0].platform, "NTamd64");
	assert_string_equal(m->infcomps[0].capture, "instance");
	assert_string_equal(m->files[m->infcomps[0].file].id, "inf");
	const struct manifest_param *lang = manifest_param(m, "lang");
	const struct manifest_param *start = manifest_param(m, "start");
	assert_non_null(lang);
	assert_non_null(start);
	assert_true(lang->from_language);
	assert_string_equal(lang->value, "en-US");
	assert_string_equal(start->value, "1");
	/* the default Start makes the driver load at boot (system start) */
	const struct manifest_reg *r = find_value(m, "\\Services\\MsLbfoProvider", "Start");
	assert_non_null(r);
	assert_int_equal(r->type, REG_DWORD);
	assert_int_equal(r->len, 4);
	assert_memory_equal(r->data, "\x01\0\0\0", 4);
	/* five file entries, no catalog named: the driver and both INFs must be signed */
	assert_int_equal(m->nfiles, 5);
	assert_string_equal(m->catalog_folder,
			    "Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}");
	for (size_t i = 0; i < m->nfiles; i++) {
		const char *id = m->files[i].id;
		enum sign_kind want = !strcmp(id, "sys") ? SIGN_AUTHENTICODE :
				      !strcmp(id, "inf") || !strcmp(id, "repo-inf") ? SIGN_FLAT : SIGN_NONE;
		assert_int_equal(m->files[i].sign, want);
		assert_null(strstr(m->files[i].source, ".cat"));
	}
	/* the FileRepository folder is captured */
	bool captured = false;
	for (size_t i = 0; i < m->nfiles; i++)
		for (size_t j = 0; j < m->files[i].ncaptures; j++)
			captured |= !strcmp(m->files[i].captures[j].name, "package") &&
				    m->files[i].captures[j].component == 4;
	assert_true(captured);
	/* requirements: Server source, Client target */
	assert_true(m->source_req.present);
	assert_string_equal(m->source_req.installation_types.v[0], "Server");
	assert_string_equal(m->target_req.installation_types.v[0], "Client");
	/* the DRIVERS hive is optional, SYSTEM is not */
	assert_true(m->hive_declared[HIVE_DRIVERS] && m->hive_optional[HIVE_DRIVERS]);
	assert_false(m->hive_optional[HIVE_SYSTEM]);
	/* derived values */
	r = find_value(m, "\\DriverPackages\\${package}", "Version");
	assert_non_null(r);
	assert_int_equal(r->derive, DERIVE_INF_DRIVER_VERSION);
	r = find_value(m, "\\DriverPackages\\${package}", "FileSize");
	assert_non_null(r);
	assert_int_equal(r->derive, DERIVE_FILE_SIZE);
	assert_int_equal(r->type, REG_QWORD);
	/* netcfg runs from the first-boot script the component gives; SetupComplete.cmd calls it */
	assert_int_equal(m->ncommands, 0);
	assert_int_equal(m->first_boot_route, ROUTE_SETUPCOMPLETE);
	manifest_free(m);
	free(text);
}

static void test_lbfo_params(void **state)
{
	(void)state;
	char *text = read_text("manifests/lbfo.xml");
	const char *p1[] = { "start=3", "lang=ja-JP", NULL };
	struct manifest *m = accepted(text, p1);
	assert_string_equal(manifest_param(m, "lang")->value, "ja-JP");
	assert_true(manifest_param(m, "lang")->set);
	const struct manifest_reg *r = find_value(m, "\\Services\\MsLbfoProvider", "Start");
	assert_memory_equal(r->data, "\x03\0\0\0", 4);
	manifest_free(m);

	/* the last -D of a name wins */
	const char *p2[] = { "start=3", "start=2", NULL };
	m = accepted(text, p2);
	r = find_value(m, "\\Services\\MsLbfoProvider", "Start");
	assert_memory_equal(r->data, "\x02\0\0\0", 4);
	manifest_free(m);

	const char *bad1[] = { "colour=blue", NULL };
	rejected(text, bad1, 14, "no parameter 'colour'");
	const char *bad2[] = { "start=9", NULL };
	rejected(text, bad2, 27, "does not match the pattern");
	const char *bad3[] = { "lang=../../x", NULL };
	rejected(text, bad3, 17, "lang=../../x");
	free(text);
}

/* Every value of the seed's Enable_Lbfo.reg is in the manifest with the same type and data. */
static void test_lbfo_matches_seed_reg(void **state)
{
	(void)state;
	char *text = read_text("manifests/lbfo.xml");
	const char *p[] = { "start=3", NULL };
	struct manifest *m = accepted(text, p);
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/tests/fixtures/reg/Enable_Lbfo.reg", top);
	struct reg_ops ops = { 0 };
	assert_int_equal(regfile_load(path, &ops), WG_OK);
	size_t values = 0;
	for (size_t i = 0; i < ops.n; i++) {
		const struct reg_op *op = &ops.v[i];
		if (op->kind != REG_OP_SET_VALUE)
			continue;
		values++;
		const char *prefix = "HKEY_LOCAL_MACHINE\\SYSTEM\\";
		assert_int_equal(strncmp(op->key, prefix, strlen(prefix)), 0);
		/* the component's key is named by the INF's NetCfgInstanceId, captured as ${instance} */
		char key[1024];
		const char *guid = "{FC66A602-B769-4666-A540-CA3DF0E7DF2C}";
		const char *at = strcasestr(op->key, guid);
		if (at)
			snprintf(key, sizeof(key), "%.*s${instance}%s", (int)(at - op->key - strlen(prefix)),
				 op->key + strlen(prefix), at + strlen(guid));
		else
			snprintf(key, sizeof(key), "%s", op->key + strlen(prefix));
		const struct manifest_reg *r = NULL;
		for (size_t j = 0; j < m->nregs && !r; j++)
			if (m->regs[j].kind == REG_OP_SET_VALUE && m->regs[j].hive == HIVE_SYSTEM &&
			    !strcasecmp(m->regs[j].key, key) &&
			    !strcasecmp(m->regs[j].name, op->name))
				r = &m->regs[j];
		if (!r)
			fail_msg("seed value %s\\%s is not in the manifest", op->key, op->name);
		assert_int_equal(r->type, op->type);
		if (r->type == REG_SZ || r->type == REG_EXPAND_SZ) {
			size_t n;
			unsigned char *u = utf8_to_utf16le(r->strings.v[0], strlen(r->strings.v[0]), &n);
			assert_int_equal(n + 2, op->len);
			assert_memory_equal(u, op->data, n);
			free(u);
		} else {
			assert_int_equal(r->len, op->len);
			assert_memory_equal(r->data, op->data, op->len);
		}
	}
	assert_int_equal(values, 21);
	/* and the manifest's SYSTEM values are exactly these */
	size_t sys_values = 0;
	for (size_t j = 0; j < m->nregs; j++)
		sys_values += m->regs[j].kind == REG_OP_SET_VALUE && m->regs[j].hive == HIVE_SYSTEM;
	assert_int_equal(sys_values, values);
	reg_ops_release(&ops);
	manifest_free(m);
	free(text);
}

/* ---------- format rules ---------- */

static void test_values(void **state)
{
	(void)state;
	struct manifest *m = accepted(HEAD
		"<parameters><param name=\"n\" default=\"0x10\"/></parameters>\n"
		"<registry><hive name=\"SOFTWARE\"><key path=\"A\\B\">\n"
		"<value name=\"d\" type=\"REG_DWORD\">${n}</value>\n"
		"<value name=\"q\" type=\"REG_QWORD\">18446744073709551615</value>\n"
		"<value name=\"b\" type=\"REG_BINARY\">dd,07 0c00</value>\n"
		"<value name=\"e\" type=\"REG_BINARY\"></value>\n"
		"<value name=\"m\" type=\"REG_MULTI_SZ\"><string>a</string><string>b c</string></value>\n"
		"<value type=\"REG_SZ\"> keep  spaces </value>\n"
		"<value name=\"x\" type=\"REG_NONE\">00</value>\n"
		"<delete-value name=\"old\"/>\n"
		"</key><delete-key path=\"A\\Gone\"/></hive></registry>\n" TAIL, NULL);
	const struct manifest_reg *r = find_value(m, "A\\B", "d");
	assert_memory_equal(r->data, "\x10\0\0\0", 4);
	r = find_value(m, "A\\B", "q");
	assert_int_equal(r->len, 8);
	assert_memory_equal(r->data, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	r = find_value(m, "A\\B", "b");
	assert_int_equal(r->len, 4);
	assert_memory_equal(r->data, "\xdd\x07\x0c\x00", 4);
	r = find_value(m, "A\\B", "e");
	assert_int_equal(r->len, 0);
	r = find_value(m, "A\\B", "m");
	assert_int_equal(r->strings.n, 2);
	assert_string_equal(r->strings.v[1], "b c");
	r = find_value(m, "A\\B", "");
	assert_string_equal(r->strings.v[0], " keep  spaces ");
	bool del_value = false, del_key = false;
	for (size_t i = 0; i < m->nregs; i++) {
		del_value |= m->regs[i].kind == REG_OP_DELETE_VALUE && !strcmp(m->regs[i].name, "old");
		del_key |= m->regs[i].kind == REG_OP_DELETE_KEY && !strcmp(m->regs[i].key, "A\\Gone");
	}
	assert_true(del_value && del_key);
	assert_string_equal(manifest_hive_root(HIVE_SOFTWARE), "HKEY_LOCAL_MACHINE\\SOFTWARE");
	manifest_free(m);
}

static void test_rejections(void **state)
{
	(void)state;
	rejected(HEAD "<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		 "<value name=\"d\" type=\"REG_DWORD\">xyz</value>\n</key></hive></registry>" TAIL,
		 NULL, 5, "REG_DWORD data 'xyz' is not a number");
	rejected(HEAD "<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		 "<value name=\"d\" type=\"REG_DWORD\">0x100000000</value>\n</key></hive></registry>" TAIL,
		 NULL, 5, "from 0 to 0xffffffff");
	rejected(HEAD "<registry><hive name=\"SYSTEM\"><key path=\"A\">\n\n"
		 "<value name=\"b\" type=\"REG_BINARY\">dd,0</value>\n</key></hive></registry>" TAIL,
		 NULL, 6, "odd number of hex digits");
	rejected(HEAD "<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		 "<value name=\"b\" type=\"REG_BINARY\">zz</value>\n</key></hive></registry>" TAIL,
		 NULL, 5, "not a hex digit");
	rejected(HEAD "<files>\n<file source=\"Windows/a\" dest=\"../../etc/passwd\"/>\n</files>" TAIL,
		 NULL, 5, "'..'");
	rejected(HEAD "<files>\n<file source=\"Windows/a\" dest=\"/etc/passwd\"/>\n</files>" TAIL,
		 NULL, 5, "is absolute");
	rejected(HEAD "<files>\n<file source=\"C:/Windows/a\"/>\n</files>" TAIL, NULL, 5, "is absolute");
	rejected(HEAD "<registry>\n<hive name=\"HKCU\"/></registry>" TAIL, NULL, 5,
		 "must be one of SYSTEM, SOFTWARE, DRIVERS, DEFAULT");
	rejected(HEAD "<files>\n<file source=\"Windows/${nope}/a\"/>\n</files>" TAIL, NULL, 5,
		 "${nope} is not defined");
	/* a capture cannot be used in a source pattern, nor in a DWORD */
	rejected(HEAD "<files><file source=\"W/d_*/x\"><capture name=\"c\"/></file>\n"
		 "<file source=\"W/${c}/y\"/>\n</files>" TAIL, NULL, 5, "${c} cannot be used here");
	rejected(HEAD "<files><file source=\"W/d_*/x\"><capture name=\"c\"/></file></files>\n"
		 "<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		 "<value name=\"d\" type=\"REG_DWORD\">${c}</value>\n</key></hive></registry>" TAIL,
		 NULL, 6, "${c} cannot be used here");
	/* a language parameter's value comes from the image: not in numeric data */
	rejected(HEAD "<parameters><param name=\"l\" default=\"1\" from=\"language\"/></parameters>\n"
		 "<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		 "<value name=\"d\" type=\"REG_DWORD\">${l}</value>\n</key></hive></registry>" TAIL,
		 NULL, 6, "its value comes from the image");
	rejected(HEAD "<files>\n<file source=\"W/a_*/b_*/x\"><capture name=\"c\"/></file>\n</files>" TAIL,
		 NULL, 5, "more than one wildcard");
	rejected(HEAD "<files>\n<file source=\"W/x\" optional=\"true\"><capture name=\"c\" component=\"x\"/></file>\n</files>" TAIL,
		 NULL, 5, "only a required entry");
	rejected(HEAD "<files><file source=\"W/a_*\">\n<capture name=\"c\" component=\"b_*\"/></file>\n</files>" TAIL,
		 NULL, 5, "is not a component");
	rejected(HEAD "<parameters>\n<param name=\"c\" default=\"1\"/></parameters>\n"
		 "<files><file source=\"W/a_*\">\n<capture name=\"c\"/></file>\n</files>" TAIL,
		 NULL, 7, "a parameter has the same name");
	rejected(HEAD "<registry><hive name=\"SYSTEM\">\n"
		 "<key path=\"HKEY_LOCAL_MACHINE\\SYSTEM\\X\"/>\n</hive></registry>" TAIL, NULL, 5,
		 "key paths are relative to their hive");
	rejected(HEAD "<registry><hive name=\"SYSTEM\">\n<key path=\"A\\\\B\"/>\n</hive></registry>" TAIL,
		 NULL, 5, "empty component");
	rejected(HEAD "<files><file id=\"f\" source=\"W/x\"/></files>\n<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		 "<value name=\"v\" type=\"REG_DWORD\" derive=\"inf-driver-version\" file=\"f\"/>\n"
		 "</key></hive></registry>" TAIL, NULL, 6, "use REG_BINARY");
	rejected(HEAD "<files><file id=\"f\" source=\"W/x\"/></files>\n<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		 "<value name=\"v\" type=\"REG_QWORD\" derive=\"file-size\"/>\n"
		 "</key></hive></registry>" TAIL, NULL, 6, "needs file=");
	rejected(HEAD "<files><file id=\"f\" source=\"W/x\"/></files>\n<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		 "<value name=\"v\" type=\"REG_QWORD\" derive=\"file-size\" file=\"f\">12</value>\n"
		 "</key></hive></registry>" TAIL, NULL, 6, "must be empty");
	rejected(HEAD "<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		 "<value name=\"m\" type=\"REG_MULTI_SZ\">a</value>\n</key></hive></registry>" TAIL,
		 NULL, 5, "<string> elements");
	rejected(HEAD "<files>\n<file source=\"W/x\" signs=\"nobody\"/>\n</files>" TAIL, NULL, 5,
		 "no file entry has the id 'nobody'");
	rejected(HEAD "<parameters>\n<param name=\"p\" default=\"abc\" pattern=\"[0-9]+\"/></parameters>" TAIL,
		 NULL, 5, "does not match its pattern");
	rejected(HEAD "<requires><source>\n<build min=\"20000\" max=\"17763\"/></source></requires>" TAIL,
		 NULL, 5, "min 20000 is above max 17763");
	/* schema and XML errors */
	rejected(HEAD "<files>\n<file dest=\"x\"/>\n</files>" TAIL, NULL, 5, "attribute 'source' is required");
	rejected(HEAD "<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		 "<value name=\"d\" type=\"REG_WORD\">1</value></key></hive></registry>" TAIL, NULL, 5,
		 "attribute 'type' must be one of REG_SZ");
	rejected(HEAD "<files>\n<file source=\"a\"></files>" TAIL, NULL, 5, "malformed XML");
	rejected("<?xml version=\"1.0\"?>\n<!DOCTYPE feature [\n<!ENTITY a \"aaaa\">\n]>\n"
		 "<feature format=\"1\" id=\"t\" version=\"1\"><name>&a;</name></feature>\n",
		 NULL, 2, "DOCTYPE is not allowed");
	rejected("<?xml version=\"1.0\"?>\n<feature format=\"3\" id=\"t\" version=\"1\"><name>x</name></feature>\n",
		 NULL, 2, "format 3 is newer");
	rejected("<?xml version=\"1.0\"?>\n<manifest/>\n", NULL, 2, "");
	rejected(HEAD "<name>again</name>\n" TAIL, NULL, 4, "'name'");
}

/* Messages are one line each, even when they quote manifest text that spans lines. */
static void test_messages_one_line(void **state)
{
	(void)state;
	const char *text = HEAD "<registry><hive name=\"SYSTEM\"><key path=\"A\">\n"
		"<value name=\"s\" type=\"REG_SZ\">${abc\ndef}</value>\n"
		"<value name=\"t\" type=\"REG_SZ\">x</value>\n</key></hive></registry>" TAIL;
	struct manifest *m = NULL;
	char *msg = NULL;
	assert_int_equal(manifest_parse_buffer_msg(text, strlen(text), "t.xml", NULL, &m, &msg),
			 WG_ERR_MANIFEST);
	assert_null(m);
	assert_non_null(msg);
	assert_string_equal(msg, "'t.xml' line 5: value data: '${abc' is not a valid reference; "
			    "write ${NAME} (or $$ for a '$')\n");
	free(msg);
	/* several problems: one line each, every one naming the file */
	text = HEAD "<files>\n<file source=\"/a\"/>\n<file source=\"b/../c\"/>\n</files>" TAIL;
	assert_int_equal(manifest_parse_buffer_msg(text, strlen(text), "t.xml", NULL, &m, &msg),
			 WG_ERR_MANIFEST);
	assert_non_null(strstr(msg, "'t.xml' line 5: source path '/a' is absolute"));
	assert_non_null(strstr(msg, "\n't.xml' line 6: source path 'b/../c' holds a '.' or '..'"));
	free(msg);
	/* nothing printed or handed back for a good manifest */
	text = HEAD TAIL;
	assert_int_equal(manifest_parse_buffer_msg(text, strlen(text), "t.xml", NULL, &m, &msg), WG_OK);
	assert_null(msg);
	manifest_free(m);
}

static void test_accepts(void **state)
{
	(void)state;
	/* backslashes in paths become '/'; a trailing '/' destination is a folder */
	struct manifest *m = accepted(HEAD
		"<parameters><param name=\"lang\" default=\"en-US\" from=\"language\"/></parameters>\n"
		"<files><file id=\"a\" source=\"Windows\\INF\\${lang}\\x_*.inf\" dest=\"Windows/INF/\" match=\"all\"/>\n"
		"<file id=\"b\" source=\"W/pkg_*/f\" dest=\"Windows/Other/${pkg}.inf\" signs=\"a\"><capture name=\"pkg\"/></file>\n"
		"</files>\n"
		"<registry><import file=\"extra.reg\"/><hive name=\"DEFAULT\" optional=\"true\"><key path=\"K\\${pkg}\">"
		"<value name=\"${lang}\" type=\"REG_SZ\">${pkg} in ${lang}</value></key></hive></registry>\n"
		"<first-boot><command description=\"d\">echo ${pkg}</command></first-boot>\n" TAIL, NULL);
	assert_string_equal(m->files[0].source, "Windows/INF/${lang}/x_*.inf");
	assert_true(m->files[0].match_all);
	assert_int_equal(m->files[1].captures[0].component, 1);
	assert_string_equal(m->files[1].signs.v[0], "a");
	assert_int_equal(m->nimports, 1);
	assert_null(m->imports[0].path);   /* no folder for a buffer */
	assert_true(m->hive_optional[HIVE_DEFAULT]);
	assert_string_equal(manifest_hive_root(HIVE_DEFAULT), "HKEY_USERS\\.DEFAULT");
	manifest_free(m);
}

static void test_requirements(void **state)
{
	(void)state;
	char *text = read_text("manifests/lbfo.xml");
	struct manifest *m = accepted(text, NULL);
	struct image_info dc = { .arch = "amd64", .installation_type = "Server", .build = 17763 };
	struct image_info core = { .arch = "amd64", .installation_type = "Server Core", .build = 17763 };
	struct image_info old = { .arch = "amd64", .installation_type = "Server", .build = 14393 };
	struct image_info arm = { .arch = "arm64", .installation_type = "Server", .build = 20348 };
	struct image_info unknown = { 0 };
	struct image_info client = { .arch = "AMD64", .installation_type = "client", .build = 19045 };
	struct strbuf why = STRBUF_INIT;
	assert_true(manifest_req_met(&m->source_req, &dc, &why));
	assert_false(manifest_req_met(&m->source_req, &core, &why));
	assert_non_null(strstr(why.buf, "installation type 'Server Core' is not 'Server'"));
	sb_reset(&why);
	assert_false(manifest_req_met(&m->source_req, &old, &why));
	assert_non_null(strstr(why.buf, "build 14393 is older than 17763"));
	sb_reset(&why);
	assert_false(manifest_req_met(&m->source_req, &arm, &why));
	assert_non_null(strstr(why.buf, "architecture 'arm64'"));
	assert_true(manifest_req_met(&m->source_req, &unknown, NULL));
	assert_false(manifest_req_met(&m->source_req, &client, NULL));
	assert_true(manifest_req_met(&m->target_req, &client, NULL));
	assert_false(manifest_req_met(&m->target_req, &dc, NULL));
	sb_release(&why);
	manifest_free(m);
	free(text);
}

static void test_load_by_name(void **state)
{
	(void)state;
	struct manifest *m = NULL;
	assert_int_equal(manifest_load("lbfo", NULL, &m), WG_OK);
	assert_string_equal(m->id, "lbfo");
	manifest_free(m);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	FILE *null = fopen("/dev/null", "w");
	dup2(fileno(null), STDERR_FILENO);
	assert_int_equal(manifest_load("no-such-feature", NULL, &m), WG_ERR_MANIFEST);
	assert_int_equal(manifest_load("../lbfo", NULL, &m), WG_ERR_MANIFEST);
	assert_int_equal(manifest_load("/nonexistent/x.xml", NULL, &m), WG_ERR_MANIFEST);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fclose(null);
}

/* ---------- resolution against the fixture image (skipped without it) ---------- */

static void test_resolve_fixture(void **state)
{
	(void)state;
	char wim[PATH_MAX + 64];
	const char *fx = getenv("WG_FIXTURES");
	if (fx)
		snprintf(wim, sizeof(wim), "%s/server2022.wim", fx);
	else
		snprintf(wim, sizeof(wim), "%s/build/fixtures/server2022.wim", top);
	if (access(wim, R_OK) != 0)
		skip();
	/* The fixture's catalogs are signed by the test PKI mkimages.sh made beside it. */
	char ca[PATH_MAX + 64];
	snprintf(ca, sizeof(ca), "%.*s/pki/root.pem", (int)(strrchr(wim, '/') - wim), wim);
	setenv("WIMGRAFT_TEST_TRUSTED_CA", ca, 1);
	struct manifest *m = NULL;
	assert_int_equal(manifest_load("lbfo", NULL, &m), WG_OK);
	struct wg_source *src;
	assert_int_equal(source_open(wim, &src), WG_OK);
	struct resolution r;
	assert_int_equal(resolve_image(m, src, 1, NULL, &r), WG_OK);
	assert_true(r.complete);
	/* the image's language and driver-store folder were used */
	assert_string_equal(resolution_value(&r, "lang"), "ja-JP");
	assert_string_equal(resolution_value(&r, "package"), "mslbfoprovider.inf_amd64_f9d27a6b05ef21aa");
	bool version = false, size = false, pkg_key = false;
	for (size_t i = 0; i < r.ops.n; i++) {
		const struct reg_op *op = &r.ops.v[i];
		if (strstr(op->key, "DriverPackages\\mslbfoprovider.inf_amd64_f9d27a6b05ef21aa"))
			pkg_key = true;
		if (op->name && !strcmp(op->name, "Version")) {
			assert_int_equal(op->len, 48);
			assert_memory_equal(op->data, product_version, 48);
			assert_true(r.op_optional[i]);
			version = true;
		}
		if (op->name && !strcmp(op->name, "FileSize")) {
			const struct resolved_file *inf = NULL;
			for (size_t j = 0; j < r.nfiles; j++)
				if (!strcmp(r.files[j].label, "repo-inf"))
					inf = &r.files[j];
			assert_non_null(inf);
			assert_int_equal(op->len, 8);
			uint64_t v = 0;
			for (int k = 7; k >= 0; k--)
				v = (v << 8) | op->data[k];
			assert_true(v == inf->size);
			size = true;
		}
	}
	assert_true(version && size && pkg_key);
	resolution_release(&r);

	/* a target's language is used when the source has it, else the source's */
	struct image_info target = { .default_language = "de-DE" };
	struct resolve_opts ro = { &target };
	assert_int_equal(resolve_image(m, src, 1, &ro, &r), WG_OK);
	assert_string_equal(resolution_value(&r, "lang"), "ja-JP");
	assert_true(r.complete);
	resolution_release(&r);
	target.default_language = "JA-jp";
	assert_int_equal(resolve_image(m, src, 1, &ro, &r), WG_OK);
	assert_string_equal(resolution_value(&r, "lang"), "JA-jp");
	assert_true(r.complete);   /* look-ups ignore case */
	resolution_release(&r);
	source_close(src);
	manifest_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subst),
		cmocka_unit_test(test_version_record),
		cmocka_unit_test(test_inf_encodings),
		cmocka_unit_test(test_lbfo_defaults),
		cmocka_unit_test(test_lbfo_params),
		cmocka_unit_test(test_lbfo_matches_seed_reg),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_messages_one_line),
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_requirements),
		cmocka_unit_test(test_load_by_name),
		cmocka_unit_test(test_resolve_fixture),
	};
	return cmocka_run_group_tests(tests, find_top, NULL);
}
