/* test_text.c: unit tests of the UTF-8 helpers (src/text.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "src/text.h"

static void assert_fold(const char *in, const char *want)
{
	char out[256];
	size_t n = text_fold(in, out, sizeof out);

	cr_assert_str_eq(out, want, "fold(\"%s\")", in);
	cr_assert_eq(n, strlen(want));
}

Test(text, fold_names)
{
	assert_fold("Duprée", "dupree");
	assert_fold("Müller", "muller");
	assert_fold("D'Hondt", "d hondt");
	assert_fold("D\xe2\x80\x99"
	            "Hondt",
	            "d hondt"); /* U+2019 */
	assert_fold("Van den Berghe", "van den berghe");
	assert_fold("  Van   den\tBerghe  ", "van den berghe");
	assert_fold("Jean-Pierre", "jean pierre");
	assert_fold("Jean - Pierre", "jean pierre");
	assert_fold("O'-'Brien", "o brien");
	assert_fold("Straße", "strasse");
	assert_fold("ÆRØ Œuvre", "aero oeuvre");
	assert_fold("Łukasz Wałęsa", "lukasz walesa");
	assert_fold("Ñandú Çà", "nandu ca");
	assert_fold("Erdoğan Şahin", "erdogan sahin");
	assert_fold("Dvořák Šťastný Žižka Čapek", "dvorak stastny zizka capek");
	assert_fold("Őrsi Űrhajós", "orsi urhajos");
	assert_fold("Ångström", "angstrom");
	assert_fold("Þór Guðmundsdóttir", "thor gudmundsdottir");
	assert_fold("ÉÈÊËÀÂÄÇÏÎÔÖÛÜÙŸ", "eeeeaaaciioouuuy");
	assert_fold("éèêëàâäçïîôöûüùÿñßæœøåíóúáãõšžčłńőű",
	            "eeeeaaaciioouuuynssaeoeoaiouaaoszclnou");
	assert_fold("Nguyễn", "nguyen");
	assert_fold("ẞ", "ss");
}

Test(text, fold_decomposed_and_special)
{
	/* e + combining acute (NFD input) */
	assert_fold("Dupre\xcc\x81"
	            "e",
	            "dupree");
	/* no-break space, soft hyphen, en dash, zero width space */
	assert_fold("Van\xc2\xa0"
	            "Damme",
	            "van damme");
	assert_fold("Ro\xc2\xad"
	            "berts",
	            "roberts");
	assert_fold("A\xe2\x80\x93"
	            "B",
	            "a b");
	assert_fold("A\xe2\x80\x8b"
	            "B",
	            "ab");
	assert_fold("l\xca\xbc"
	            "eau",
	            "l eau"); /* U+02BC modifier apostrophe */
	assert_fold("`quoted`", "quoted");
	/* other scripts pass unchanged */
	assert_fold("Παπαδόπουλος", "Παπαδόπουλος");
	assert_fold("Иванов", "Иванов");
	assert_fold("", "");
	assert_fold("   ", "");
	assert_fold("'-'", "");
	assert_fold("St. Pieters", "st. pieters");
}

Test(text, fold_invalid_utf8)
{
	char out[64];

	/* Latin-1 bytes read as Latin-1 */
	assert_fold("Dupr\xe9"
	            "e",
	            "dupree");
	assert_fold("M\xfcller", "muller");
	/* stray continuation bytes and C1 are blanks; output stays valid */
	assert_fold("a\x80"
	            "b",
	            "a b");
	assert_fold("\x80\x81", "");
	/* truncated sequence at the end */
	assert_fold("abc\xc3", "abca"); /* read as Latin-1 Ã */
	/* overlong encoding of '/' and a surrogate: bytes taken one by one */
	text_fold("x\xc0\xaf"
	          "y\xed\xa0\x80"
	          "z",
	          out, sizeof out);
	cr_assert(text_valid(out), "folded output is valid UTF-8: %s", out);
	text_fold("\xff\xfe\xf5\xf8 ok", out, sizeof out);
	cr_assert(text_valid(out));
}

