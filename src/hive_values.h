/*
 * hive_values.h - the values of one key edited in memory and written back with one hivex
 * call, so that N values set in one key cost N cells and O(N) time instead of N rewrites.
 */
#ifndef WIMGRAFT_HIVE_VALUES_H
#define WIMGRAFT_HIVE_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hive.h"

struct hive_values {
	struct hive *h;
	hive_key key;
	struct hive_value *v;      /* in stored order; a deleted one has name NULL */
	size_t n, alloc;
	size_t *slots;             /* open addressing on the case-folded name: index + 1, 0 empty */
	size_t nslots;
	bool dirty;
};

/* Read the values of key. */
enum wg_err hive_values_open(struct hive_values *b, struct hive *h, hive_key key);
/* The value named name (ignoring case), or NULL. */
const struct hive_value *hive_values_find(const struct hive_values *b, const char *name);
/* Set (replacing the data of a value of that name, keeping its stored spelling) or add. */
void hive_values_set(struct hive_values *b, const char *name, uint32_t type, const void *data,
		     size_t len);
/* Delete; false when there is no such value. */
bool hive_values_delete(struct hive_values *b, const char *name);
/* Write the list if anything changed (one hivex_node_set_values), and free it. */
enum wg_err hive_values_close(struct hive_values *b);
/* Free it without writing. */
void hive_values_discard(struct hive_values *b);

#endif
