/*
 * test_inf_install.c - the INF reader's grammar (encodings, quotes, %strings%,
 * continuation, comments) and a component's install section decoded into registry operations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "inf.h"
#include "inf_install.h"

/* Shaped like the Server 2022 network-service INF, in words and values of our own. */
static const char netservice_inf[] =
	";\r\n"
	"; contoso_filter.inf - a lightweight filter network service (test INF)\r\n"
	";\r\n"
	"[version]\r\n"
	"Signature   = \"$Windows NT$\"\r\n"
	"Class       = NetService\r\n"
	"ClassGUID   = {4D36E974-E325-11CE-BFC1-08002BE10318}\r\n"
	"Provider    = %Vendor%\r\n"
	"DriverVer   = 06/21/2006,10.0.20348.1\r\n"
	"PnpLockdown = 1\r\n"
	"\r\n"
	"[Manufacturer]\r\n"
	"%Vendor% = VENDOR,NTamd64\r\n"
	"\r\n"
	"[VENDOR.NTamd64]\r\n"
	"%Filter_Desc% = Install, ms_lbfo   ; the component id netcfg -i takes\r\n"
	"\r\n"
	"[Install]\r\n"
	"AddReg           = Inst_Ndi\r\n"
	"Characteristics  = 0x40000 ; NCF_LW_FILTER\r\n"
	"NetCfgInstanceId = \"{fc66a602-b769-4666-a540-ca3df0e7df2c}\"\r\n"
	"\r\n"
	"[Inst_Ndi]\r\n"
	"HKR, Ndi,            Service,          0,          \"MsLbfoProvider\"\r\n"
	"HKR, Ndi,            CoServices,       0x00010000, \"MsLbfoProvider\"\r\n"
	"HKR, Ndi,            HelpText,         0,          \"%Filter_Help%\"\r\n"
	"HKR, Ndi,            FilterClass,      0,          \"ms_implatform\"\r\n"
	"HKR, Ndi,            FilterType,       0x00010001, 0x00000002\r\n"
	"HKR, Ndi,            FilterRunType,    0x00010001, 1\r\n"
	"HKR, Ndi\\Interfaces, UpperRange,       0,          \"noupper\"\r\n"
	"HKR, Ndi\\Interfaces, LowerRange,       0,          \"nolower\"\r\n"
	"HKR, Ndi\\Interfaces, FilterMediaTypes, 0,          \\\r\n"
	"     \"ms_implatform\"\r\n"
	"\r\n"
	"[Strings]\r\n"
	"Vendor      = \"Contoso\"\r\n"
	"Filter_Desc = \"Contoso Teaming Filter\"\r\n"
	"Filter_Help = \"Joins adapters; keeps %%links%% up\"\r\n";

static unsigned char *utf16_bom(const char *text, size_t *len)
{
	size_t n;
	unsigned char *u = utf8_to_utf16le(text, strlen(text), &n);
	unsigned char *b = malloc(n + 2);
	b[0] = 0xFF;
	b[1] = 0xFE;
	memcpy(b + 2, u, n);
	free(u);
	*len = n + 2;
	return b;
}

static char *utf8_of(const unsigned char *d, size_t len)
{
	return utf16le_to_utf8(d, len);
}

static const struct inf_reg *find_reg(const struct inf_component *c, const char *sub,
				      const char *name)
{
	for (size_t i = 0; i < c->nregs; i++)
		if (!strcmp(c->regs[i].subkey, sub) && c->regs[i].name &&
		    !strcmp(c->regs[i].name, name))
			return &c->regs[i];
	return NULL;
}

static void check_sz(const struct inf_component *c, const char *sub, const char *name,
		     uint32_t type, const char *want)
{
	const struct inf_reg *r = find_reg(c, sub, name);
	assert_non_null(r);
	assert_int_equal(r->kind, INF_REG_SET);
	assert_int_equal(r->type, type);
	char *s = utf8_of(r->data, r->len);
	assert_string_equal(s, want);
	/* the NUL terminator is part of the data */
	assert_int_equal(r->len, 2 * strlen(want) + 2);
	free(s);
}

