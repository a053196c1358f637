/* test_postcode.c: unit tests of Belgian postcodes (src/postcode.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "src/postcode.h"

Test(postcode, parse)
{
	int code = 0;

	cr_assert(postcode_parse("1000", &code));
	cr_assert_eq(code, 1000);
	cr_assert(postcode_parse(" 9990 ", &code));
	cr_assert_eq(code, 9990);
	cr_assert(postcode_parse("4700", &code));
	code = 42;
	cr_assert_not(postcode_parse("0999", &code));
	cr_assert_not(postcode_parse("999", &code));
	cr_assert_not(postcode_parse("10000", &code));
	cr_assert_not(postcode_parse("10a0", &code));
	cr_assert_not(postcode_parse("B-1000", &code));
	cr_assert_not(postcode_parse("", &code));
	cr_assert_not(postcode_parse(NULL, &code));
	cr_assert_not(postcode_parse("-100", &code));
	cr_assert_eq(code, 42, "untouched on failure");
}

Test(postcode, regions)
{
	static const struct {
		int code;
		enum region r;
	} cases[] = {
	    {1000, REGION_BRUSSELS}, {1210, REGION_BRUSSELS}, {1299, REGION_BRUSSELS},
	    {1300, REGION_WALLONIA}, {1348, REGION_WALLONIA}, {1499, REGION_WALLONIA},
	    {1500, REGION_FLANDERS}, {1999, REGION_FLANDERS}, {2000, REGION_FLANDERS},
	    {3000, REGION_FLANDERS}, {3500, REGION_FLANDERS}, {3790, REGION_FLANDERS},
	    {3999, REGION_FLANDERS}, {4000, REGION_WALLONIA}, {4690, REGION_WALLONIA},
	    {4700, REGION_GERMAN},   {4701, REGION_GERMAN},   {4710, REGION_GERMAN},
	    {4711, REGION_GERMAN},   {4720, REGION_GERMAN},   {4721, REGION_GERMAN},
	    {4728, REGION_GERMAN},   {4730, REGION_GERMAN},   {4731, REGION_GERMAN},
	    {4750, REGION_GERMAN},   {4760, REGION_GERMAN},   {4761, REGION_GERMAN},
	    {4770, REGION_GERMAN},   {4771, REGION_GERMAN},   {4780, REGION_GERMAN},
	    {4782, REGION_GERMAN},   {4783, REGION_GERMAN},   {4784, REGION_GERMAN},
	    {4790, REGION_GERMAN},   {4791, REGION_GERMAN},   {4800, REGION_WALLONIA},
	    {4837, REGION_WALLONIA}, {4840, REGION_WALLONIA}, {4950, REGION_WALLONIA},
	    {4960, REGION_WALLONIA}, {5000, REGION_WALLONIA}, {6000, REGION_WALLONIA},
	    {6600, REGION_WALLONIA}, {6999, REGION_WALLONIA}, {7000, REGION_WALLONIA},
	    {7700, REGION_WALLONIA}, {7999, REGION_WALLONIA}, {8000, REGION_FLANDERS},
	    {8500, REGION_FLANDERS}, {9000, REGION_FLANDERS}, {9999, REGION_FLANDERS},
	    {999, REGION_NONE},      {10000, REGION_NONE},    {0, REGION_NONE},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_assert_eq(postcode_region(cases[i].code), cases[i].r, "%d", cases[i].code);
}

Test(postcode, municipalities)
{
	static const struct {
		int code;
		const char *name;
	} cases[] = {
	    {1000, "Bruxelles/Brussel"},
	    {1030, "Schaerbeek/Schaarbeek"},
	    {1040, "Etterbeek"},
	    {1050, "Ixelles/Elsene"},
	    {1070, "Anderlecht"},
	    {1090, "Jette"},
	    {1180, "Uccle/Ukkel"},
	    {1348, "Louvain-la-Neuve"},
	    {2000, "Antwerpen"},
	    {3000, "Leuven"},
	    {3500, "Hasselt"},
	    {4000, "Liège"},
	    {4700, "Eupen"},
	    {4720, "Kelmis"},
	    {4780, "Sankt Vith"},
	    {4760, "Büllingen"},
	    {5000, "Namur"},
	    {6000, "Charleroi"},
	    {6700, "Arlon"},
	    {7000, "Mons"},
	    {7500, "Tournai"},
	    {8000, "Brugge"},
	    {8400, "Oostende"},
	    {8500, "Kortrijk"},
	    {9000, "Gent"},
	    {9300, "Aalst"},
	    {2800, "Mechelen"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = postcode_municipality(cases[i].code);
		cr_assert_not_null(got, "%d", cases[i].code);
		cr_assert_str_eq(got, cases[i].name);
	}
	/* every Brussels commune's own code */
	static const int brussels[] = {1000, 1020, 1030, 1040, 1050, 1060, 1070, 1080,
	                               1081, 1082, 1083, 1090, 1120, 1130, 1140, 1150,
	                               1160, 1170, 1180, 1190, 1200, 1210};
	for (size_t i = 0; i < sizeof brussels / sizeof brussels[0]; i++)
		cr_assert_not_null(postcode_municipality(brussels[i]), "%d", brussels[i]);
	cr_assert_null(postcode_municipality(1001));
	cr_assert_null(postcode_municipality(999));
	cr_assert_null(postcode_municipality(10000));
}

Test(postcode, table_is_consistent)
{
	int known = 0;

	for (int code = 1000; code <= 9999; code++) {
		const char *name = postcode_municipality(code);
		if (!name)
			continue;
		known++;
		cr_assert_gt(strlen(name), 1);
		cr_assert_neq(postcode_region(code), REGION_NONE);
	}
	cr_assert_geq(known, 300, "only %d municipalities known", known);
}

Test(postcode, region_names)
{
	cr_assert_str_eq(postcode_region_name(REGION_BRUSSELS), "Brussels");
	cr_assert_str_eq(postcode_region_name(REGION_FLANDERS), "Flanders");
	cr_assert_str_eq(postcode_region_name(REGION_WALLONIA), "Wallonia");
	cr_assert_str_eq(postcode_region_name(REGION_GERMAN), "German-speaking area");
	cr_assert_not_null(postcode_region_name(REGION_NONE));
}
