/*
 * payload_write.c - lay out a payload folder from a staged, resolved feature:
 * copies of its files, the .reg (via regfile), install.cmd and the XML description (libxml2).
 */
#include "payload_write.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/xmlwriter.h>

#include "firstboot_script.h"
#include "payload.h"
#include "reg_hives.h"
#include "regfile.h"

char *payload_reg_name(const char *feature)
{
	char *name = xasprintf("Enable_%s.reg", feature);
	name[7] = (char)toupper((unsigned char)name[7]);
	return name;
}

char *payload_drivers_reg_name(const char *feature)
{
	char *name = xasprintf("Enable_%s_DRIVERS.reg", feature);
	name[7] = (char)toupper((unsigned char)name[7]);
	return name;
}

static enum wg_err write_all(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		wg_error("cannot create '%s': %s", path, strerror(errno));
		return wg_err_from_errno(errno);
	}
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			wg_error("cannot write '%s': %s", path, strerror(errno));
			close(fd);
			return wg_err_from_errno(errno);
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		wg_error("cannot write '%s': %s", path, strerror(errno));
		return wg_err_from_errno(errno);
	}
	return WG_OK;
}

static enum wg_err make_parents(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);
	enum wg_err ret = WG_OK;
	for (char *c = path + strlen(dir) + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			wg_error("cannot create '%s': %s", path, strerror(errno));
			ret = wg_err_from_errno(errno);
		}
		*c = '/';
		if (ret)
			break;
	}
	free(path);
	return ret;
}

/* Copy a staged file in 64 KiB pieces (a driver may be gigabytes; memory stays bounded). */
static enum wg_err copy_streamed(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0) {
		wg_error("cannot open '%s': %s", from, strerror(errno));
		return WG_ERR_IO;
	}
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (out < 0) {
		wg_error("cannot create '%s': %s", to, strerror(errno));
		close(in);
		return wg_err_from_errno(errno);
	}
	enum wg_err ret = copy_fd(in, from, out, to);
	close(in);
	if (!ret && (fsync(out) < 0 || close(out) < 0)) {
		wg_error("cannot write '%s': %s", to, strerror(errno));
		return wg_err_from_errno(errno);
	}
	if (ret)
		close(out);
	return ret;
}

static enum wg_err copy_files(const struct graft_source *gs, const char *dir)
{
	for (size_t i = 0; i < gs->res.nfiles; i++) {
		const struct resolved_file *rf = &gs->res.files[i];
		if (rf->status != RESOLVED_OK)
			continue;
		char *from = xasprintf("%s/payload/%s", gs->staging, rf->source);
		char *to = xasprintf("%s/%s", dir, rf->dest);
		enum wg_err ret = make_parents(dir, rf->dest);
		if (!ret)
			ret = copy_streamed(from, to);
		free(from);
		free(to);
		if (ret)
			return ret;
	}
	return WG_OK;
}

/* One install.cmd step: announced, run with its output in the log, stopped at on failure. */
static void install_step(struct strbuf *sb, const char *what, const char *command)
{
	char *echo = fbscript_echo_text(command);
	sb_addf(sb, "echo install: %s\r\n"
		    ">>\"%%WG_LOG%%\" echo(%%DATE%% %%TIME%% run: %s\r\n"
		    "%s >>\"%%WG_LOG%%\" 2>&1\r\n"
		    "set \"WG_RC=%%ERRORLEVEL%%\"\r\n"
		    ">>\"%%WG_LOG%%\" echo(%%DATE%% %%TIME%% exit %%WG_RC%%: %s\r\n"
		    "if not \"%%WG_RC%%\"==\"0\" set \"WG_FAILED=%s\"\r\n"
		    "if defined WG_FAILED goto wg_failed\r\n", what, echo, command, echo, what);
	free(echo);
}

