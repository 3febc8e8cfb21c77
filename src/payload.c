/*
 * payload.c - read a payload folder's wimgraft-payload.xml (libxml2) and serve
 * its files as a source: matched by pattern, copied out with their SHA-1 checked.
 */
#include "payload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

struct payload_file {
	char *source_path;          /* path in the source image ('/'-separated) */
	char *dest_path;            /* path in the payload folder */
	uint64_t size;
	uint8_t sha1[20];
};

struct payload {
	char *dir;
	struct image_info info;
	struct payload_file *files;
	size_t nfiles;
};

static char *attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

static bool safe_rel(const char *p)
{
	if (!p || !*p || p[0] == '/' || p[0] == '\\')
		return false;
	const char *c = p;
	while (*c) {
		size_t len = strcspn(c, "/\\");
		if ((len == 2 && !strncmp(c, "..", 2)) || (len == 1 && c[0] == '.') || len == 0)
			return false;
		c += len;
		if (*c)
			c++;
	}
	return true;
}

static enum wg_err read_source(struct payload *p, xmlNode *n, const char *xml)
{
	char *s;
	struct image_info *i = &p->info;
	i->index = 1;
	i->name = attr(n, "name");
	i->description = attr(n, "description");
	i->edition = attr(n, "edition");
	i->installation_type = attr(n, "installation-type");
	i->arch = attr(n, "arch");
	i->version = attr(n, "version");
	i->default_language = attr(n, "default-language");
	if ((s = attr(n, "build"))) {
		i->build = (unsigned)strtoul(s, NULL, 10);
		free(s);
	}
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, (const xmlChar *)"language")) {
			xmlChar *v = xmlNodeGetContent(c);
			if (v)
				sv_push(&i->languages, (const char *)v);
			xmlFree(v);
		}
	}
	(void)xml;
	return WG_OK;
}

static enum wg_err read_file_entry(struct payload *p, xmlNode *n, const char *xml)
{
	struct payload_file f = { 0 };
	char *size = attr(n, "size"), *sha1 = attr(n, "sha1");
	f.source_path = attr(n, "source");
	f.dest_path = attr(n, "path");
	enum wg_err ret = WG_OK;
	if (!f.dest_path || !safe_rel(f.dest_path) || !f.source_path || !safe_rel(f.source_path) ||
	    !size || !sha1_from_hex(sha1, f.sha1)) {
		wg_error("'%s' line %ld: a <file> needs safe relative 'path' and 'source', "
			 "'size' and a 40-digit 'sha1'", xml, xmlGetLineNo(n));
		ret = WG_ERR_MANIFEST;
		free(f.source_path);
		free(f.dest_path);
	} else {
		f.size = strtoull(size, NULL, 10);
		p->files = xrealloc(p->files, (p->nfiles + 1) * sizeof(*p->files));
		p->files[p->nfiles++] = f;
	}
	free(size);
	free(sha1);
	return ret;
}

/*
 * A listed file must be what extract and apply will copy: a regular file of the recorded size,
 * reached without a symbolic link. Checked when the folder is opened, so that check refuses
 * it with the same message.
 */
static enum wg_err check_listed(const char *dir, const struct payload_file *f)
{
	char *rel = xstrdup(f->dest_path), *save = NULL, *comp, *next;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	enum wg_err ret = WG_OK;
	struct stat st;
	if (fd < 0) {
		wg_error("cannot open payload folder '%s': %s", dir, strerror(errno));
		free(rel);
		return WG_ERR_IO;
	}
	for (comp = strtok_r(rel, "/", &save); comp && !ret; comp = next) {
		next = strtok_r(NULL, "/", &save);
		if (fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			wg_error("'%s' in payload folder '%s' is missing: %s", f->dest_path, dir,
				 strerror(errno));
			ret = errno == ENOENT ? WG_ERR_NOT_FOUND : WG_ERR_IO;
		} else if (S_ISLNK(st.st_mode)) {
			wg_error("'%s' in payload folder '%s' is a symbolic link; refusing to use it",
				 f->dest_path, dir);
			ret = WG_ERR_UNSAFE_PATH;
		} else if (next) {
			int sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				wg_error("cannot open '%s' in payload folder '%s': %s", f->dest_path, dir,
					 strerror(errno));
				ret = WG_ERR_IO;
			}
			close(fd);
			fd = sub;
		} else if (!S_ISREG(st.st_mode)) {
			wg_error("'%s' in payload folder '%s' is not a regular file", f->dest_path, dir);
			ret = WG_ERR_UNSAFE_PATH;
		} else if ((uint64_t)st.st_size != f->size) {
			wg_error("'%s' in payload folder '%s' is %llu bytes; %s says %llu", f->dest_path,
				 dir, (unsigned long long)st.st_size, PAYLOAD_XML,
				 (unsigned long long)f->size);
			ret = WG_ERR_HASH;
		}
	}
	if (fd >= 0)
		close(fd);
	free(rel);
	return ret;
}

static void payload_close(void *priv);

enum wg_err payload_open(const char *dir, struct payload **out)
{
	char *xml = xasprintf("%s/%s", dir, PAYLOAD_XML);
	struct payload *p = xcalloc(1, sizeof(*p));
	enum wg_err ret = WG_OK;
	xmlDoc *doc = NULL;

