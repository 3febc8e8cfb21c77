/*
 * test_resolve.c - a manifest resolved against WIMs captured here with wimlib-imagex: files
 * found with the sizes and SHA-1s sha1sum gives, captures and parameters substituted,
 * missing/ambiguous entries, derived values, and the choice of image by requirements.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "inf.h"
#include "resolve.h"
#include "shell.h"

static char dir[] = "/tmp/wg-test-resolve.XXXXXX";
static char *wim;

static const char inf_text[] =
	"[Version]\r\nSignature=\"$Windows NT$\"\r\nClass=NetService\r\n"
	"ClassGUID={4D36E974-E325-11CE-BFC1-08002BE10318}\r\nProvider=%Msft%\r\n"
	"DriverVer=06/21/2006,10.0.20348.1\r\n[Strings]\r\nMsft=\"Microsoft\"\r\n";

static int setup(void **state)
{
	(void)state;
	setenv("WIMGRAFT_MANIFEST_DIR", "manifests", 0);   /* the schema, run from the top */
	if (!mkdtemp(dir))
		return -1;
	wim = xasprintf("%s/src.wim", dir);
	/* a server-shaped tree: the driver, two languages, one driver-store folder, two catalogs */
	int rc = run("cd '%s' && mkdir -p t/Windows/INF t/Windows/System32/drivers/en-US "
		     "t/Windows/System32/drivers/de-DE "
		     "t/Windows/System32/DriverStore/FileRepository/net.inf_amd64_0123abcd "
		     "t/Windows/System32/CatRoot && "
		     "printf 'driver bytes' > t/Windows/System32/drivers/Net.sys && "
		     "printf 'english' > t/Windows/System32/drivers/en-US/Net.sys.mui && "
		     "printf 'deutsch!' > t/Windows/System32/drivers/de-DE/Net.sys.mui && "
		     "printf 'a' > t/Windows/System32/CatRoot/pkg~1.cat && "
		     "printf 'b' > t/Windows/System32/CatRoot/pkg~2.cat && "
		     "printf '%%s' '%s' > t/Windows/INF/net.inf && "
		     "cp t/Windows/INF/net.inf t/Windows/System32/DriverStore/FileRepository/net.inf_amd64_0123abcd/ && "
		     "wimlib-imagex capture t src.wim Client >/dev/null && "
		     "wimlib-imagex append t src.wim Server >/dev/null && "
		     "wimlib-imagex info src.wim 1 --image-property WINDOWS/INSTALLATIONTYPE=Client "
		     "--image-property WINDOWS/ARCH=9 >/dev/null && "
		     "wimlib-imagex info src.wim 2 --image-property WINDOWS/INSTALLATIONTYPE=Server "
		     "--image-property WINDOWS/ARCH=9 --image-property WINDOWS/LANGUAGES/DEFAULT=de-DE "
		     "--image-property 'WINDOWS/LANGUAGES/LANGUAGE[1]=de-DE' "
		     "--image-property 'WINDOWS/LANGUAGES/LANGUAGE[2]=en-US' >/dev/null",
		     dir, inf_text);
	return rc ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	run("rm -rf '%s'", dir);
	free(wim);
	return 0;
}

static const char manifest_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<feature format=\"1\" id=\"net\" version=\"1.0\"><name>test</name>\n"
	"<parameters>\n"
	"  <param name=\"lang\" default=\"en-US\" from=\"language\"/>\n"
	"  <param name=\"start\" default=\"1\" pattern=\"[0-4]\"/>\n"
	"</parameters>\n"
	"<requires><source><installation-type>Server</installation-type></source></requires>\n"
	"<files>\n"
	"  <file id=\"sys\" source=\"windows/system32/drivers/net.sys\"/>\n"
	"  <file id=\"mui\" source=\"Windows/System32/drivers/${lang}/Net.sys.mui\"/>\n"
	"  <file id=\"repo-inf\" source=\"Windows/System32/DriverStore/FileRepository/net.inf_amd64_*/net.inf\">\n"
	"    <capture name=\"package\" component=\"net.inf_amd64_*\"/>\n"
	"  </file>\n"
	"  %s\n"
	"</files>\n"
	"<registry><hive name=\"SYSTEM\">\n"
	"  <key path=\"CurrentControlSet\\Services\\Net\">\n"
	"    <value name=\"Start\" type=\"REG_DWORD\">${start}</value>\n"
	"    <value name=\"Package\" type=\"REG_SZ\">${package}</value>\n"
	"    <value name=\"FileSize\" type=\"REG_QWORD\" derive=\"file-size\" file=\"repo-inf\"/>\n"
	"    <value name=\"Version\" type=\"REG_BINARY\" derive=\"inf-driver-version\" file=\"repo-inf\"/>\n"
	"  </key>\n"
	"</hive></registry>\n"
	"<first-boot><command>netcfg.exe -i ${package}</command></first-boot>\n"
	"</feature>\n";

