/*
 * journal.h - the intent journal of an image folder: every change to the image is
 * recorded and synced before it is made, originals are kept until the end, so a kill is undone.
 */
#ifndef WIMGRAFT_JOURNAL_H
#define WIMGRAFT_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "safepath.h"

/* In the image's Windows/Logs/wimgraft: the journal, and the originals it keeps. */
#define JOURNAL_NAME "journal"
#define JOURNAL_SAVED "journal.d"
#define JOURNAL_MAGIC "wimgraft-journal 1"

enum jstep_kind {
	JSTEP_WRITE,    /* a file created or replaced (atomically) */
	JSTEP_REMOVE,   /* a file removed (moved into journal.d until the end) */
	JSTEP_MKDIR,    /* a folder made */
	JSTEP_RMDIR,    /* an empty folder removed */
	JSTEP_PROBE,    /* a write test in the folder nearest to a path */
};

struct jstep {
	enum jstep_kind kind;
	unsigned long n;           /* its number: the name of the kept original in journal.d */
	char *path;                /* below the image root, '/'-separated */
	bool has_old;              /* WRITE, REMOVE: the file that was there */
	uint64_t old_size;
	uint8_t old_sha1[20];
	bool has_new;              /* WRITE: what is written, when known beforehand */
	uint64_t new_size;
	uint8_t new_sha1[20];
};

struct jsteps {
	struct jstep *v;
	size_t n;
	char *command;             /* the command that wrote the journal */
	long pid;
	bool committed;            /* the completion mark is there */
};

/*
 * Parse a journal's text (untrusted: every field is checked). A last line without
 * its newline is a step never started and is ignored. display names the file in messages.
 */
enum wg_err journal_parse(const char *display, const char *text, size_t len, struct jsteps *out);
void jsteps_release(struct jsteps *s);
/* One step as a journal line, newline included (appended to sb). */
void journal_format_step(const struct jstep *s, struct strbuf *sb);

struct journal {
	const struct wg_root *root;  /* borrowed */
	int dirfd;                 /* Windows/Logs/wimgraft (owned) */
	int fd;                    /* the journal, once begun */
	int savedfd;               /* journal.d, once made */
	char *command;
	char *display;             /* "'<root>/Windows/Logs/wimgraft/journal'" */
	struct jsteps steps;       /* what this run did so far */
};

/* dirfd: the folder Windows/Logs/wimgraft of root (dup'd). Nothing is written yet. */
void journal_init(struct journal *j, const struct wg_root *root, int dirfd, const char *command);
/*
 * Finish a journal an interrupted run left: rolled back, or forward when it was
 * marked complete; said on stderr. Without write (a reader): WG_ERR_UNFINISHED, said.
 * Rolling back that fails: WG_ERR_PARTIAL, the journal kept. *found says whether there was one.
 */
enum wg_err journal_recover(struct journal *j, bool write, bool *found);

/* Record, before the change, each kind of change (the journal is begun at the first). */
enum wg_err journal_before_write(struct journal *j, const char *rel, const uint64_t *new_size,
				 const uint8_t new_sha1[20]);
enum wg_err journal_before_rmdir(struct journal *j, const char *rel);
enum wg_err journal_before_probe(struct journal *j, const char *rel);
/* Remove a file: recorded, then moved into journal.d (so that it can come back). */
enum wg_err journal_remove(struct journal *j, const char *rel);

bool journal_active(const struct journal *j);
/* Has this run recorded a change to the image (more than write tests)? */
bool journal_changed(const struct journal *j);
/* Mark complete, then drop the kept originals and the journal. */
enum wg_err journal_commit(struct journal *j);
/* Put everything back, newest first; WG_ERR_PARTIAL (journal kept) when that failed. */
enum wg_err journal_rollback(struct journal *j);
void journal_release(struct journal *j);

#endif
