/*
 * fuzz_team.c - libFuzzer target for the team file reader (libxml2 parse, schema
 * validation, the checks after it): any input is accepted or refused without crashing.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "team.h"

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
		snprintf(probe, sizeof(probe), "%s/manifests/" TEAM_SCHEMA_FILE, dir);
		if (access(probe, R_OK) == 0) {
			snprintf(probe, sizeof(probe), "%s/manifests", dir);
			setenv("WIMGRAFT_MANIFEST_DIR", probe, 1);
			return 0;
		}
	}
	fprintf(stderr, "fuzz_team: cannot find manifests/" TEAM_SCHEMA_FILE "\n");
	abort();
}

/* What the reader promises about a file it accepts. */
static void check_model(const struct team_file *tf)
{
	const char *why;
	if (!tf->nteams || tf->wait > 3600)
		abort();
	for (size_t i = 0; i < tf->nteams; i++) {
		const struct team *t = &tf->teams[i];
		if (!team_valid_interface_name(t->name, &why) || !t->nrules || t->min < 1 ||
		    t->min > t->max || t->max > TEAM_MAX_MEMBERS || t->nvlans >= TEAM_MAX_INTERFACES)
			abort();
		if (t->standby && (t->mode != TEAM_SWITCH_INDEPENDENT || t->min < 2))
			abort();
		if (t->lacp_timer != TEAM_LACP_TIMER_UNSET && t->mode != TEAM_LACP)
			abort();
		for (size_t j = 0; j < t->nvlans; j++)
			if (t->vlans[j].id < 1 || t->vlans[j].id > 4094)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct team_file *tf = NULL;
	char *msg = NULL;
	enum wg_err err = team_parse_buffer_msg((const char *)data, size, "fuzz.xml", &tf, &msg);
	if (err != WG_OK) {
		/* a refusal always says something, and every line names the file */
		if (tf || !msg)
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
		if (!tf || msg)
			abort();
		check_model(tf);
	}
	free(msg);
	team_file_free(tf);
	return 0;
}
