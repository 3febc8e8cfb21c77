/*
 * tempdir.c - make, lock, remove and sweep wimgraft's temporary folders, so that
 * a run killed with SIGKILL leaves nothing behind for long.
 */
#include "tempdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char *tmp_root(void)
{
	const char *tmp = getenv("TMPDIR");
	return tmp && *tmp ? tmp : "/tmp";
}

/*
 * A folder of ours is stale when nobody holds its lock; one without a lock file is
 * left alone for an hour (it may be being made).
 */
static void sweep(const char *root, const char *prefix)
{
	DIR *d = opendir(root);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		char *dir = xasprintf("%s/%s", root, e->d_name);
		char *lock = xasprintf("%s/lock", dir);
		struct stat st;
		bool stale = false;
		int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			stale = flock(fd, LOCK_EX | LOCK_NB) == 0;
			close(fd);
		} else if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
			   time(NULL) - st.st_mtime > 3600) {
			stale = true;
		}
		if (stale && lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
			wg_verbose("removing '%s', left by an interrupted run", dir);
			/* a helper process of the killed run (mkntfs) may still be finishing a file in it */
			for (int tries = 0; tries < 5; tries++) {
				wg_remove_tree(dir);
				if (access(dir, F_OK) < 0)
					break;
				usleep(100000);
			}
		}
		free(lock);
		free(dir);
	}
	closedir(d);
}

enum wg_err temp_dir_create(const char *prefix, struct temp_dir *td)
{
	const char *root = tmp_root();
	td->lock_fd = -1;
	sweep(root, prefix);
	td->path = xasprintf("%s/%sXXXXXX", root, prefix);
	if (!mkdtemp(td->path)) {
		wg_error("cannot create a temporary folder '%s': %s", td->path, strerror(errno));
		free(td->path);
		td->path = NULL;
		return WG_ERR_IO;
	}
	char *lock = xasprintf("%s/lock", td->path);
	td->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (td->lock_fd >= 0)
		flock(td->lock_fd, LOCK_EX);
	free(lock);
	return WG_OK;
}

void temp_dir_remove(struct temp_dir *td)
{
	if (!td->path)
		return;   /* never made (a zeroed struct is fine too) */
	wg_remove_tree(td->path);
	free(td->path);
	td->path = NULL;
	if (td->lock_fd >= 0)
		close(td->lock_fd);
	td->lock_fd = -1;
}