static void test_netservice_utf16(void **state)
{
	(void)state;
	size_t len;
	unsigned char *data = utf16_bom(netservice_inf, &len);
	struct inf *inf;
	char *msg = NULL;
	assert_int_equal(inf_load(data, len, "contoso_filter.inf", &inf, &msg), WG_OK);
	assert_null(msg);
	struct inf_component c;
	assert_int_equal(inf_read_component(inf, "NTamd64", "MS_LBFO", &c, &msg), WG_OK);
	assert_string_equal(c.id, "ms_lbfo");
	assert_string_equal(c.description, "Contoso Teaming Filter");
	assert_string_equal(c.section, "Install");
	assert_true(c.has_characteristics);
	assert_int_equal(c.characteristics, 0x40000);
	assert_string_equal(c.netcfg_instance_id, "{fc66a602-b769-4666-a540-ca3df0e7df2c}");
	assert_int_equal(c.nregs, 9);

	check_sz(&c, "Ndi", "Service", REG_SZ, "MsLbfoProvider");
	check_sz(&c, "Ndi", "HelpText", REG_SZ, "Joins adapters; keeps %%links%% up");
	check_sz(&c, "Ndi", "FilterClass", REG_SZ, "ms_implatform");
	check_sz(&c, "Ndi\\Interfaces", "FilterMediaTypes", REG_SZ, "ms_implatform");
	const struct inf_reg *r = find_reg(&c, "Ndi", "CoServices");
	assert_int_equal(r->type, REG_MULTI_SZ);
	static const unsigned char multi[] = "M\0s\0L\0b\0f\0o\0P\0r\0o\0v\0i\0d\0e\0r\0\0\0\0";
	assert_int_equal(r->len, sizeof(multi));
	assert_memory_equal(r->data, multi, sizeof(multi));
	r = find_reg(&c, "Ndi", "FilterType");
	assert_int_equal(r->type, REG_DWORD);
	assert_int_equal(r->len, 4);
	assert_memory_equal(r->data, "\2\0\0\0", 4);
	r = find_reg(&c, "Ndi", "FilterRunType");
	assert_memory_equal(r->data, "\1\0\0\0", 4);
	assert_int_equal(r->line, 29);

	struct reg_ops ops = { 0 };
	const char *key = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Network\\{x}\\{FC66A602}";
	inf_component_ops(&c, key, "contoso_filter.inf", &ops);
	assert_int_equal(ops.n, 3 + 1 + 9);
	assert_int_equal(ops.v[0].kind, REG_OP_KEY);
	assert_string_equal(ops.v[1].name, "ComponentId");
	assert_string_equal(ops.v[2].name, "Characteristics");
	assert_memory_equal(ops.v[2].data, "\0\0\4\0", 4);
	assert_string_equal(ops.v[3].name, "InfSection");
	assert_string_equal(ops.v[4].key, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Network\\{x}"
			    "\\{FC66A602}\\Ndi");
	assert_string_equal(ops.v[12].key, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Network\\{x}"
			    "\\{FC66A602}\\Ndi\\Interfaces");
	reg_ops_release(&ops);

	char *kn = inf_instance_key_name(c.netcfg_instance_id);
	assert_string_equal(kn, "{FC66A602-B769-4666-A540-CA3DF0E7DF2C}");
	free(kn);
	assert_null(inf_instance_key_name("fc66a602"));
	inf_component_release(&c);

	/* the [Version] reader on the same text */
	struct inf_version v;
	assert_int_equal(inf_parse_version(data, len, "contoso_filter.inf", &v), WG_OK);
	assert_string_equal(v.provider, "Contoso");
	assert_string_equal(v.driver_ver, "06/21/2006,10.0.20348.1");
	inf_version_release(&v);
	inf_free(inf);
	free(data);
}

/* One INF text; the component read with the expected outcome. */
static enum wg_err read_one(const char *text, const char *id, struct inf_component *c,
			    char **msg)
{
	struct inf *inf;
	*msg = NULL;
	enum wg_err err = inf_load((const unsigned char *)text, strlen(text), "t.inf", &inf, msg);
	if (err)
		return err;
	err = inf_read_component(inf, "NTamd64", id, c, msg);
	inf_free(inf);
	return err;
}

