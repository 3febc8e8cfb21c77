/*
 * test_unattend.c - the answer-file edit: a new file, an existing one keeping its other
 * content (compared in canonical form by libxml2's C14N), the next free Order, removal, refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "unattend.h"

static const char *CMD = "cmd.exe /c \"%SystemRoot%\\Setup\\Scripts\\wimgraft-lbfo.cmd\"";

/* An answer file of a site: comments, a prefixed namespace, other passes and commands. */
static const char site[] =
	"<?xml version='1.0' encoding='utf-8'?>\r\n"
	"<!-- site answer file -->\r\n"
	"<unattend xmlns=\"urn:schemas-microsoft-com:unattend\" "
	"xmlns:wcm=\"http://schemas.microsoft.com/WMIConfig/2002/State\" "
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\r\n"
	"    <settings pass=\"oobeSystem\">\r\n"
	"        <component name=\"Microsoft-Windows-Shell-Setup\" processorArchitecture=\"amd64\" "
	"publicKeyToken=\"31bf3856ad364e35\" language=\"neutral\" versionScope=\"nonSxS\">\r\n"
	"            <TimeZone>UTC</TimeZone>\r\n"
	"        </component>\r\n"
	"    </settings>\r\n"
	"    <settings pass=\"specialize\">\r\n"
	"        <component name=\"Microsoft-Windows-Deployment\" processorArchitecture=\"amd64\" "
	"publicKeyToken=\"31bf3856ad364e35\" language=\"neutral\" versionScope=\"nonSxS\">\r\n"
	"            <RunSynchronous>\r\n"
	"                <RunSynchronousCommand wcm:action=\"add\">\r\n"
	"                    <Order>1</Order>\r\n"
	"                    <Path>cmd /c echo one &amp;&amp; echo two</Path>\r\n"
	"                </RunSynchronousCommand>\r\n"
	"                <RunSynchronousCommand wcm:action=\"add\">\r\n"
	"                    <Order>7</Order>\r\n"
	"                    <Path>reg add HKLM\\X</Path>\r\n"
	"                </RunSynchronousCommand>\r\n"
	"            </RunSynchronous>\r\n"
	"        </component>\r\n"
	"    </settings>\r\n"
	"</unattend>\r\n";

static xmlDoc *parse(const char *buf, size_t len)
{
	xmlDoc *doc = xmlReadMemory(buf, (int)len, NULL, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	return doc;
}

static char *xpath_str(xmlDoc *doc, const char *expr)
{
	xmlXPathContext *ctx = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(ctx, BAD_CAST "u", BAD_CAST UNATTEND_NS);
	xmlXPathRegisterNs(ctx, BAD_CAST "wcm", BAD_CAST UNATTEND_WCM_NS);
	xmlXPathObject *o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	assert_non_null(o);
	xmlChar *s = xmlXPathCastToString(o);
	char *r = strdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return r;
}

static void expect_xpath(xmlDoc *doc, const char *expr, const char *want)
{
	char *got = xpath_str(doc, expr);
	if (strcmp(got, want))
		fail_msg("%s: '%s', expected '%s'", expr, got, want);
	free(got);
}

static char *c14n(xmlDoc *doc)
{
	xmlChar *out = NULL;
	assert_true(xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 0, &out) > 0);
	char *r = strdup((const char *)out);
	xmlFree(out);
	return r;
}

#define SPEC "/u:unattend/u:settings[@pass='specialize']/u:component[@name='Microsoft-Windows-Deployment']/u:RunSynchronous"

static void test_new_file(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT;
	bool changed;
	assert_int_equal(unattend_add(NULL, 0, "'unattend.xml'", CMD, "first boot", &out, &changed),
			 WG_OK);
	assert_true(changed);
	xmlDoc *doc = parse(out.buf, out.len);
	expect_xpath(doc, "count(" SPEC "/u:RunSynchronousCommand)", "1");
	expect_xpath(doc, SPEC "/u:RunSynchronousCommand/u:Order", "1");
	expect_xpath(doc, SPEC "/u:RunSynchronousCommand/u:Path", CMD);
	expect_xpath(doc, SPEC "/u:RunSynchronousCommand/@wcm:action", "add");
	expect_xpath(doc, SPEC "/../@processorArchitecture", "amd64");
	expect_xpath(doc, SPEC "/../@publicKeyToken", "31bf3856ad364e35");
	xmlFreeDoc(doc);
	/* a second time: nothing to add */
	assert_int_equal(unattend_add(out.buf, out.len, "'unattend.xml'", CMD, "x", &again, &changed),
			 WG_OK);
	assert_false(changed);
	assert_int_equal(again.len, out.len);
	assert_memory_equal(again.buf, out.buf, out.len);
	sb_release(&out);
	sb_release(&again);
}

