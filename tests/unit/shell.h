/*
 * shell.h - for unit tests: run a shell command (the independent tools that check
 * results, like wimlib-imagex) and take its exit status or its whole stdout.
 */
#ifndef WIMGRAFT_TEST_SHELL_H
#define WIMGRAFT_TEST_SHELL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static char *sh_command(const char *fmt, va_list ap)
{
	char *cmd;
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	return cmd;
}

/* system() of a formatted command. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static int run(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = sh_command(fmt, ap);
	va_end(ap);
	int st = system(cmd);
	free(cmd);
	return st;
}

/* A formatted command's whole stdout (a new string, empty when it could not run). */
static char *output_of(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static char *output_of(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = sh_command(fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	free(cmd);
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	sb_grow(&sb, 1);
	while (p && (n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_add(&sb, buf, n);
	if (p)
		pclose(p);
	return sb_detach(&sb);
}

#endif
