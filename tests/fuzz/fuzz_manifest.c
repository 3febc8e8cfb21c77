/*
 * fuzz_manifest.c - libFuzzer target for the manifest loader (libxml2 parse,
 * schema validation, model): any input is accepted or refused without crashing.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"
#include "subst.h"

/* The schema lives in <checkout>/manifests; find it upward from the binary. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (getenv("WIMGRAFT_MANIFEST_DIR"))
		return 0;
	char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		abort();
	dir[n] = '\0';
	for (char *s = strrchr(dir, '/'); s; s = strrchr(dir, '/')) {
		*s = '\0';
		char probe[PATH_MAX + 64];
		snprintf(probe, sizeof(probe), "%s/manifests/" MANIFEST_SCHEMA_FILE, dir);
		if (access(probe, R_OK) == 0) {
			snprintf(probe, sizeof(probe), "%s/manifests", dir);
			setenv("WIMGRAFT_MANIFEST_DIR", probe, 1);
			return 0;
		}
	}
	fprintf(stderr, "fuzz_manifest: cannot find manifests/" MANIFEST_SCHEMA_FILE "\n");
	abort();
}

static const char *any_value(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return "x";
}

/* A template the loader accepted must expand. */
static void expands(const char *tmpl)
{
	char *out, *bad;
	if (!tmpl)
		return;
	if (subst_expand(tmpl, any_value, NULL, &out, &bad) != SUBST_OK)
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m = NULL;
	char *msg = NULL;
	static const char *const params[] = { "lang=ja-JP", "start=3" };
	struct strvec sv = STRVEC_INIT;
	/* half of the inputs also carry -D values, to reach their checks */
	if (size && (data[0] & 1))
		for (size_t i = 0; i < 2; i++)
			sv_push(&sv, params[i]);

	enum wg_err err = manifest_parse_buffer_msg((const char *)data, size, "fuzz.xml", &sv, &m, &msg);
	if (err != WG_OK) {
		/* a refusal always says something, and every line names the file */
		if (m || !msg)
			abort();
		for (char *line = msg; *line;) {
			if (strncmp(line, "'fuzz.xml'", 10))
				abort();
			char *nl = strchr(line, '\n');
			if (!nl)
				break;
			line = nl + 1;
		}
	} else {
		if (!m || msg || !m->id || !m->name)
			abort();
		for (size_t i = 0; i < m->nfiles; i++) {
			expands(m->files[i].source);
			expands(m->files[i].dest);
		}
		for (size_t i = 0; i < m->nregs; i++) {
			const struct manifest_reg *r = &m->regs[i];
			if ((unsigned)r->hive >= HIVE_COUNT)
				abort();
			expands(r->key);
			expands(r->name);
			for (size_t j = 0; j < r->strings.n; j++)
				expands(r->strings.v[j]);
			if (r->kind == REG_OP_SET_VALUE && r->derive == DERIVE_NONE &&
			    ((r->type == REG_DWORD && r->len != 4) || (r->type == REG_QWORD && r->len != 8)))
				abort();
		}
		for (size_t i = 0; i < m->ncommands; i++)
			expands(m->commands[i].text);
	}
	free(msg);
	manifest_free(m);
	sv_clear(&sv);
	return 0;
}