static void test_existing_file(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT, back = STRBUF_INIT;
	bool changed, found, has;
	assert_int_equal(unattend_add(site, strlen(site), "'u.xml'", CMD, "first boot", &out,
				      &changed), WG_OK);
	assert_true(changed);
	xmlDoc *doc = parse(out.buf, out.len);
	expect_xpath(doc, "count(" SPEC "/u:RunSynchronousCommand)", "3");
	/* the next free Order, after the highest (7), the others untouched */
	expect_xpath(doc, SPEC "/u:RunSynchronousCommand[3]/u:Order", "8");
	expect_xpath(doc, SPEC "/u:RunSynchronousCommand[3]/u:Path", CMD);
	expect_xpath(doc, SPEC "/u:RunSynchronousCommand[1]/u:Order", "1");
	expect_xpath(doc, SPEC "/u:RunSynchronousCommand[2]/u:Order", "7");
	expect_xpath(doc, "/u:unattend/u:settings[@pass='oobeSystem']/u:component/u:TimeZone", "UTC");
	expect_xpath(doc, "count(/u:unattend/u:settings)", "2");
	xmlFreeDoc(doc);
	assert_int_equal(unattend_has(out.buf, out.len, "'u.xml'", CMD, &has), WG_OK);
	assert_true(has);
	assert_int_equal(unattend_has(site, strlen(site), "'u.xml'", CMD, &has), WG_OK);
	assert_false(has);

	/* taken out again: the same document in canonical form */
	assert_int_equal(unattend_remove(out.buf, out.len, "'u.xml'", CMD, &back, &found), WG_OK);
	assert_true(found);
	xmlDoc *a = parse(site, strlen(site)), *b = parse(back.buf, back.len);
	char *ca = c14n(a), *cb = c14n(b);
	assert_string_equal(ca, cb);
	free(ca);
	free(cb);
	xmlFreeDoc(a);
	xmlFreeDoc(b);
	sb_release(&out);
	sb_release(&back);
}

static void test_other_passes_only(void **state)
{
	(void)state;
	/* a file without a specialize pass: it is added, the rest kept */
	const char *t = "<unattend xmlns=\"urn:schemas-microsoft-com:unattend\">\n"
			"  <settings pass=\"windowsPE\"/>\n</unattend>\n";
	struct strbuf out = STRBUF_INIT;
	bool changed;
	assert_int_equal(unattend_add(t, strlen(t), "'u.xml'", CMD, NULL, &out, &changed), WG_OK);
	xmlDoc *doc = parse(out.buf, out.len);
	expect_xpath(doc, "count(/u:unattend/u:settings)", "2");
	expect_xpath(doc, "/u:unattend/u:settings[1]/@pass", "windowsPE");
	expect_xpath(doc, SPEC "/u:RunSynchronousCommand/u:Order", "1");
	expect_xpath(doc, "count(" SPEC "/u:RunSynchronousCommand/u:Description)", "0");
	xmlFreeDoc(doc);
	sb_release(&out);
}

static void refused(const char *text)
{
	struct strbuf out = STRBUF_INIT;
	bool changed;
	assert_int_equal(unattend_add(text, strlen(text), "'u.xml'", CMD, NULL, &out, &changed),
			 WG_ERR_ANSWER_FILE);
	sb_release(&out);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("<unattend><settings pass=\"specialize\"/></unattend>");
	refused("<unattend xmlns=\"urn:other\"/>");
	refused("<feature xmlns=\"urn:schemas-microsoft-com:unattend\"/>");
	refused("<unattend xmlns=\"urn:schemas-microsoft-com:unattend\">");
	refused("<!DOCTYPE unattend [<!ENTITY a \"b\">]>\n"
		"<unattend xmlns=\"urn:schemas-microsoft-com:unattend\">&a;</unattend>");
	refused("");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_file),
		cmocka_unit_test(test_existing_file),
		cmocka_unit_test(test_other_passes_only),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