#define HEAD "[Manufacturer]\n%V%=M,NTamd64\n[M.NTamd64]\n%V%=Inst,comp_a\n[Strings]\nV=\"v\"\n"

static void test_flags_and_data(void **state)
{
	(void)state;
	struct inf_component c;
	char *msg;
	const char *t = HEAD
		"[Inst.NTamd64]\nAddReg=A , B\n"
		"[Inst]\nCopyFiles=never_read\n"
		"[A]\n"
		"HKR,,Bin,1,01,ff,0x10\n"
		"HKR,Sub,Q,0x000B0001,01,02,03,04,05,06,07,08\n"
		"HKR,,Exp,0x00020000,\"%%SystemRoot%%\\x\"\n"
		"HKR,,Keep,0x00000002,\"old wins\"\n"
		"HKR,,More,0x00010008,\"two\"\n"
		"HKR,,Gone,0x00000004\n"
		"HKR,OnlyKey\n"
		"HKR,,@Quote,,\"say \"\"hi\"\", ok\" ; a comment\n"
		"[B]\n"
		"HKR,,Dw4,0x00010001,1,0,0,0\n"
		"HKR,,NoneT,0x00020001,aa\n";
	assert_int_equal(read_one(t, "comp_a", &c, &msg), WG_OK);
	assert_string_equal(c.section, "Inst.NTamd64");
	assert_false(c.has_characteristics);
	assert_null(c.netcfg_instance_id);
	assert_int_equal(c.nregs, 10);
	assert_int_equal(c.regs[0].type, REG_BINARY);
	assert_int_equal(c.regs[0].len, 3);
	assert_memory_equal(c.regs[0].data, "\x01\xff\x10", 3);
	assert_int_equal(c.regs[1].type, REG_QWORD);
	assert_string_equal(c.regs[1].subkey, "Sub");
	assert_int_equal(c.regs[1].len, 8);
	check_sz(&c, "", "Exp", REG_EXPAND_SZ, "%SystemRoot%\\x");
	assert_true(c.regs[3].noclobber);
	assert_false(c.regs[3].append);
	assert_true(c.regs[4].append);
	assert_int_equal(c.regs[4].type, REG_MULTI_SZ);
	assert_int_equal(c.regs[5].kind, INF_REG_DELETE_VALUE);
	assert_string_equal(c.regs[5].name, "Gone");
	assert_int_equal(c.regs[6].kind, INF_REG_KEY);
	assert_string_equal(c.regs[6].subkey, "OnlyKey");
	check_sz(&c, "", "@Quote", REG_SZ, "say \"hi\", ok");
	assert_int_equal(c.regs[8].type, REG_DWORD);
	assert_memory_equal(c.regs[8].data, "\1\0\0\0", 4);
	assert_int_equal(c.regs[9].type, REG_NONE);

	struct reg_ops ops = { 0 };
	inf_component_ops(&c, "HKLM\\SYSTEM\\K", "t.inf", &ops);
	/* the key, ComponentId, InfSection (no Characteristics here), then the lines */
	assert_int_equal(ops.n, 3 + 10);
	assert_int_equal(ops.v[6].flags, REG_OP_NOCLOBBER);
	assert_int_equal(ops.v[7].flags, REG_OP_APPEND);
	assert_int_equal(ops.v[8].kind, REG_OP_DELETE_VALUE);
	assert_int_equal(ops.v[9].kind, REG_OP_KEY);
	assert_null(ops.v[9].name);
	assert_string_equal(ops.v[9].key, "HKLM\\SYSTEM\\K\\OnlyKey");
	reg_ops_release(&ops);
	inf_component_release(&c);
}

