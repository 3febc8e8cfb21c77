/*
 * target_dir.c - the image-folder backend of target.h: every path resolved
 * below the folder with safepath (no symlink followed, Windows case rules), files written atomically.
 */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safepath.h"

struct dir_target {
	struct wg_root root;
	int config_fd;
	char *config_display;
};

static struct dir_target *priv(struct target *t)
{
	return t->priv;
}

static enum wg_err dir_lookup(struct target *t, const char *rel, char **actual, bool *is_dir)
{
	struct stat st;
	enum wg_err ret = root_lookup(&priv(t)->root, rel, actual, &st);
	if (!ret && is_dir)
		*is_dir = S_ISDIR(st.st_mode);
	if (!ret && S_ISLNK(st.st_mode)) {
		wg_error("'%s' in '%s' is a symbolic link; refusing to use it", rel,
			 priv(t)->root.path);
		if (actual) {
			free(*actual);
			*actual = NULL;
		}
		return WG_ERR_UNSAFE_PATH;
	}
	return ret;
}

/* "<folder>/<rel>", the way messages name a file of the target. */
static char *display_of(struct target *t, const char *rel)
{
	return xasprintf("%s/%s", priv(t)->root.path, rel);
}

static enum wg_err dir_hash(struct target *t, const char *rel, uint64_t *size, uint8_t sha1[20])
{
	int fd;
	enum wg_err ret = root_open_read(&priv(t)->root, rel, &fd);
	if (ret)
		return ret;
	char *name = display_of(t, rel);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		wg_error("cannot read '%s': %s", name, strerror(errno));
		ret = WG_ERR_IO;
	} else {
		*size = (uint64_t)st.st_size;
		ret = sha1_fd(fd, name, sha1);
	}
	free(name);
	close(fd);
	return ret;
}

static enum wg_err dir_read(struct target *t, const char *rel, size_t max, unsigned char **data,
			    size_t *len)
{
	int fd;
	enum wg_err ret = root_open_read(&priv(t)->root, rel, &fd);
	if (ret)
		return ret;
	char *name = display_of(t, rel);
	ret = read_fd(fd, name, max, data, len);
	free(name);
	close(fd);
	return ret;
}

static enum wg_err dir_copy_out(struct target *t, const char *rel, const char *local)
{
	int fd, out;
	enum wg_err ret = root_open_read(&priv(t)->root, rel, &fd);
	if (ret)
		return ret;
	out = open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		wg_error("cannot create '%s': %s", local, strerror(errno));
		close(fd);
		return wg_err_from_errno(errno);
	}
	char *name = display_of(t, rel);
	ret = copy_fd(fd, name, out, local);
	free(name);
	close(fd);
	if (close(out) < 0 && !ret) {
		wg_error("cannot write '%s': %s", local, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	return ret;
}

static enum wg_err dir_hive_folder(struct target *t, int *dirfd, const char **display)
{
	*dirfd = priv(t)->config_fd;
	*display = priv(t)->config_display;
	return WG_OK;
}

static enum wg_err dir_check_writable(struct target *t, const char *rel)
{
	return root_check_writable(&priv(t)->root, rel);
}

static enum wg_err dir_write_file(struct target *t, const char *rel, const char *local,
				  struct strvec *created)
{
	int fd = open(local, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		wg_error("cannot open '%s': %s", local, strerror(errno));
		return WG_ERR_IO;
	}
	enum wg_err ret = root_write_file(&priv(t)->root, rel, fd, 0644, created);
	close(fd);
	return ret;
}

static enum wg_err dir_write_buf(struct target *t, const char *rel, const void *buf, size_t len,
				 struct strvec *created)
{
	return root_write_buf(&priv(t)->root, rel, buf, len, 0644, created);
}

static enum wg_err dir_remove(struct target *t, const char *rel)
{
	return root_unlink(&priv(t)->root, rel);
}

static enum wg_err dir_rmdir(struct target *t, const char *rel)
{
	return root_rmdir_if_empty(&priv(t)->root, rel);
}

static enum wg_err dir_hives_committed(struct target *t, const char *const *names, size_t n)
{
	(void)t;
	(void)names;
	(void)n;
	return WG_OK;   /* edited in place, already renamed into the image */
}

static void dir_close(struct target *t)
{
	struct dir_target *d = priv(t);
	if (d->config_fd >= 0)
		close(d->config_fd);
	free(d->config_display);
	root_close(&d->root);
	free(d);
}

static const struct target_ops dir_ops = {
	.lookup = dir_lookup,
	.hash = dir_hash,
	.read = dir_read,
	.copy_out = dir_copy_out,
	.hive_folder = dir_hive_folder,
	.check_writable = dir_check_writable,
	.write_file = dir_write_file,
	.write_buf = dir_write_buf,
	.remove = dir_remove,
	.rmdir_if_empty = dir_rmdir,
	.hives_committed = dir_hives_committed,
	.close = dir_close,
};

enum wg_err target_open_dir(const char *dir, struct target **out)
{
	struct dir_target *d = xcalloc(1, sizeof(*d));
	struct target *t = xcalloc(1, sizeof(*t));
	char *leaf = NULL, *actual = NULL;
	struct stat st;
	enum wg_err ret;

	d->config_fd = -1;
	t->ops = &dir_ops;
	t->priv = d;
	t->display = xasprintf("'%s'", dir);
	ret = root_open(dir, &d->root);
	if (ret)
		goto fail;
	ret = root_lookup(&d->root, TARGET_CONFIG_DIR "/SYSTEM", &actual, &st);
	if (ret == WG_ERR_NOT_FOUND || (!ret && !S_ISREG(st.st_mode))) {
		wg_error("'%s' does not look like a Windows image: no regular file %s/SYSTEM", dir,
			 TARGET_CONFIG_DIR);
		ret = WG_ERR_NOT_IMAGE_DIR;
		goto fail;
	}
	if (ret)
		goto fail;
	ret = root_open_parent(&d->root, actual, false, &d->config_fd, &leaf, NULL);
	if (ret)
		goto fail;
	char *slash = strrchr(actual, '/');
	d->config_display = xasprintf("%s/%.*s", dir, (int)(slash - actual), actual);
	free(leaf);
	free(actual);
	*out = t;
	return WG_OK;
fail:
	free(leaf);
	free(actual);
	target_close(t);
	return ret;
}

void target_close(struct target *t)
{
	if (!t)
		return;
	t->ops->close(t);
	free(t->display);
	free(t);
}
