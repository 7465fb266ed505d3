/*
 * Copyright (c) 2026 The callscore authors. ISC licence; see COPYING.
 *
 * SipHash-1-3 against the output of its authors' reference implementation
 * (github.com/veorq/SipHash, built for one compression and three
 * finalization rounds; the vectors other projects check theirs with),
 * key all zero, message 00 01 .. n-1, every length that takes each path
 * of the tail and up to three blocks; and fresh keys that differ, so
 * that no two daemons share a table layout.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "siphash.h"

static const uint64_t vectors[] = {
	0xd1fba762150c532cULL, 0x68a914128e01e473ULL, 0x010bac45c41e3669ULL,
	0x4d4c9a4a8ef6e0adULL, 0x7cc43f98813e4dbdULL, 0x5abe2169dff36275ULL,
	0xe3c25f87624f1cdbULL, 0x2f098ab0c751325aULL, 0xead411e67ebe2eeaULL,
	0x75927f9d95124362ULL, 0xaf9f77a65ab51a1dULL, 0xfe64ce8b6617fcffULL,
	0xa6baf4fb0f9fe1c2ULL, 0xa0cf3211850f8e0dULL, 0x7f86049379fbfe67ULL,
	0xf30eb725bb91c9eaULL, 0x8972188433a5c5b7ULL, 0x4883c49a2c009c1dULL,
	0xadc2c0b63044067dULL, 0x091f4a3329f87d19ULL, 0x639e355ae68c0100ULL,
	0xb17bef2cb5213239ULL, 0xf8aeb1066236ccfeULL, 0x37332b1389daa4ffULL,
	0x31185a47af932f3aULL,
};

START_TEST(test_vectors)
{
	const uint64_t	key[2] = { 0, 0 };
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
