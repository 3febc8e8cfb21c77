/*
 * team.h - the team file: the NIC teams to make at first boot, read from XML validated
 * against wimgraft-team.xsd, plus the checks a schema cannot make (Windows' own rules and limits).
 */
#ifndef WIMGRAFT_TEAM_H
#define WIMGRAFT_TEAM_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "util.h"

#define TEAM_FORMAT 1
#define TEAM_SCHEMA_FILE "wimgraft-team.xsd"
#define TEAM_MAX_MEMBERS 32       /* Windows: members in one team */
#define TEAM_MAX_INTERFACES 32    /* Windows: team interfaces of one team, its own included */
#define TEAM_NAME_MAX 256         /* an interface name, in UTF-16 code units */
#define TEAM_WAIT_DEFAULT 120     /* seconds the script waits for the adapters */

enum team_mode { TEAM_SWITCH_INDEPENDENT, TEAM_STATIC, TEAM_LACP };
enum team_algorithm {
	TEAM_ALG_DYNAMIC, TEAM_ALG_TRANSPORT_PORTS, TEAM_ALG_IP_ADDRESSES,
	TEAM_ALG_MAC_ADDRESSES, TEAM_ALG_HYPERV_PORT,
};
enum team_lacp_timer { TEAM_LACP_TIMER_UNSET, TEAM_LACP_FAST, TEAM_LACP_SLOW };

/* Adapters chosen at first boot: every field given must hold. */
struct team_rule {
	char *name;              /* -like pattern on the interface name, or NULL */
	char *description;       /* -like pattern on the interface description, or NULL */
	struct strvec macs;      /* "00-15-5D-01-02-03" or a prefix "00-15-5D-*" (upper case) */
	char *pci;               /* "SEGMENT:BUS:DEVICE.FUNCTION", fields may be '*', or NULL */
	unsigned line;
};

struct team_vlan {
	unsigned id;             /* 1..4094 */
	char *name;              /* or NULL: Windows names it */
	unsigned line;
};

struct team {
	char *name;
	enum team_mode mode;
	enum team_algorithm algorithm;
	enum team_lacp_timer lacp_timer;
	unsigned min, max;       /* member counts */
	struct team_rule *rules;
	size_t nrules;
	struct team_rule *standby;  /* or NULL */
	struct team_vlan *vlans;
	size_t nvlans;
	unsigned line;
};

struct team_file {
	struct team *teams;
	size_t nteams;
	unsigned wait;           /* seconds */
};

const char *team_mode_name(enum team_mode mode);
const char *team_algorithm_name(enum team_algorithm alg);
const char *team_lacp_timer_name(enum team_lacp_timer timer);   /* NULL when unset */

/*
 * Read a team file: parse (no network, no entities, no DOCTYPE), validate against the
 * schema, check. Every error is printed as "'name' line N: ..." and WG_ERR_TEAM returned.
 */
enum wg_err team_parse_buffer(const char *buf, size_t len, const char *name, struct team_file **out);
/* The same with the messages collected in *msg (one per line) instead of printed. */
enum wg_err team_parse_buffer_msg(const char *buf, size_t len, const char *name,
				  struct team_file **out, char **msg);
/* Read the file at path (a missing file is an invalid team file: exit 2). */
enum wg_err team_load(const char *path, struct team_file **out);
void team_file_free(struct team_file *tf);

/* Is s a name Windows accepts for an interface? *why (static text) says why not. */
bool team_valid_interface_name(const char *s, const char **why);

#endif
