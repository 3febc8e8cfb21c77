/*
 * test_subst.c - ${NAME} substitution: values in place, "$$" as one '$', a lone '$'
 * kept, bad syntax and undefined names refused with the offending text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "subst.h"
#include "util.h"

/* name=value pairs, NULL-terminated. */
static const char *lookup(void *ctx, const char *name)
{
	const char *const *kv = ctx;
	for (size_t i = 0; kv[i]; i += 2)
		if (!strcmp(kv[i], name))
			return kv[i + 1];
	return NULL;
}

static const char *const vars[] = {
	"Arch", "amd64",
	"pkg", "mslbfoprovider.inf_amd64_f9d27a6b05ef21aa",
	"v1.2-x", "dotted",
	"empty", "",
	NULL,
};

static void expect(const char *tmpl, const char *want)
{
	char *out = (char *)1, *bad = (char *)1;
	assert_int_equal(subst_expand(tmpl, lookup, (void *)vars, &out, &bad), SUBST_OK);
	assert_null(bad);
	assert_string_equal(out, want);
	free(out);
}

static void expect_bad(const char *tmpl, enum subst_result r, const char *want_bad)
{
	char *out = (char *)1, *bad = NULL;
	assert_int_equal(subst_expand(tmpl, lookup, (void *)vars, &out, &bad), r);
	assert_null(out);
	assert_non_null(bad);
	assert_string_equal(bad, want_bad);
	free(bad);
}

static void test_expand(void **state)
{
	(void)state;
	expect("", "");
	expect("no references", "no references");
	expect("${Arch}", "amd64");
	expect("Windows\\System32\\DriverStore\\FileRepository\\${pkg}\\x.sys",
	       "Windows\\System32\\DriverStore\\FileRepository\\"
	       "mslbfoprovider.inf_amd64_f9d27a6b05ef21aa\\x.sys");
	expect("${Arch}${Arch}-${v1.2-x}", "amd64amd64-dotted");
	expect("a${empty}b", "ab");
	/* "$$" is one '$'; a '$' not before '{' or '$' stays as it is */
	expect("$${Arch}", "${Arch}");
	expect("cost: $5 $", "cost: $5 $");
	expect("$$$$", "$$");
	expect("$$$${Arch}", "$${Arch}");
	expect("$$${Arch}", "$amd64");
}

static void test_refusals(void **state)
{
	(void)state;
	expect_bad("${Nope}", SUBST_UNDEFINED, "Nope");
	expect_bad("x ${arch}", SUBST_UNDEFINED, "arch");   /* names are case-sensitive */
	expect_bad("${}", SUBST_SYNTAX, "${}");
	expect_bad("a ${Arch", SUBST_SYNTAX, "${Arch");
	expect_bad("${1st}", SUBST_SYNTAX, "${1st}");
	expect_bad("${has space} rest", SUBST_SYNTAX, "${has");
	expect_bad("${a/b}", SUBST_SYNTAX, "${a/b}");
	/* at most 64 characters in a name; the quote stops after 32 */
	char name64[64 + 4] = "${", name65[65 + 4] = "${";
	memset(name64 + 2, 'a', 64);
	strcpy(name64 + 66, "}");
	memset(name65 + 2, 'a', 65);
	strcpy(name65 + 67, "}");
	char want64[65];
	memset(want64, 'a', 64);
	want64[64] = 0;
	expect_bad(name64, SUBST_UNDEFINED, want64);
	char want[35];
	memcpy(want, name65, 34);
	want[34] = 0;
	expect_bad(name65, SUBST_SYNTAX, want);
}

struct seen {
	struct strvec names;
};

static void collect(void *ctx, const char *name)
{
	sv_push(&((struct seen *)ctx)->names, name);
}

static void test_each_ref(void **state)
{
	(void)state;
	struct seen s = { STRVEC_INIT };
	subst_each_ref("${a}/$${b}/${c.d}${}/${bad name}/$$$${e}/${f}", collect, &s);
	assert_int_equal(s.names.n, 3);
	assert_string_equal(s.names.v[0], "a");
	assert_string_equal(s.names.v[1], "c.d");
	assert_string_equal(s.names.v[2], "f");
	sv_clear(&s.names);

	assert_true(subst_has_refs("x${Arch}"));
	assert_false(subst_has_refs("x$${Arch}"));
	assert_false(subst_has_refs("${} $ $$"));
	assert_false(subst_has_refs(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_each_ref),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
