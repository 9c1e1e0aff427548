// SPDX-License-Identifier: GPL-2.0
/*
 * redis_load TOTAL [FIRST COUNT]
 *
 * The data set of scripts/guest/guest-bench-redis.sh, as Redis protocol (RESP)
 * on stdout for `redis-cli --pipe`: SET key:%012d (the form of
 * redis-benchmark's key:__rand_int__) for COUNT keys (default TOTAL) of a
 * key space of TOTAL keys, starting at the FIRST-th key written.
 *
 * Order: the i-th key written is key (i * STRIDE) mod TOTAL, STRIDE a
 * prime not dividing TOTAL, so that the hot keys of the benchmark (the low
 * ids) are scattered over the heap's pages as in a real cache instead of
 * packed into pages of their own (which would flatter any page-granular
 * tiering, the compressed node and zswap alike).
 *
 * Values: a JSON-like user record of 600-1100 bytes (about 850 on
 * average): field names repeat from record to record, values are drawn
 * from word lists and numbers by a generator seeded with the key id, so a
 * page of them compresses like real records (lz4: about 2-3x), neither
 * like zeros nor like random bytes. A key's record is the same in every
 * run. Every record starts with {"score":NNNNNNNNNNNN (12 digits at offset
 * 9): the benchmark's writes overwrite them in place with SETRANGE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const first_names[] = {
	"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
	"ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert",
	"sybil", "trent", "victor", "walter", "yolanda",
};

static const char *const cities[] = {
	"Berlin", "Lisbon", "Osaka", "Toronto", "Nairobi", "Lima", "Oslo",
	"Austin", "Pune", "Krakow", "Leeds", "Perth",
};

static const char *const words[] = {
	"memory", "cache", "latency", "compressed", "node", "page", "cold",
	"hot", "tier", "device", "kernel", "reclaim", "demote", "promote",
	"fault", "read", "write", "value", "record", "user", "session",
	"order", "cart", "item", "price", "shipping", "review", "the", "a",
	"of", "to", "and", "in", "is", "for", "with", "on",
};

static const char *const tags[] = {
	"prime", "beta", "vip", "new", "churn-risk", "mobile", "web", "eu",
	"us", "apac", "newsletter", "trial",
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static unsigned long long s;

static unsigned int rnd(unsigned int n)
{
	s = s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned int)(s >> 33) % n;
}

/* Appends @n random words to @p; returns the new end. */
static char *sentence(char *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? " " : "", words[rnd(N(words))]);
	return p;
}

static size_t record(char *buf, unsigned long id)
{
	const char *fn, *ln;
	unsigned int i, n;
	char *p = buf;

	s = id * 2654435761ULL + 1;
	fn = first_names[rnd(N(first_names))];
	ln = first_names[rnd(N(first_names))];
	p += sprintf(p, "{\"score\":%012u,\"id\":%lu,\"name\":\"%s %s\",", rnd(1000000),
		     id, fn, ln);
	p += sprintf(p, "\"email\":\"%s.%s%u@example.com\",\"city\":\"%s\",",
		     fn, ln, rnd(1000), cities[rnd(N(cities))]);
	p += sprintf(p, "\"created\":\"20%02u-%02u-%02uT%02u:%02u:%02uZ\",",
		     15 + rnd(10), 1 + rnd(12), 1 + rnd(28), rnd(24), rnd(60),
		     rnd(60));
	p += sprintf(p, "\"active\":%s,\"tags\":[", rnd(2) ? "true" : "false");
	for (i = 0, n = 3 + rnd(3); i < n; i++)
		p += sprintf(p, "%s\"%s\"", i ? "," : "", tags[rnd(N(tags))]);
	p += sprintf(p, "],\"orders\":[");
	for (i = 0, n = 2 + rnd(3); i < n; i++) {
		p += sprintf(p, "%s{\"order_id\":%lu,\"sku\":\"SKU-%05u\",",
			     i ? "," : "", id * 10 + i, rnd(100000));
		p += sprintf(p, "\"qty\":%u,\"price\":%u.%02u,\"status\":\"%s\"}",
			     1 + rnd(5), rnd(500), rnd(100),
			     rnd(4) ? "delivered" : "returned");
	}
	p += sprintf(p, "],\"bio\":\"");
	p = sentence(p, 20 + rnd(20));
	p += sprintf(p, "\",\"notes\":\"");
	p = sentence(p, 15 + rnd(15));
	p += sprintf(p, "\"}");
	return p - buf;
}

int main(int argc, char **argv)
{
	unsigned long total, first = 0, count, i, stride = 7919, id;
	static char out[1 << 16];
	char val[4096], key[32];
	size_t len;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: redis_load TOTAL [FIRST COUNT]\n");
		return 2;
	}
	total = strtoul(argv[1], NULL, 0);
	count = total;
	if (argc == 4) {
		first = strtoul(argv[2], NULL, 0);
		count = strtoul(argv[3], NULL, 0);
	}
	if (!total)
		return 2;
	while (total % stride == 0)
		stride += 2;
	setvbuf(stdout, out, _IOFBF, sizeof(out));
	for (i = first; i < first + count; i++) {
		id = i * stride % total;
		len = record(val, id);
		snprintf(key, sizeof(key), "key:%012lu", id);
		printf("*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n$%zu\r\n", strlen(key),
		       key, len);
		fwrite(val, 1, len, stdout);
		fputs("\r\n", stdout);
	}
	return fflush(stdout) ? 1 : 0;
}