Test(text, fold_buffer_limits)
{
	char out[8];
	size_t n;

	n = text_fold("abcdefghij", out, sizeof out);
	cr_assert_eq(n, 7);
	cr_assert_str_eq(out, "abcdefg");
	/* never cut a character in two */
	n = text_fold("abcdefЖЖ", out, sizeof out);
	cr_assert_str_eq(out, "abcdef");
	cr_assert_eq(n, 6);
	/* ß -> ss needs two bytes: not half of it */
	n = text_fold("abcdefß", out, sizeof out);
	cr_assert_str_eq(out, "abcdef");
	n = text_fold("abcdef gh", out, sizeof out);
	cr_assert_str_eq(out, "abcdef");
	cr_assert_eq(text_fold("abc", out, 1), 0);
	cr_assert_str_eq(out, "");
	out[0] = 'x';
	cr_assert_eq(text_fold("abc", out, 0), 0);
	cr_assert_eq(out[0], 'x', "size 0 writes nothing");
}

/* Folding twice gives what folding once gives, for every character up to
 * U+1FFF (the fuzzer found U+024A folding to U+024B, which folds on). */
Test(text, fold_is_idempotent)
{
	char in[8], once[32], twice[32];

	for (unsigned cp = 0x20; cp < 0x2000; cp++) {
		int n = 0;
		if (cp < 0x80) {
			in[n++] = (char)cp;
		} else if (cp < 0x800) {
			in[n++] = (char)(0xc0 | (cp >> 6));
			in[n++] = (char)(0x80 | (cp & 0x3f));
		} else {
			in[n++] = (char)(0xe0 | (cp >> 12));
			in[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			in[n++] = (char)(0x80 | (cp & 0x3f));
		}
		in[n] = '\0';
		text_fold(in, once, sizeof once);
		text_fold(once, twice, sizeof twice);
		cr_assert_str_eq(once, twice, "U+%04X folds to \"%s\", then to \"%s\"", cp, once,
		                 twice);
	}
}

Test(text, valid)
{
	cr_assert(text_valid(""));
	cr_assert(text_valid("Duprée Müller Łukasz 日本 \xf0\x9f\x98\x80"));
	cr_assert_not(text_valid(NULL));
	cr_assert_not(text_valid("Dupr\xe9"
	                         "e"));
	cr_assert_not(text_valid("a\tb"));
	cr_assert_not(text_valid("a\nb"));
	cr_assert_not(text_valid("a\x7f"));
	cr_assert_not(text_valid("a\xc2\x85"));        /* C1 NEL */
	cr_assert_not(text_valid("\xc0\xaf"));         /* overlong */
	cr_assert_not(text_valid("\xed\xa0\x80"));     /* surrogate */
	cr_assert_not(text_valid("\xf4\x90\x80\x80")); /* beyond U+10FFFF */
	cr_assert_not(text_valid("\xe2\x82"));         /* truncated */
}

Test(text, trim)
{
	char a[] = "  Duprée \t\n", b[] = "x", c[] = "   ", d[] = "";

	cr_assert_str_eq(text_trim(a), "Duprée");
	cr_assert_str_eq(text_trim(b), "x");
	cr_assert_str_eq(text_trim(c), "");
	cr_assert_str_eq(text_trim(d), "");
	cr_assert_null(text_trim(NULL));
}

Test(text, fold_is_fast)
{
	/* 600,000 names at bulk load: a generous bound that still catches a
	 * locale call or a quadratic loop per character. */
	char out[128];
	size_t total = 0;

	for (int i = 0; i < 600000; i++)
		total += text_fold("Van den Berghe-Duprée, Marie-Thérèse", out, sizeof out);
	cr_assert_gt(total, 0);
}
