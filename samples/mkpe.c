/*
 * mkpe.c - write a tiny, valid PE image (PE32 or PE32+, a native kernel-mode
 * driver's shape: two sections, no imports, no embedded signature) for tests.
 *
 * usage: mkpe pe32|pe32+ OUT [TEXT]   (TEXT goes into the .data section, so that
 * different TEXT gives a different file and hash)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_ALIGN 0x200
#define SECT_ALIGN 0x1000
#define HEADERS    0x400
#define PE_AT      0x80

static unsigned char img[HEADERS + 2 * FILE_ALIGN];

static void put16(size_t at, uint32_t v)
{
	img[at] = v & 0xff;
	img[at + 1] = (v >> 8) & 0xff;
}

static void put32(size_t at, uint32_t v)
{
	put16(at, v & 0xffff);
	put16(at + 2, v >> 16);
}

static void put64(size_t at, uint64_t v)
{
	put32(at, (uint32_t)v);
	put32(at + 4, (uint32_t)(v >> 32));
}

/* The PE checksum: 16-bit one's-complement sum of the file, CheckSum field as 0, plus the size. */
static uint32_t pe_checksum(size_t checksum_at)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < sizeof(img); i += 2) {
		if (i == checksum_at || i == checksum_at + 2)
			continue;
		sum += (uint32_t)img[i] | (uint32_t)img[i + 1] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)sum + (uint32_t)sizeof(img);
}

static void section(size_t at, const char *name, uint32_t rva, uint32_t raw, uint32_t flags)
{
	memcpy(img + at, name, strlen(name));
	put32(at + 8, FILE_ALIGN);    /* VirtualSize */
	put32(at + 12, rva);
	put32(at + 16, FILE_ALIGN);   /* SizeOfRawData */
	put32(at + 20, raw);
	put32(at + 36, flags);
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "pe32") && strcmp(argv[1], "pe32+"))) {
		fprintf(stderr, "usage: mkpe pe32|pe32+ OUT [TEXT]\n");
		return 2;
	}
	int plus = !strcmp(argv[1], "pe32+");
	const char *text = argc > 3 ? argv[3] : "wimgraft test driver";
	static const char stub[] = "This program cannot be run in DOS mode.\r\r\n$";

	img[0] = 'M', img[1] = 'Z';
	put16(2, 0x90), put16(4, 3), put16(8, 4), put16(0x0c, 0xffff), put16(0x10, 0xb8), put16(0x18, 0x40);
	put32(0x3c, PE_AT);
	memcpy(img + 0x4e, stub, sizeof(stub) - 1);

	size_t coff = PE_AT + 4, opt = coff + 20;
	size_t optsize = plus ? 240 : 224;
	memcpy(img + PE_AT, "PE\0\0", 4);
	put16(coff, plus ? 0x8664 : 0x14c);
	put16(coff + 2, 2);                       /* NumberOfSections */
	put32(coff + 4, 0x5f0a1b2c);              /* TimeDateStamp */
	put16(coff + 16, optsize);
	put16(coff + 18, plus ? 0x0022 : 0x0102); /* EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE / 32BIT */

	put16(opt, plus ? 0x20b : 0x10b);
	img[opt + 2] = 14;                        /* linker 14.20 */
	img[opt + 3] = 20;
	put32(opt + 4, FILE_ALIGN);               /* SizeOfCode */
	put32(opt + 8, FILE_ALIGN);               /* SizeOfInitializedData */
	put32(opt + 16, 0x1000);                  /* AddressOfEntryPoint */
	put32(opt + 20, 0x1000);                  /* BaseOfCode */
	if (plus) {
		put64(opt + 24, 0x1c0000000ull);  /* ImageBase */
	} else {
		put32(opt + 24, 0x2000);          /* BaseOfData */
		put32(opt + 28, 0x10000);         /* ImageBase */
	}
	put32(opt + 32, SECT_ALIGN);
	put32(opt + 36, FILE_ALIGN);
	put16(opt + 40, 10), put16(opt + 48, 10); /* OS and subsystem version 10.0 */
	put32(opt + 56, 3 * SECT_ALIGN);          /* SizeOfImage */
	put32(opt + 60, HEADERS);                 /* SizeOfHeaders */
	put16(opt + 68, 1);                       /* Subsystem: NATIVE */
	put16(opt + 70, 0x0160);                  /* DllCharacteristics: high entropy VA, dynamic base, NX */
	size_t w = plus ? 8 : 4, at = opt + 72;
	for (int i = 0; i < 4; i++, at += w) {   /* stack and heap reserve/commit */
		if (plus)
			put64(at, i % 2 ? 0x1000 : 0x40000);
		else
			put32(at, i % 2 ? 0x1000 : 0x40000);
	}
	put32(at + 4, 16);                        /* NumberOfRvaAndSizes, after LoaderFlags */

	size_t sect = opt + optsize;
	section(sect, ".text", 0x1000, HEADERS, 0x60000020);
	section(sect + 40, ".data", 0x2000, HEADERS + FILE_ALIGN, 0xc0000040);
	img[HEADERS] = 0x31, img[HEADERS + 1] = 0xc0, img[HEADERS + 2] = 0xc3; /* xor eax,eax; ret */
	size_t n = strlen(text);
	memcpy(img + HEADERS + FILE_ALIGN, text, n < FILE_ALIGN ? n : FILE_ALIGN);

	put32(opt + 64, pe_checksum(opt + 64));
	FILE *f = fopen(argv[2], "wb");
	if (!f || fwrite(img, 1, sizeof(img), f) != sizeof(img) || fclose(f)) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}
