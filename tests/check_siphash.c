/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * SipHash-2-4 against the reference vectors of its authors (Aumasson and
 * Bernstein, "SipHash: a fast short-input PRF", key 00 01 .. 0f, message
 * 00 01 .. n-1), every length that takes each path of the tail; and
 * fresh keys that differ, so that no two daemons share a table layout.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "siphash.h"

static const uint64_t vectors[] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL,
	0x85676696d7fb7e2dULL, 0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL,
	0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL, 0x93f5f5799a932462ULL,
	0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL,
	0xa129ca6149be45e5ULL, 0x3f2acc7f57c29bdbULL,
};

START_TEST(test_vectors)
{
	const uint64_t	key[2] = { 0x0706050403020100ULL,
			    0x0f0e0d0c0b0a0908ULL };
	unsigned char	msg[sizeof vectors / sizeof vectors[0]];
	size_t		n;

	for (n = 0; n < sizeof msg; n++)
		msg[n] = (unsigned char)n;
	for (n = 0; n < sizeof vectors / sizeof vectors[0]; n++)
		ck_assert_msg(siphash(key, msg, n) == vectors[n],
		    "length %zu: %016llx", n,
		    (unsigned long long)siphash(key, msg, n));
}
END_TEST

START_TEST(test_keys)
{
	uint64_t	a[2], b[2];

	siphash_key(a);
	siphash_key(b);
	ck_assert(a[0] != b[0] || a[1] != b[1]);
	ck_assert_uint_ne(siphash(a, "q001", 4), siphash(b, "q001", 4));
	/* Unaligned input gives the same hash as aligned. */
	{
		char	buf[16];

		memcpy(buf + 1, "customer", 8);
		ck_assert_uint_eq(siphash(a, buf + 1, 8),
		    siphash(a, "customer", 8));
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("siphash");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_keys);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed ? 1 : 0);
}
