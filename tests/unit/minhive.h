/*
 * minhive.h - for unit tests: write the smallest valid registry hive (8 KiB: a
 * base block, one hbin with a root key and its security cell), which hivex can then edit.
 */
#ifndef WIMGRAFT_TEST_MINHIVE_H
#define WIMGRAFT_TEST_MINHIVE_H

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static void mh_put16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xFF;
	p[1] = v >> 8;
}

static void mh_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (v >> (8 * i)) & 0xFF;
}

static uint32_t mh_get32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Recompute the base block checksum (XOR of the first 127 dwords, at 0x1FC). */
static void mh_checksum(unsigned char *b)
{
	uint32_t sum = 0;
	for (int i = 0; i < 0x1FC; i += 4)
		sum ^= mh_get32(b + i);
	if (sum == 0)
		sum = 1;
	else if (sum == 0xFFFFFFFF)
		sum = 0xFFFFFFFE;
	mh_put32(b + 0x1FC, sum);
}

/* The 8192 bytes of a minimal hive whose root key is named ROOT. */
static void mh_build(unsigned char img[8192])
{
	unsigned char *b = img, *hb = img + 4096;
	memset(img, 0, 8192);
	memcpy(b, "regf", 4);
	mh_put32(b + 4, 1);          /* sequence numbers: clean */
	mh_put32(b + 8, 1);
	mh_put32(b + 0x14, 1);       /* format 1.3 */
	mh_put32(b + 0x18, 3);
	mh_put32(b + 0x20, 1);
	mh_put32(b + 0x24, 0x20);    /* root cell */
	mh_put32(b + 0x28, 0x1000);  /* hbin data size */
	mh_put32(b + 0x2C, 1);
	mh_checksum(b);

	memcpy(hb, "hbin", 4);
	mh_put32(hb + 8, 0x1000);
	/* root nk: cell at 0x20, 0x4C bytes + "ROOT", cell size 0x58 */
	unsigned char *nk = hb + 0x24;
	mh_put32(hb + 0x20, (uint32_t)-0x58);
	memcpy(nk, "nk", 2);
	mh_put16(nk + 2, 0x2C);      /* hive entry, no delete, ASCII name */
	mh_put32(nk + 0x1C, 0xFFFFFFFF);
	mh_put32(nk + 0x20, 0xFFFFFFFF);
	mh_put32(nk + 0x28, 0xFFFFFFFF);
	mh_put32(nk + 0x2C, 0x78);   /* security cell */
	mh_put32(nk + 0x30, 0xFFFFFFFF);
	mh_put16(nk + 0x48, 4);
	memcpy(nk + 0x4C, "ROOT", 4);
	/* sk: cell at 0x78; descriptor: self-relative, owner and group S-1-5-18 */
	static const unsigned char sid[12] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };
	unsigned char *sk = hb + 0x7C;
	mh_put32(hb + 0x78, (uint32_t)-0x48);
	memcpy(sk, "sk", 2);
	mh_put32(sk + 4, 0x78);
	mh_put32(sk + 8, 0x78);
	mh_put32(sk + 12, 1);
	mh_put32(sk + 16, 44);
	unsigned char *sd = sk + 20;
	sd[0] = 1;
	mh_put16(sd + 2, 0x8000);
	mh_put32(sd + 4, 20);
	mh_put32(sd + 8, 32);
	memcpy(sd + 20, sid, 12);
	memcpy(sd + 32, sid, 12);
	/* the rest of the bin: one free cell */
	mh_put32(hb + 0xC0, 0x1000 - 0xC0);
}

/* Write a minimal hive as name inside dirfd; 0 on success. */
static int mh_write(int dirfd, const char *name)
{
	unsigned char img[8192];
	mh_build(img);
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	int ok = write(fd, img, sizeof(img)) == (ssize_t)sizeof(img);
	return close(fd) == 0 && ok ? 0 : -1;
}

#endif
