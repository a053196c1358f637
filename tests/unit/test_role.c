/* test_role.c: the permission matrix of the staff roles, and role codes. */
#include <criterion/criterion.h>
#include <string.h>

#include "src/role.h"

/* The whole matrix, written out again on purpose: a change to src/role.c
 * must be made twice, once here, knowingly. */
/* clang-format off */
static const bool expected[ROLE_COUNT][PERM_COUNT] = {
	/*                       view   create edit   insz   app    medic  audit */
	[ROLE_NONE] = {false, false, false, false, false, false, false},
	[ROLE_RECEPTION] = {true, true, true, false, true, false, false},
	[ROLE_CLIENT_MANAGER] = {true, true, true, true, true, false, false},
	[ROLE_DOSSIER_MANAGER] = {true, true, true, true, true, false, true},
	[ROLE_SOCIAL_ASSISTANT] = {true, true, true, false, true, false, false},
	[ROLE_EVALUATOR] = {true, false, false, false, false, true, false},
	[ROLE_DOCTOR] = {true, false, false, false, false, true, false},
	[ROLE_DIRECTOR] = {true, true, true, true, true, false, true},
	[ROLE_QUALITY] = {true, false, false, false, false, false, true},
};
/* clang-format on */

Test(role, whole_matrix)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		for (int p = 0; p < PERM_COUNT; p++)
			cr_expect_eq(role_may((enum role)r, (enum perm)p), expected[r][p],
			             "role %s, permission %d", role_code((enum role)r), p);
}

Test(role, reception_never_sees_medical_content)
{
	cr_assert_not(role_may(ROLE_RECEPTION, PERM_MEDICAL_VIEW));
	cr_assert_not(role_may(ROLE_RECEPTION, PERM_AUDIT_VIEW));
	cr_assert_not(role_may(ROLE_RECEPTION, PERM_INSZ_CHANGE));
	cr_assert(role_may(ROLE_RECEPTION, PERM_PERSON_CREATE));
}

Test(role, medical_view_only_evaluators_and_doctors)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		cr_expect_eq(role_may((enum role)r, PERM_MEDICAL_VIEW),
		             r == ROLE_EVALUATOR || r == ROLE_DOCTOR, "role %s",
		             role_code((enum role)r));
}

Test(role, audit_view_director_quality_dossier_manager)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		cr_expect_eq(role_may((enum role)r, PERM_AUDIT_VIEW),
		             r == ROLE_DIRECTOR || r == ROLE_QUALITY || r == ROLE_DOSSIER_MANAGER,
		             "role %s", role_code((enum role)r));
}

Test(role, insz_change_managers_and_director)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		cr_expect_eq(role_may((enum role)r, PERM_INSZ_CHANGE),
		             r == ROLE_DOSSIER_MANAGER || r == ROLE_CLIENT_MANAGER ||
		                 r == ROLE_DIRECTOR,
		             "role %s", role_code((enum role)r));
}

Test(role, everyone_with_a_role_may_view_a_card)
{
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++)
		cr_expect(role_may((enum role)r, PERM_PERSON_VIEW));
	cr_expect_not(role_may(ROLE_NONE, PERM_PERSON_VIEW));
}

Test(role, out_of_range_may_nothing)
{
	cr_expect_not(role_may(ROLE_COUNT, PERM_PERSON_VIEW));
	cr_expect_not(role_may((enum role) - 1, PERM_PERSON_VIEW));
	cr_expect_not(role_may(ROLE_DIRECTOR, PERM_COUNT));
	cr_expect_not(role_may(ROLE_DIRECTOR, (enum perm) - 1));
	cr_expect_str_eq(role_code(ROLE_COUNT), "");
	cr_expect_str_not_empty(role_name(ROLE_COUNT));
}

Test(role, stable_codes)
{
	static const char *const codes[ROLE_COUNT] = {
	    "",          "reception", "client_manager", "dossier_manager", "social_assistant",
	    "evaluator", "doctor",    "director",       "quality",
	};
	for (int r = 0; r < ROLE_COUNT; r++)
		cr_expect_str_eq(role_code((enum role)r), codes[r]);
}

Test(role, code_round_trip)
{
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++) {
		cr_expect_eq(role_parse(role_code((enum role)r)), r);
		cr_expect_str_not_empty(role_name((enum role)r));
	}
	cr_expect_eq(role_parse(""), ROLE_NONE);
	cr_expect_eq(role_parse(NULL), ROLE_NONE);
	cr_expect_eq(role_parse("Reception"), ROLE_NONE);
	cr_expect_eq(role_parse("admin"), ROLE_NONE);
}