static void test_platforms(void **state)
{
	(void)state;
	struct inf_component c;
	char *msg;
	/* only an x86 models section: nothing for amd64 */
	const char *x86 = "[Manufacturer]\nM=M,NTx86\n[M.NTx86]\nd=Inst,comp_a\n[Inst]\n";
	assert_int_equal(read_one(x86, "comp_a", &c, &msg), WG_ERR_NOT_FOUND);
	assert_string_equal(msg, "'t.inf': no models line installs 'comp_a' on NTamd64");
	free(msg);
	/* a versioned decoration, and an undecorated manufacturer */
	const char *ver = "[Manufacturer]\nM=M,NTx86,NTamd64.10.0...17763\nN=N\n"
			  "[M.NTamd64.10.0...17763]\nd=Inst,comp_a\n[M.NTx86]\n[N]\nd=Other,comp_b\n"
			  "[Inst]\nCharacteristics=4\n[Other]\nCharacteristics=8\n";
	assert_int_equal(read_one(ver, "comp_a", &c, &msg), WG_OK);
	assert_int_equal(c.characteristics, 4);
	inf_component_release(&c);
	assert_int_equal(read_one(ver, "COMP_B", &c, &msg), WG_OK);
	assert_int_equal(c.characteristics, 8);
	assert_string_equal(c.description, "d");
	inf_component_release(&c);
	/* a compatible id matches too; UTF-8 with a BOM */
	const char *bom = "\xEF\xBB\xBF[Manufacturer]\nM=M\n[M]\nd=Inst,hw_x,comp_a\n[Inst]\n";
	assert_int_equal(read_one(bom, "comp_a", &c, &msg), WG_OK);
	assert_int_equal(c.nregs, 0);
	inf_component_release(&c);
}