static enum wg_err write_install_cmd(const struct graft_source *gs, const char *dir,
				     const char *reg_name, const char *drivers_reg)
{
	struct strbuf sb = STRBUF_INIT;
	const char *id = gs->m->id;
	sb_addf(&sb, "@echo off\r\n"
		"rem install.cmd - installs '%s' on a running Windows from this folder: copies the\r\n"
		"rem files, imports the registry values (the DRIVERS hive loaded for it when Windows\r\n"
		"rem has not), then runs the first-boot steps. Run it as administrator. Every step\r\n"
		"rem goes to %%SystemRoot%%\\Logs\\wimgraft\\install-%s.log; the first failure stops it.\r\n"
		"setlocal EnableExtensions DisableDelayedExpansion\r\n"
		"net session >nul 2>&1\r\n"
		"if not errorlevel 1 goto wg_admin\r\n"
		"echo error: install.cmd needs administrator rights: run it from an elevated prompt "
		"(Run as administrator); nothing was changed\r\n"
		"exit /b 1\r\n"
		":wg_admin\r\n"
		"cd /d \"%%~dp0\" || exit /b 1\r\n"
		"set \"WG_LOG=%%SystemRoot%%\\Logs\\wimgraft\\install-%s.log\"\r\n"
		"set \"WG_FAILED=\"\r\n"
		"set \"WG_UNLOAD=\"\r\n"
		"if not exist \"%%SystemRoot%%\\Logs\\wimgraft\\\" mkdir \"%%SystemRoot%%\\Logs\\wimgraft\"\r\n"
		">>\"%%WG_LOG%%\" echo(%%DATE%% %%TIME%% install of %s started from %%CD%%\r\n",
		gs->m->name ? gs->m->name : id, id, id, id);
	install_step(&sb, "copy the files into %SystemRoot%",
		     "xcopy /H /Y /E Windows \"%SystemRoot%\\\"");
	char *imp = xasprintf("reg import \"%s\"", reg_name);
	install_step(&sb, "import the registry values", imp);
	free(imp);
	if (drivers_reg) {
		sb_addstr(&sb, "rem the driver store's index: HKLM\\DRIVERS, loaded here unless Windows "
			       "has it loaded\r\n"
			       "reg query HKLM\\DRIVERS >nul 2>&1\r\n"
			       "if not errorlevel 1 goto wg_drivers_loaded\r\n");
		install_step(&sb, "load the DRIVERS hive",
			     "reg load HKLM\\DRIVERS \"%SystemRoot%\\System32\\config\\DRIVERS\"");
		sb_addstr(&sb, "set \"WG_UNLOAD=1\"\r\n"
			       ":wg_drivers_loaded\r\n");
		imp = xasprintf("reg import \"%s\"", drivers_reg);
		install_step(&sb, "import the DRIVERS values", imp);
		free(imp);
		sb_addstr(&sb, "if not defined WG_UNLOAD goto wg_drivers_done\r\n"
			       "set \"WG_UNLOAD=\"\r\n");
		install_step(&sb, "unload the DRIVERS hive", "reg unload HKLM\\DRIVERS");
		sb_addstr(&sb, ":wg_drivers_done\r\n");
	}
	if (gs->fb_made) {
		char *call = fbscript_call_line(id);
		install_step(&sb, "run the first-boot steps (see firstboot.log)", call);
		free(call);
	}
	sb_addf(&sb, ">>\"%%WG_LOG%%\" echo(%%DATE%% %%TIME%% install of %s done\r\n"
		     "echo install: done; restart Windows to load the driver\r\n"
		     "endlocal & exit /b 0\r\n"
		     ":wg_failed\r\n"
		     ">>\"%%WG_LOG%%\" echo(%%DATE%% %%TIME%% install of %s FAILED: %%WG_FAILED%% "
		     "(exit status %%WG_RC%%)\r\n"
		     "echo error: install.cmd stopped: could not %%WG_FAILED%% (exit status "
		     "%%WG_RC%%); see %%WG_LOG%%\r\n"
		     "if defined WG_UNLOAD reg unload HKLM\\DRIVERS >nul 2>&1\r\n"
		     "endlocal & exit /b 1\r\n", id, id);
	char *path = xasprintf("%s/install.cmd", dir);
	enum wg_err ret = write_all(path, sb.buf, sb.len);
	free(path);
	sb_release(&sb);
	return ret;
}

/* The feature's operations split: the DRIVERS hive's go to a .reg of their own. */
static enum wg_err split_ops(const struct reg_ops *all, struct reg_ops *main_ops,
			     struct reg_ops *drivers)
{
	for (size_t i = 0; i < all->n; i++) {
		const struct reg_op *op = &all->v[i];
		const char *hive, *rest;
		if (op->flags) {
			wg_error("'%s' line %u: a .reg file cannot say NOCLOBBER or APPEND; this "
				 "value can only be grafted offline", op->origin ? op->origin : "?",
				 op->line);
			return WG_ERR_REG_SYNTAX;
		}
		enum wg_err err = reg_route(op->key, op->origin, op->line, &hive, &rest);
		if (err)
			return err;
		reg_ops_push(strcmp(hive, "DRIVERS") ? main_ops : drivers, op);
	}
	return WG_OK;
}

static void attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	if (value)
		xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value);
}

