/*
 * tools.h - for unit tests: build the sample generators (samples/mkpe.c, a tiny PE
 * image; samples/mkcat.c, test catalogs and their PKI) into a temporary folder.
 */
#ifndef WIMGRAFT_TEST_TOOLS_H
#define WIMGRAFT_TEST_TOOLS_H

#include <stdlib.h>
#include <string.h>

#include "shell.h"

/* A new temporary folder holding mkpe and mkcat (and, with pki, a test PKI in dir/pki). */
static char *tools_setup(int pki) __attribute__((unused));
static char *tools_setup(int pki)
{
	char tmpl[] = "/tmp/wg-unit-tools.XXXXXX";
	if (!mkdtemp(tmpl))
		abort();
	char *dir = xstrdup(tmpl);
	if (run("cc -O1 -o '%s/mkpe' samples/mkpe.c && "
		"cc -O1 -D_GNU_SOURCE -o '%s/mkcat' samples/mkcat.c $(pkg-config --libs libcrypto)",
		dir, dir) != 0)
		abort();
	if (pki && run("mkdir '%s/pki' && '%s/mkcat' pki '%s/pki'", dir, dir, dir) != 0)
		abort();
	return dir;
}

static void tools_teardown(char *dir) __attribute__((unused));
static void tools_teardown(char *dir)
{
	run("rm -rf '%s'", dir);
	free(dir);
}

#endif
