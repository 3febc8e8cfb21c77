/*
 * fuzz_inf.c - libFuzzer target for the INF reader: any input loads or is refused
 * with one line naming the INF; a component read from it turns into well-formed operations.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inf.h"
#include "inf_install.h"

static void check_msg(const char *msg)
{
	/* a refusal always names the INF, on one line */
	if (!msg || strncmp(msg, "'fuzz.inf'", 10) || strchr(msg, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inf *inf;
	char *msg = NULL;
	if (inf_load(data, size, "fuzz.inf", &inf, &msg) != WG_OK) {
		check_msg(msg);
		free(msg);
		return 0;
	}
	if (msg)
		abort();
	struct inf_component c;
	enum wg_err err = inf_read_component(inf, "NTamd64", "ms_lbfo", &c, &msg);
	if (err) {
		if (err != WG_ERR_INF && err != WG_ERR_NOT_FOUND)
			abort();
		check_msg(msg);
		free(msg);
	} else {
		struct reg_ops ops = { 0 };
		inf_component_ops(&c, "HKLM\\SYSTEM\\Fuzz", "fuzz.inf", &ops);
		if (ops.n < 3 + c.nregs || ops.v[0].kind != REG_OP_KEY)
			abort();
		for (size_t i = 0; i < ops.n; i++) {
			const struct reg_op *op = &ops.v[i];
			if (strncmp(op->key, "HKLM\\SYSTEM\\Fuzz", 16))
				abort();
			if (op->kind == REG_OP_SET_VALUE && (!op->name || (op->len && !op->data)))
				abort();
			if (op->type == REG_MULTI_SZ && op->len < 2)
				abort();
		}
		reg_ops_release(&ops);
		inf_component_release(&c);
	}
	inf_free(inf);
	return 0;
}
