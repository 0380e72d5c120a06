/*
 * classify-gen.c - writes lib/classify-table.h: the rows of
 * lib/classify-rows.h flattened into ranges by ranges.c, the code that
 * also builds access lists, and printed as constant C data.
 *
 * The table was built at first use, under a lock and with malloc: a
 * fork() during the build left the lock held in the child for ever (14
 * children of 40 hung in check_classify), and out of memory it gave no
 * classes at all (127.0.0.1 not loopback, :: not "any"). The rows are
 * constant, so the table is too: classify.c needs no lock, no allocation
 * and no first-use step. The output depends on the rows alone (keys are
 * printed as numbers, not bytes), so one file serves every machine and a
 * cross build compiles it as it is.
 *
 * Usage: lib/classify-gen > lib/classify-table.h   (make classify-table)
 * tests/classify-table.sh compares its output with the file in the tree.
 *
 * SPDX-License-Identifier: MIT
 */
#include "classify-rows.h"
#include "key128.h"
#include "ranges.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>

/* A row's prefix as a key and a length in bits of the key; false when it
 * is not strict CIDR text (bits set past the length included). */
static bool row_key(const char *text, struct key128 *start, int *len)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	if (slash == NULL || (size_t)(slash - text) >= sizeof(addr))
		return false;
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	char *end;
	unsigned long bits = strtoul(slash + 1, &end, 10);
	unsigned char b[16];
	bool v6 = strchr(addr, ':') != NULL;
	if (*end != '\0' || bits > (v6 ? 128u : 32u) ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, addr, b) != 1)
		return false;
	*start = v6 ? key_from_bytes(b) : key_from_v4(b);
	*len = (int)bits + (v6 ? 0 : 96);
	uint64_t hi_host = *len >= 64 ? 0 : *len == 0 ? UINT64_MAX : UINT64_MAX >> *len;
	uint64_t lo_host = *len >= 128 ? 0 : *len <= 64 ? UINT64_MAX : UINT64_MAX >> (*len - 64);
	return (start->hi & hi_host) == 0 && (start->lo & lo_host) == 0;
}

static void key_text(struct key128 k, char *out)
{
	unsigned char b[16];
	for (int i = 0; i < 8; i++) {
		b[i] = (unsigned char)(k.hi >> (56 - 8 * i));
		b[8 + i] = (unsigned char)(k.lo >> (56 - 8 * i));
	}
	inet_ntop(AF_INET6, b, out, INET6_ADDRSTRLEN);
}

/* Each row's classes, by row number: what a range's value names. */
static void print_classes(void)
{
	printf("static const unsigned table_classes[%zu] = {\n", ARRAY_SIZE(rows));
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		printf("\t0x%08xu, /* %zu: %s */\n", rows[i].classes, i, rows[i].prefix);
	printf("};\n\n");
}

/* The ranges: where each starts, and the row deciding it (-1: none; the
 * rows cover every key, so never). */
static void print_ranges(const struct range_table *t)
{
	printf("static const struct key128 table_start[%zu] = {\n", t->n);
	for (size_t i = 0; i < t->n; i++) {
		char text[INET6_ADDRSTRLEN];
		key_text(t->start[i], text);
		printf("\t{ 0x%016" PRIx64 ", 0x%016" PRIx64 " }, /* %s */\n", t->start[i].hi,
		       t->start[i].lo, text);
	}
	printf("};\n\nstatic const int32_t table_value[%zu] = {\n", t->n);
	for (size_t i = 0; i < t->n; i++) {
		int32_t row = t->value[i];
		printf("\t%" PRId32 ", /* %s */\n", row, row < 0 ? "none" : rows[row].prefix);
	}
	printf("};\n\n");
}

static void print_nodes(const struct range_table *t, size_t nodes)
{
	printf("static const struct range_node table_node[%zu] = {\n", nodes);
	for (size_t i = 0; i < nodes; i++) {
		const struct range_node *node = &t->node[i];
		printf("\t{ /* %zu */\n\t\t.slice = {", i);
		for (unsigned j = 0; j < 256; j++)
			printf("%s{ %" PRIu32 ", %" PRIu32 " },", j % 8 ? " " : "\n\t\t\t",
			       node->slice[j][0], node->slice[j][1]);
		printf("\n\t\t},\n\t\t.child = {");
		for (unsigned j = 0; j < 256; j++)
			printf("%s%u,", j % 16 ? " " : "\n\t\t\t", (unsigned)node->child[j]);
		printf("\n\t\t},\n\t},\n");
	}
	printf("};\n\n");
}

/* Nodes in use: node 0 and 1 are the roots, and children are numbered in
 * the order they were made. */
static size_t node_count(const struct range_table *t)
{
	size_t n = 2;
	for (size_t i = 0; i < n; i++)
		for (unsigned j = 0; j < 256; j++)
			if (t->node[i].child[j] >= n)
				n = (size_t)t->node[i].child[j] + 1;
	return n;
}

int main(void)
{
	struct range_input in[ARRAY_SIZE(rows)];
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct key128 start;
		int len;
		if (!row_key(rows[i].prefix, &start, &len)) {
			fprintf(stderr, "classify-gen: row %zu: \"%s\" is not a prefix\n", i,
				rows[i].prefix);
			return 1;
		}
		in[i] = (struct range_input){ start, len, (int32_t)i, (uint32_t)(128 - len) };
	}
	struct range_table t;
	if (ranges_build(&t, in, ARRAY_SIZE(rows)) < 0) {
		fprintf(stderr, "classify-gen: out of memory\n");
		return 1;
	}
	size_t nodes = node_count(&t);
	printf("/*\n"
	       " * classify-table.h - the classification table: the rows of\n"
	       " * lib/classify-rows.h as ranges.c flattens them (longest prefix wins).\n"
	       " * Written by lib/classify-gen (make classify-table): do not edit.\n"
	       " * %zu rows, %zu ranges, %zu index nodes.\n"
	       " * SPDX-License-Identifier: MIT\n"
	       " */\n"
	       "/* clang-format off */\n\n",
	       ARRAY_SIZE(rows), t.n, nodes);
	print_classes();
	print_ranges(&t);
	print_nodes(&t, nodes);
	printf("static const struct range_table table = {\n"
	       "\t.n = %zu,\n\t.start = table_start,\n\t.value = table_value,\n"
	       "\t.node = table_node,\n\t.low_slice = { %" PRIu32 ", %" PRIu32 " },\n};\n\n"
	       "/* clang-format on */\n",
	       t.n, t.low_slice[0], t.low_slice[1]);
	ranges_free(&t);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