static struct manifest *load(const char *extra_file, const char *param)
{
	char *xml = xasprintf(manifest_xml, extra_file ? extra_file : "");
	struct strvec params = STRVEC_INIT;
	if (param)
		sv_push(&params, param);
	struct manifest *m = NULL;
	char *msg = NULL;
	enum wg_err err = manifest_parse_buffer_msg(xml, strlen(xml), "net.xml", &params, &m, &msg);
	if (err)
		fail_msg("manifest refused: %s", msg ? msg : "?");
	free(xml);
	sv_clear(&params);
	return m;
}

static const struct resolved_file *by_label(const struct resolution *r, const char *label)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (!strcmp(r->files[i].label, label))
			return &r->files[i];
	fail_msg("no entry '%s'", label);
	return NULL;
}

static const struct reg_op *op_named(const struct resolution *r, const char *name)
{
	for (size_t i = 0; i < r->ops.n; i++)
		if (r->ops.v[i].name && !strcmp(r->ops.v[i].name, name))
			return &r->ops.v[i];
	fail_msg("no op for '%s'", name);
	return NULL;
}

/* The file's size and SHA-1 as stat and sha1sum see them in the captured tree. */
static void check_against_tree(const struct resolved_file *f)
{
	char *want = output_of("cd '%s/t' && sha1sum '%s' | cut -c1-40 && stat -c %%s '%s'", dir,
			       f->source, f->source);
	char hex[41];
	sha1_to_hex(f->sha1, hex);
	char *got = xasprintf("%s\n%llu\n", hex, (unsigned long long)f->size);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

static void test_resolve_image(void **state)
{
	(void)state;
	struct wg_source *src;
	assert_int_equal(source_open(wim, &src), WG_OK);
	struct manifest *m = load(NULL, "start=3");
	struct resolution r;
	assert_int_equal(resolve_image(m, src, 2, NULL, &r), WG_OK);
	assert_true(r.complete);
	assert_int_equal(r.nfiles, 3);
	/* paths found ignoring case, stored spelling kept; the language is the image's default */
	const struct resolved_file *sys = by_label(&r, "sys");
	assert_int_equal(sys->status, RESOLVED_OK);
	assert_string_equal(sys->source, "Windows/System32/drivers/Net.sys");
	check_against_tree(sys);
	const struct resolved_file *mui = by_label(&r, "mui");
	assert_string_equal(mui->source, "Windows/System32/drivers/de-DE/Net.sys.mui");
	check_against_tree(mui);
	check_against_tree(by_label(&r, "repo-inf"));
	assert_string_equal(resolution_value(&r, "package"), "net.inf_amd64_0123abcd");
	assert_string_equal(resolution_value(&r, "lang"), "de-DE");
	assert_string_equal(resolution_value(&r, "start"), "3");

	/* the operations: parameter and capture substituted, derived values from the INF */
	const struct reg_op *start = op_named(&r, "Start");
	assert_int_equal(start->type, REG_DWORD);
	assert_int_equal(start->len, 4);
	assert_int_equal(start->data[0], 3);
	const struct reg_op *pkg = op_named(&r, "Package");
	size_t n;
	unsigned char *want = utf8_to_utf16le("net.inf_amd64_0123abcd", 22, &n);
	assert_int_equal(pkg->len, n + 2);   /* with the terminating NUL */
	assert_memory_equal(pkg->data, want, n);
	free(want);
	const struct reg_op *size = op_named(&r, "FileSize");
	assert_int_equal(size->len, 8);
	uint64_t sz = 0;
	for (int i = 7; i >= 0; i--)
		sz = sz << 8 | size->data[i];
	assert_int_equal(sz, strlen(inf_text));
	const struct reg_op *ver = op_named(&r, "Version");
	uint8_t rec[INF_VERSION_RECORD_SIZE];
	assert_int_equal(inf_version_record("{4D36E974-E325-11CE-BFC1-08002BE10318}",
					    "06/21/2006,10.0.20348.1", rec), 0);
	assert_int_equal(ver->len, sizeof(rec));
	assert_memory_equal(ver->data, rec, sizeof(rec));
	assert_int_equal(r.commands.n, 1);
	assert_string_equal(r.commands.v[0], "netcfg.exe -i net.inf_amd64_0123abcd");

	/* a target whose language the source has is preferred; one it lacks is not */
	struct image_info target = { 0 };
	target.default_language = xstrdup("en-US");
	struct resolve_opts opts = { &target };
	resolution_release(&r);
	assert_int_equal(resolve_image(m, src, 2, &opts, &r), WG_OK);
	assert_string_equal(by_label(&r, "mui")->source, "Windows/System32/drivers/en-US/Net.sys.mui");
	resolution_release(&r);
	free(target.default_language);
	target.default_language = xstrdup("fr-FR");
	assert_int_equal(resolve_image(m, src, 2, &opts, &r), WG_OK);
	assert_string_equal(resolution_value(&r, "lang"), "de-DE");
	resolution_release(&r);
	free(target.default_language);

	manifest_free(m);
	source_close(src);
}

static void test_missing_and_ambiguous(void **state)
{
	(void)state;
	struct wg_source *src;
	assert_int_equal(source_open(wim, &src), WG_OK);
	struct resolution r;

	struct manifest *m = load("<file id=\"opt\" source=\"Windows/nothing.dll\" optional=\"true\"/>", NULL);
	assert_int_equal(resolve_image(m, src, 2, NULL, &r), WG_OK);
	assert_true(r.complete);
	assert_int_equal(by_label(&r, "opt")->status, RESOLVED_OPTIONAL_MISSING);
	resolution_release(&r);
	manifest_free(m);

	m = load("<file id=\"gone\" source=\"Windows/nothing.dll\"/>", NULL);
	assert_int_equal(resolve_image(m, src, 2, NULL, &r), WG_OK);
	assert_false(r.complete);
	assert_int_equal(r.nmissing, 1);
	assert_int_equal(by_label(&r, "gone")->status, RESOLVED_MISSING);
	assert_int_equal(r.ops.n, 0);       /* filled only when complete */
	resolution_release(&r);
	manifest_free(m);

	m = load("<file id=\"cat\" source=\"Windows/System32/CatRoot/pkg~*.cat\"/>", NULL);
	assert_int_equal(resolve_image(m, src, 2, NULL, &r), WG_OK);
	assert_false(r.complete);
	assert_int_equal(r.nambiguous, 1);
	const struct resolved_file *cat = by_label(&r, "cat");
	assert_int_equal(cat->status, RESOLVED_AMBIGUOUS);
	assert_int_equal(cat->candidates.n, 2);
	resolution_release(&r);
	manifest_free(m);

	m = load("<file id=\"cats\" source=\"Windows/System32/CatRoot/pkg~*.cat\" match=\"all\"/>", NULL);
	assert_int_equal(resolve_image(m, src, 2, NULL, &r), WG_OK);
	assert_true(r.complete);
	size_t ncats = 0;
	for (size_t i = 0; i < r.nfiles; i++)
		if (!strcmp(r.files[i].label, "cats")) {
			check_against_tree(&r.files[i]);
			ncats++;
		}
	assert_int_equal(ncats, 2);
	resolution_release(&r);
	manifest_free(m);
	source_close(src);
}

static void test_select_image(void **state)
{
	(void)state;
	struct wg_source *src;
	assert_int_equal(source_open(wim, &src), WG_OK);
	struct manifest *m = load(NULL, NULL);
	struct resolution r;
	struct strvec why = STRVEC_INIT;
	assert_int_equal(resolve_select_image(m, src, NULL, &r, &why), WG_OK);
	assert_int_equal(r.image, 2);            /* image 1 is a client image */
	assert_int_equal(why.n, 1);
	assert_non_null(strstr(why.v[0], "image 1 ('Client')"));
	resolution_release(&r);
	sv_clear(&why);
	manifest_free(m);

	m = load("<file source=\"Windows/nothing.dll\"/>", NULL);
	assert_int_equal(resolve_select_image(m, src, NULL, &r, &why), WG_ERR_SOURCE_REQUIREMENT);
	assert_int_equal(why.n, 2);
	assert_non_null(strstr(why.v[1], "missing 'Windows/nothing.dll'"));
	sv_clear(&why);
	manifest_free(m);
	source_close(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_image),
		cmocka_unit_test(test_missing_and_ambiguous),
		cmocka_unit_test(test_select_image),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