static void expect_error(const char *text, const char *want)
{
	struct inf_component c;
	char *msg;
	enum wg_err err = read_one(text, "comp_a", &c, &msg);
	if (err != WG_ERR_INF || !msg || strcmp(msg, want)) {
		fprintf(stderr, "INF:\n%s\nexpected: %s\ngot (%d): %s\n", text, want, err,
			msg ? msg : "(none)");
		fail();
	}
	free(msg);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("x=1\n[Manufacturer]\n", "'t.inf' line 1: text outside any section: 'x=1'");
	expect_error("[Manufacturer]\nM=\"M\n", "'t.inf' line 2: a quoted string is not closed");
	expect_error("[Manufacturer\n", "'t.inf' line 1: section name without a closing ']'");
	expect_error("[Manufacturer] x\n", "'t.inf' line 1: text after the section name "
		     "'[Manufacturer]'");
	expect_error("[Strings]\nnovalue\n", "'t.inf' line 2: a [Strings] line without '='");
	expect_error("[Version]\n", "'t.inf': no [Manufacturer] section");
	expect_error("[Manufacturer]\n%Nope%=M\n", "'t.inf' line 2: %Nope% is not defined in "
		     "[Strings]");
	expect_error("[Manufacturer]\nM=M\n[M]\nd=Inst,comp_a\n[Inst]\nAddReg=R\n[R]\n"
		     "HKR,,v,0,\"50%\"\n",
		     "'t.inf' line 8: a '%' without its closing '%' (write %% for a percent sign)");
	expect_error("[Manufacturer]\nM=M,NTamd64\n", "'t.inf' line 2: [Manufacturer] names the "
		     "models section [M.NTamd64], which the INF does not have");
	expect_error("[Manufacturer]\nM=M\n[M]\nd=Inst,comp_a\n",
		     "'t.inf' line 4: the install section [Inst] of 'comp_a' is not in the INF");
	expect_error("[Manufacturer]\nM=M\n[M]\nd=Inst,comp_a\nd=Other,comp_a\n[Inst]\n[Other]\n",
		     "'t.inf' line 5: 'comp_a' is installed by both [Inst] (line 4) and [Other]");
	expect_error("[Manufacturer]\nM=M\n[M]\nInst,comp_a\n",
		     "'t.inf' line 4: [M]: a models line is 'description = install-section, id[, "
		     "compatible ids]'");
#define INST "[Manufacturer]\nM=M\n[M]\nd=Inst,comp_a\n[Inst]\n"
	expect_error(INST "CopyFiles=F\n", "'t.inf' line 6: [Inst]: directive 'CopyFiles' cannot be "
		     "carried out offline (only AddReg, Characteristics and NetCfgInstanceId can)");
	expect_error(INST "Characteristics=0x40000\nCharacteristics=1\n", "'t.inf' line 7: "
		     "[Inst]: Characteristics is given once, with one value");
	expect_error(INST "Characteristics=lots\n", "'t.inf' line 6: Characteristics 'lots' is not "
		     "a number");
	expect_error(INST "NetCfgInstanceId={fc66a602}\n", "'t.inf' line 6: NetCfgInstanceId "
		     "'{fc66a602}' is not a GUID like {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}");
	expect_error(INST "AddReg=Missing\n", "'t.inf' line 6: AddReg names [Missing], which the "
		     "INF does not have");
	expect_error(INST "AddReg=R\n[R]\nHKLM,Software\\X,v,0,1\n", "'t.inf' line 8: [R]: only "
		     "HKR lines (relative to the component's key) can be installed, not 'HKLM'");
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,0x20,1\n", "'t.inf' line 8: flags 0x00000020: "
		     "0x00000020 not supported (known: types, NOCLOBBER, DELVAL, APPEND, KEYONLY)");
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,0x00030000,1\n", "'t.inf' line 8: flags "
		     "0x00030000 give no value type");
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,0x00010001,two\n", "'t.inf' line 8: 'two' is not "
		     "a REG_DWORD number (0x hex or decimal, up to 32 bits)");
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,0x00010001,0x100000000\n", "'t.inf' line 8: "
		     "'0x100000000' is not a REG_DWORD number (0x hex or decimal, up to 32 bits)");
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,1,1ff\n", "'t.inf' line 8: '1ff' is not a "
		     "hexadecimal byte");
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,0,a,b\n", "'t.inf' line 8: a string value takes "
		     "one field (quote a value holding commas)");
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,0x8,a\n", "'t.inf' line 8: APPEND is for "
		     "REG_MULTI_SZ values (0x00010008)");
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,0x4,a\n", "'t.inf' line 8: DELVAL deletes the "
		     "whole value: it takes no data and no other flag");
	expect_error(INST "AddReg=R\n[R]\nHKR,\\a\\,v,0,a\n", "'t.inf' line 8: '\\a\\' is not a "
		     "valid subkey");
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,zero,a\n", "'t.inf' line 8: 'zero' is not a "
		     "flags number");
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,0x10000,a,,b\n", "'t.inf' line 8: an empty string "
		     "in a REG_MULTI_SZ value");
	expect_error(INST "AddReg=R\n[R]\nv=HKR\n", "'t.inf' line 8: [R]: an AddReg line has no "
		     "'='; quote a value holding one");
	/* a continued line is reported at its first line */
	expect_error(INST "AddReg=R\n[R]\nHKR,,v,\\\n0x00010001,\\\nbad\n", "'t.inf' line 8: "
		     "'bad' is not a REG_DWORD number (0x hex or decimal, up to 32 bits)");
	/* a NUL in the text, UTF-16 that does not decode */
	struct inf *inf;
	char *msg = NULL;
	assert_int_equal(inf_load((const unsigned char *)"[a]\0b", 5, "n.inf", &inf, &msg),
			 WG_ERR_INF);
	assert_string_equal(msg, "'n.inf': not text (a NUL character, or UTF-16 that does not "
			    "decode)");
	free(msg);
	msg = NULL;
	assert_int_equal(inf_load((const unsigned char *)"\xff\xfe\x00\xd8[\0", 6, "s.inf", &inf,
				  &msg), WG_ERR_INF);
	free(msg);
}

static void test_numbers(void **state)
{
	(void)state;
	uint32_t v;
	assert_true(inf_parse_number("0x40000", &v));
	assert_int_equal(v, 0x40000);
	assert_true(inf_parse_number("262144", &v));
	assert_int_equal(v, 262144);
	assert_true(inf_parse_number("0XFFFFFFFF", &v));
	assert_false(inf_parse_number("0x1FFFFFFFF", &v));
	assert_false(inf_parse_number("-1", &v));
	assert_false(inf_parse_number("", &v));
	assert_false(inf_parse_number("12a", &v));
	assert_false(inf_parse_number(" 1", &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netservice_utf16),
		cmocka_unit_test(test_flags_and_data),
		cmocka_unit_test(test_platforms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
