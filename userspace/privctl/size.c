// SPDX-License-Identifier: GPL-2.0
/*
 * privctl: sizes. Input accepts a byte count with an optional K, M, G or
 * T suffix (powers of 1024; "KiB", "kb" and the like are accepted too).
 * Output is in binary units unless raw bytes are asked for (--bytes).
 * Pressure watermarks are given as "LOW,HIGH" on the 0..1000 scale.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "privctl.h"

int size_parse(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -ERANGE;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	case 'B':
		if (end[1])
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (shift) {
		end++;
		if (!strcasecmp(end, "ib") || !strcasecmp(end, "b"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
	}
	*bytes = (uint64_t)v << shift;
	return 0;
}

/* "1.00 GiB", "512 KiB", "0 B"; raw bytes when @raw. */
const char *size_str(uint64_t bytes, bool raw, char *buf, size_t len)
{
	static const char * const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = bytes;
	int u = 0;

	if (raw) {
		snprintf(buf, len, "%" PRIu64, bytes);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else if (bytes % (1ULL << (10 * u)) == 0)
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.2f %s", v, units[u]);
	return buf;
}

/* "LOW,HIGH" with LOW < HIGH <= PRIVMEM_PRESSURE_MAX; -EINVAL, -ERANGE. */
int watermarks_parse(const char *s, unsigned int *low, unsigned int *high)
{
	unsigned long l, h;
	char *end;

	l = strtoul(s, &end, 10);
	if (end == s || *end != ',')
		return -EINVAL;
	s = end + 1;
	h = strtoul(s, &end, 10);
	if (end == s || *end)
		return -EINVAL;
	if (l >= h || h > PRIVMEM_PRESSURE_MAX)
		return -ERANGE;
	*low = l;
	*high = h;
	return 0;
}
