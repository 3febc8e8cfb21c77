/*
 * fuzz_catalog.c - libFuzzer target for the catalog reader: any input is parsed
 * (and, when it parses, looked up and verified) without crashing or leaking;
 * also the Authenticode layout of the same bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "authenticode.h"
#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct catalog_trust *trust;
	if (!trust)
		trust = catalog_trust_new();
	struct catalog *c = NULL;
	const char *why = NULL;
	uint8_t want[2][32] = { { 0 } };
	uint8_t lens[2] = { 20, 32 };
	for (size_t i = 0; i < 32 && i < size; i++)
		want[0][i] = want[1][i] = data[i];
	bool may = catalog_may_list(data, size, want, lens, 2);
	if (catalog_parse(data, size, &c, &why) == WG_OK) {
		uint8_t h[32] = { 0 };
		for (size_t i = 0; i < sizeof(h) && i < size; i++)
			h[i] = data[size - 1 - i];
		(void)catalog_lists(c, h, 20);
		(void)catalog_lists(c, h, 32);
		/* the pre-check is sound: whatever the catalog lists, it let through */
		if (!may && (catalog_lists(c, want[0], 20) || catalog_lists(c, want[1], 32)))
			abort();
		(void)catalog_time(c);
		(void)catalog_verify(c, trust, &why);
		catalog_free(c);
	} else if (!why || c) {
		abort();  /* a failure always says why and hands back nothing */
	}
	struct pe_layout l;
	if (pe_layout(data, size, &l, NULL) && (l.hashed_end > size || l.checksum_offset + 4 > size))
		abort();
	return 0;
}
