/*
 * mkhive.c - write an empty, valid registry hive file (hivex cannot create one),
 * for samples/mkimages.sh to fill with hivexregedit --merge.
 */
#include <fcntl.h>
#include <stdio.h>

#include "../tests/unit/minhive.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkhive FILE\n");
		return 2;
	}
	if (mh_write(AT_FDCWD, argv[1]) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