	p->dir = xstrdup(dir);
	if (access(xml, R_OK) < 0) {
		wg_error("'%s' is neither a WIM nor a payload folder (no %s: %s)", dir, PAYLOAD_XML,
			 strerror(errno));
		ret = WG_ERR_NOT_FOUND;
		goto out;
	}
	doc = xmlReadFile(xml, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || xmlStrcmp(root->name, (const xmlChar *)"wimgraft-payload")) {
		wg_error("'%s' is not a wimgraft payload description", xml);
		ret = WG_ERR_MANIFEST;
		goto out;
	}
	for (xmlNode *n = root->children; n && !ret; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrcmp(n->name, (const xmlChar *)"source"))
			ret = read_source(p, n, xml);
		else if (!xmlStrcmp(n->name, (const xmlChar *)"file"))
			ret = read_file_entry(p, n, xml);
	}
	for (size_t i = 0; i < p->nfiles && !ret; i++)
		ret = check_listed(dir, &p->files[i]);
out:
	xmlFreeDoc(doc);
	free(xml);
	if (ret) {
		payload_close(p);
		return ret;
	}
	*out = p;
	return WG_OK;
}

static void payload_close(void *priv)
{
	struct payload *p = priv;
	if (!p)
		return;
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].source_path);
		free(p->files[i].dest_path);
	}
	free(p->files);
	image_info_release(&p->info);
	free(p->dir);
	free(p);
}

static enum wg_err payload_image_info(void *priv, int index, struct image_info *info)
{
	struct payload *p = priv;
	(void)index;
	const struct image_info *s = &p->info;
	memset(info, 0, sizeof(*info));
	info->index = 1;
#define DUP(f) info->f = s->f ? xstrdup(s->f) : NULL
	DUP(name);
	DUP(description);
	DUP(edition);
	DUP(installation_type);
	DUP(arch);
	DUP(version);
	DUP(default_language);
#undef DUP
	info->build = s->build;
	for (size_t i = 0; i < s->languages.n; i++)
		sv_push(&info->languages, s->languages.v[i]);
	for (size_t i = 0; i < p->nfiles; i++) {
		info->file_count++;
		info->total_bytes += p->files[i].size;
	}
	return WG_OK;
}

/* Does the '/'-separated path match the pattern component by component? */
static bool path_match(const char *pattern, const char *path)
{
	char *pat = xstrdup(pattern), *pth = xstrdup(path);
	for (char *c = pat; *c; c++)
		if (*c == '\\')
			*c = '/';
	char *s1 = NULL, *s2 = NULL;
	char *a = strtok_r(pat, "/", &s1), *b = strtok_r(pth, "/", &s2);
	bool ok = true;
	while (a && b) {
		if (!wg_glob_match(a, b)) {
			ok = false;
			break;
		}
		a = strtok_r(NULL, "/", &s1);
		b = strtok_r(NULL, "/", &s2);
	}
	ok = ok && !a && !b;
	free(pat);
	free(pth);
	return ok;
}

static enum wg_err payload_glob(void *priv, int index, const char *pattern,
				struct source_file **out, size_t *n)
{
	struct payload *p = priv;
	(void)index;
	struct source_file *v = NULL;
	size_t count = 0;
	for (size_t i = 0; i < p->nfiles; i++) {
		if (!path_match(pattern, p->files[i].source_path))
			continue;
		v = xrealloc(v, (count + 1) * sizeof(*v));
		struct source_file *f = &v[count++];
		memset(f, 0, sizeof(*f));
		f->path = xstrdup(p->files[i].source_path);
		f->size = p->files[i].size;
		memcpy(f->sha1, p->files[i].sha1, 20);
		f->attributes = 0x20; /* ARCHIVE */
	}
	*out = v;
	*n = count;
	return WG_OK;
}

static enum wg_err copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		wg_error("cannot open '%s': %s", from, strerror(errno));
		return errno == ENOENT ? WG_ERR_NOT_FOUND : WG_ERR_IO;
	}
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		wg_error("cannot create '%s': %s", to, strerror(errno));
		close(in);
		return wg_err_from_errno(errno);
	}
	enum wg_err ret = copy_fd(in, from, out, to);
	close(in);
	if (close(out) < 0 && !ret) {
		wg_error("cannot write '%s': %s", to, strerror(errno));
		ret = wg_err_from_errno(errno);
	}
	return ret;
}

static void mkdirs_for(const char *path)
{
	char *copy = xstrdup(path);
	for (char *c = copy + 1; *c; c++) {
		if (*c == '/') {
			*c = '\0';
			mkdir(copy, 0755);
			*c = '/';
		}
	}
	free(copy);
}

static enum wg_err payload_extract(void *priv, int index, const struct source_file *files,
				   size_t n, const char *dir)
{
	struct payload *p = priv;
	(void)index;
	for (size_t i = 0; i < n; i++) {
		const struct payload_file *pf = NULL;
		for (size_t j = 0; j < p->nfiles; j++)
			if (!strcmp(p->files[j].source_path, files[i].path))
				pf = &p->files[j];
		if (!pf) {
			wg_error("'%s' is not in payload '%s'", files[i].path, p->dir);
			return WG_ERR_NOT_FOUND;
		}
		char *from = xasprintf("%s/%s", p->dir, pf->dest_path);
		char *to = xasprintf("%s/%s", dir, files[i].path);
		mkdirs_for(to);
		enum wg_err ret = copy_file(from, to);
		free(from);
		free(to);
		if (!ret)
			ret = source_check_extracted(dir, &files[i]);
		if (ret)
			return ret;
	}
	return WG_OK;
}

static int payload_image_count(void *priv)
{
	(void)priv;
	return 1;
}

static enum wg_err payload_find_name(void *priv, const char *spec, int *index)
{
	struct payload *p = priv;
	(void)spec;
	(void)index;
	wg_error("payload folder '%s' holds one image; give 1 or leave the image out", p->dir);
	return WG_ERR_NO_IMAGE;
}

const struct source_ops payload_source_ops = {
	.payload_folder = true,
	.image_count = payload_image_count,
	.find_name = payload_find_name,
	.image_info = payload_image_info,
	.glob = payload_glob,
	.extract = payload_extract,
	.close = payload_close,
};