/* A signed file: its hashes and the catalog (by its path in the folder) that lists it. */
static void write_signature(xmlTextWriterPtr w, const struct resolution *r,
			    const struct resolved_file *rf)
{
	char hex[65];
	if (rf->is_catalog)
		attr(w, "role", "catalog");
	if (rf->sign == SIGN_NONE)
		return;
	attr(w, "signed", sign_kind_name(rf->sign));
	hash_to_hex(rf->hashes.sha1, 20, hex);
	attr(w, "signed-sha1", hex);
	hash_to_hex(rf->hashes.sha256, 32, hex);
	attr(w, "signed-sha256", hex);
	for (size_t i = 0; rf->catalog && i < r->nfiles; i++)
		if (r->files[i].is_catalog && !strcmp(r->files[i].source, rf->catalog)) {
			attr(w, "catalog", r->files[i].dest);
			attr(w, "listed-by", rf->catalog_sha256 ? "sha256" : "sha1");
		}
}

static enum wg_err write_description(const struct graft_source *gs, const char *dir)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
	const struct image_info *info = &gs->res.info;
	char num[32];

	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
	xmlTextWriterStartElement(w, BAD_CAST "wimgraft-payload");
	attr(w, "format", "1");
	xmlTextWriterStartElement(w, BAD_CAST "feature");
	attr(w, "id", gs->m->id);
	attr(w, "name", gs->m->name);
	attr(w, "version", gs->m->version);
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "source");
	attr(w, "path", source_path(gs->src));
	snprintf(num, sizeof(num), "%d", gs->res.image);
	attr(w, "image", num);
	attr(w, "name", info->name);
	attr(w, "description", info->description);
	attr(w, "edition", info->edition);
	attr(w, "installation-type", info->installation_type);
	attr(w, "arch", info->arch);
	attr(w, "version", info->version);
	snprintf(num, sizeof(num), "%u", info->build);
	attr(w, "build", num);
	attr(w, "default-language", info->default_language);
	for (size_t i = 0; i < info->languages.n; i++)
		xmlTextWriterWriteElement(w, BAD_CAST "language", BAD_CAST info->languages.v[i]);
	xmlTextWriterEndElement(w);
	xmlTextWriterStartElement(w, BAD_CAST "params");
	for (size_t i = 0; i < gs->res.values.n; i++) {
		const char *v = gs->res.values.v[i], *eq = strchr(v, '=');
		if (!eq)
			continue;
		char *name = xstrndup(v, (size_t)(eq - v));
		xmlTextWriterStartElement(w, BAD_CAST "param");
		attr(w, "name", name);
		attr(w, "value", eq + 1);
		xmlTextWriterEndElement(w);
		free(name);
	}
	xmlTextWriterEndElement(w);
	for (size_t i = 0; i < gs->res.nfiles; i++) {
		const struct resolved_file *rf = &gs->res.files[i];
		char hex[41];
		if (rf->status != RESOLVED_OK)
			continue;
		xmlTextWriterStartElement(w, BAD_CAST "file");
		attr(w, "path", rf->dest);
		attr(w, "source", rf->source);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)rf->size);
		attr(w, "size", num);
		sha1_to_hex(rf->sha1, hex);
		attr(w, "sha1", hex);
		write_signature(w, &gs->res, rf);
		xmlTextWriterEndElement(w);
	}
	xmlTextWriterEndElement(w);
	xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	char *path = xasprintf("%s/%s", dir, PAYLOAD_XML);
	enum wg_err ret = write_all(path, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
	free(path);
	xmlBufferFree(buf);
	return ret;
}

enum wg_err payload_write(const struct graft_source *gs, const char *dir)
{
	struct strbuf reg = STRBUF_INIT, dreg = STRBUF_INIT;
	struct reg_ops main_ops = { 0 }, drivers = { 0 };
	char *reg_name = payload_reg_name(gs->m->id);
	char *dreg_name = payload_drivers_reg_name(gs->m->id);
	char *reg_path = xasprintf("%s/%s", dir, reg_name);
	char *dreg_path = xasprintf("%s/%s", dir, dreg_name);
	enum wg_err ret = split_ops(&gs->res.ops, &main_ops, &drivers);
	if (!ret)
		ret = copy_files(gs, dir);
	if (!ret)
		ret = regfile_write_regedit5(&main_ops, &reg);
	if (!ret)
		ret = write_all(reg_path, reg.buf, reg.len);
	if (!ret && drivers.n)
		ret = regfile_write_regedit5(&drivers, &dreg);
	if (!ret && drivers.n)
		ret = write_all(dreg_path, dreg.buf, dreg.len);
	if (!ret)
		ret = write_install_cmd(gs, dir, reg_name, drivers.n ? dreg_name : NULL);
	if (!ret)
		ret = write_description(gs, dir);
	reg_ops_release(&main_ops);
	reg_ops_release(&drivers);
	sb_release(&reg);
	sb_release(&dreg);
	free(reg_name);
	free(dreg_name);
	free(reg_path);
	free(dreg_path);
	return ret;
}
