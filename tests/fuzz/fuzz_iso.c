/*
 * fuzz_iso.c - libFuzzer target for the ISO path: the volume recognition probe, libudfread on a
 * memory-backed block input, and the install image lookup and reads behind it, on any bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <udfread/udfread.h>

#include "iso.h"

#define READ_CAP (4u << 20)   /* a crafted file entry may claim terabytes: read a bounded start */

static void read_start(struct udfread *udf, const char *path)
{
	static unsigned char buf[65536];
	char *abs = xasprintf("/%s", path);
	UDFFILE *f = udfread_file_open(udf, abs);
	size_t total = 0;
	ssize_t n;
	while (f && total < READ_CAP && (n = udfread_file_read(f, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	if (f)
		udfread_file_close(f);
	free(abs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum iso_kind kind = iso_probe_buffer(data, size);
	if (kind != ISO_NOT_ISO && kind != ISO_NO_UDF && kind != ISO_UDF)
		abort();
	struct udfread *udf = iso_udf_open_buffer(data, size);
	if (!udf)
		return 0;
	struct iso_install inst;
	if (iso_find_install(udf, "fuzz.iso", &inst) == WG_OK) {
		/* what is found is never empty and always inside the sources folder */
		if (!inst.paths.n)
			abort();
		for (size_t i = 0; i < inst.paths.n; i++) {
			if (strncasecmp(inst.paths.v[i], "sources/", 8) || strchr(inst.paths.v[i] + 8, '/'))
				abort();
			read_start(udf, inst.paths.v[i]);
		}
		iso_install_release(&inst);
	} else if (inst.paths.n) {
		abort();   /* a refusal leaves nothing behind */
	}
	udfread_close(udf);
	return 0;
}
