/* test_contact.c: unit tests of phone numbers and e-mail addresses
 * (src/phone.c, src/email.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "src/email.h"
#include "src/phone.h"

static void assert_phone(const char *in, const char *want)
{
	char out[32] = "";

	cr_assert(phone_normalise(in, out, sizeof out), "'%s' refused", in);
	cr_assert_str_eq(out, want, "'%s'", in);
}

Test(phone, belgian_forms)
{
	assert_phone("0470 12 34 56", "+32470123456");
	assert_phone("0470/12.34.56", "+32470123456");
	assert_phone("0470-123456", "+32470123456");
	assert_phone("02 507 87 99", "+3225078799");
	assert_phone("(02) 507 87 99", "+3225078799");
	assert_phone("+32 2 507 87 99", "+3225078799");
	assert_phone("+32 (0)2 507 87 99", "+3225078799");
	assert_phone("0032 2 507 87 99", "+3225078799");
	assert_phone("0032 470 12 34 56", "+32470123456");
	assert_phone("+32470123456", "+32470123456");
	assert_phone("0800 987 99", "+3280098799");
	assert_phone("04 222 22 22", "+3242222222"); /* Liège landline */
	assert_phone("050 12 34 56", "+3250123456");
	assert_phone("0456 12 34 56", "+32456123456");
	assert_phone("  0470 12 34 56  ", "+32470123456");
}

Test(phone, international)
{
	assert_phone("+33 1 23 45 67 89", "+33123456789");
	assert_phone("0031 20 123 4567", "+31201234567");
	assert_phone("+49 (30) 1234567", "+49301234567");
	assert_phone("+352 621 123 456", "+352621123456");
}

Test(phone, refused)
{
	static const char *bad[] = {
	    "",
	    "   ",
	    "abc",
	    "470 12 34 56", /* no trunk 0 */
	    "0470 12 34",
	    "0470 12 34 567",
	    "02 507 87",
	    "02 507 87 990",
	    "0370 12 34 56",
	    /* 9 digits not a mobile */ "00 12",
	    "+1 234",
	    "+1234567890123456",
	    "0470 12 34 56 ext 3",
	    "+32 0470 12 34",
	    "0470_123456",
	    "00000000",
	    "+0 123 456 789",
	};
	char out[32] = "keep";

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(phone_normalise(bad[i], out, sizeof out), "'%s' accepted", bad[i]);
	cr_assert_not(phone_normalise(NULL, out, sizeof out));
	cr_assert_str_eq(out, "keep", "out untouched");
	/* a buffer too small is a refusal too, and nothing is written */
	cr_assert_not(phone_normalise("0470 12 34 56", out, 12));
	cr_assert_str_eq(out, "keep");
	cr_assert(phone_normalise("0470 12 34 56", out, 13));
	cr_assert_str_eq(out, "+32470123456");
}

Test(email, valid)
{
	static const char *good[] = {
	    "anne.peeters@example.be",
	    "a@b.co",
	    "jean-pierre+dossier@handicap.fgov.be",
	    "x_y@sub.domain.example",
	    "müller@exämple.de",
	    "o'brien@example.ie",
	    "UPPER@EXAMPLE.BE",
	    "1234@567.be",
	};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		cr_assert(email_valid(good[i]), "'%s' refused", good[i]);
}

Test(email, refused)
{
	static const char *bad[] = {
	    "",
	    "anne",
	    "anne@",
	    "@example.be",
	    "anne@example",
	    "anne@@example.be",
	    "an ne@example.be",
	    "anne@exa mple.be",
	    "anne@example..be",
	    "anne@.example.be",
	    "anne@example.be.",
	    "anne@-example.be",
	    "anne@example-.be",
	    ".anne@example.be",
	    "anne.@example.be",
	    "an..ne@example.be",
	    "anne@example.b",
	    "anne@example.123",
	    "anne(x)@example.be",
	    "anne@exa_mple.be",
	    "a@b@c.be",
	    "anne@example.be\n",
	};
	char long_local[80], long_all[400];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(email_valid(bad[i]), "'%s' accepted", bad[i]);
	cr_assert_not(email_valid(NULL));
	memset(long_local, 'a', 65);
	strcpy(long_local + 65, "@example.be");
	cr_assert_not(email_valid(long_local), "local part over 64");
	/* a@ and four labels of 60: 2 + 4 * 61 - 1 + 3 = 248 bytes: fine */
	strcpy(long_all, "a@");
	for (int i = 0; i < 4; i++) {
		size_t at = strlen(long_all);
		memset(long_all + at, 'b', 60);
		strcpy(long_all + at + 60, ".");
	}
	strcat(long_all, "be");
	cr_assert(email_valid(long_all), "%zu bytes", strlen(long_all));
	/* one more label: over 254 bytes */
	memmove(long_all + 2 + 61, long_all + 2, strlen(long_all + 2) + 1);
	memset(long_all + 2, 'c', 60);
	long_all[62] = '.';
	cr_assert_gt(strlen(long_all), 254);
	cr_assert_not(email_valid(long_all), "over 254 bytes");
}
