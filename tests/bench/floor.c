/* floor.c - the benchmarks' floor: add the same files to every image of a WIM with plain
 * wimlib calls and write once, in place (wimlib_overwrite) or to a new file (wimlib_write). */

/*
 * usage: floor WIM [-o NEW.wim] SRC DST [SRC DST]...
 * Every image of WIM gets one ADD command per SRC/DST pair (DST a path inside the image);
 * then the WIM is written once: appended in place without -o, or in full to NEW.wim.
 * No fsync, no integrity table, default threads: nothing a careful writer adds on top.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wimlib.h>

int main(int argc, char **argv)
{
	WIMStruct *wim = NULL;
	struct wimlib_update_command *cmds = NULL;
	struct wimlib_wim_info info;
	const char *out = NULL;
	int first = 2, ret, status = 1;

	if (argc > 3 && !strcmp(argv[2], "-o")) {
		out = argv[3];
		first = 4;
	}
	if (argc < first + 2 || (argc - first) % 2) {
		fprintf(stderr, "usage: floor WIM [-o NEW.wim] SRC DST [SRC DST]...\n");
		return 2;
	}
	int ncmds = (argc - first) / 2;
	ret = wimlib_global_init(WIMLIB_INIT_FLAG_DEFAULT_CASE_INSENSITIVE);
	if (ret)
		goto fail;
	ret = wimlib_open_wim(argv[1], out ? 0 : WIMLIB_OPEN_FLAG_WRITE_ACCESS, &wim);
	if (ret)
		goto fail;
	ret = wimlib_get_wim_info(wim, &info);
	if (ret)
		goto fail;
	cmds = calloc((size_t)ncmds, sizeof(*cmds));
	if (!cmds)
		goto out;
	for (int i = 0; i < ncmds; i++) {
		cmds[i].op = WIMLIB_UPDATE_OP_ADD;
		cmds[i].add.fs_source_path = argv[first + 2 * i];
		cmds[i].add.wim_target_path = argv[first + 2 * i + 1];
	}
	for (int image = 1; image <= (int)info.image_count; image++) {
		ret = wimlib_update_image(wim, image, cmds, (size_t)ncmds, 0);
		if (ret)
			goto fail;
	}
	if (out)
		ret = wimlib_write(wim, out, WIMLIB_ALL_IMAGES, 0, 0);
	else
		ret = wimlib_overwrite(wim, 0, 0);
	if (ret)
		goto fail;
	status = 0;
	goto out;
fail:
	fprintf(stderr, "floor: '%s': %s\n", argv[1], wimlib_get_error_string(ret));
out:
	free(cmds);
	wimlib_free(wim);
	wimlib_global_cleanup();
	return status;
}
