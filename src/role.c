/* role.c: the permission matrix of the staff roles (design.md section 6). */
#include "autoconf.h"

#include "role.h"

#include <string.h>

#include "i18n.h"

/*
 * Who may do what.  The rows follow the work each role does at the centre
 * (domain.md "Who works there"); the columns are enum perm.
 *
 * - Reception registers visitors and applications and keeps contact data
 *   current, but never sees medical content, never reads the audit trail and
 *   never changes a known INSZ (it may fill in one that was not yet known:
 *   session_update_person draws that line).
 * - Client and dossier managers follow dossiers: like reception, plus
 *   correcting a known INSZ (a merge or a register correction).
 * - The dossier manager also reads the audit trail: they answer the
 *   citizen's questions about who handled the file (and the GDPR access
 *   requests), and spot a colleague's misplaced view while following the
 *   dossier.  The trail holds who/when/what-field, never health data, so
 *   this does not widen access to medical content.
 * - Social assistants register people met on consultation days and help
 *   them file applications; no INSZ change, no medical content.  (A social
 *   assistant evaluating young people does so under an evaluator record.)
 * - Evaluators and doctors are the only roles that see medical content;
 *   they read the administrative card but leave its upkeep to the front
 *   office.
 * - The centre director can do all administrative work and reads the audit
 *   trail, but is not medical staff: no medical content.
 * - Quality checks samples of dossiers: read-only, with the audit trail.
 */
/* clang-format off */
static const bool matrix[ROLE_COUNT][PERM_COUNT] = {
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

static const char *const codes[ROLE_COUNT] = {
    [ROLE_NONE] = "",
    [ROLE_RECEPTION] = "reception",
    [ROLE_CLIENT_MANAGER] = "client_manager",
    [ROLE_DOSSIER_MANAGER] = "dossier_manager",
    [ROLE_SOCIAL_ASSISTANT] = "social_assistant",
    [ROLE_EVALUATOR] = "evaluator",
    [ROLE_DOCTOR] = "doctor",
    [ROLE_DIRECTOR] = "director",
    [ROLE_QUALITY] = "quality",
};

static const char *const names[ROLE_COUNT] = {
    [ROLE_NONE] = N_("no role"),
    [ROLE_RECEPTION] = N_("reception"),
    [ROLE_CLIENT_MANAGER] = N_("client manager"),
    [ROLE_DOSSIER_MANAGER] = N_("dossier manager"),
    [ROLE_SOCIAL_ASSISTANT] = N_("social assistant"),
    [ROLE_EVALUATOR] = N_("evaluator"),
    [ROLE_DOCTOR] = N_("doctor"),
    [ROLE_DIRECTOR] = N_("centre director"),
    [ROLE_QUALITY] = N_("quality"),
};

/* True if role r may do p; anything out of range may do nothing. */
bool role_may(enum role r, enum perm p)
{
	if ((int)r < 0 || r >= ROLE_COUNT || (int)p < 0 || p >= PERM_COUNT)
		return false;
	return matrix[r][p];
}

/* The stable code stored in the cache and sent on the wire ("" for none). */
const char *role_code(enum role r)
{
	if ((int)r < 0 || r >= ROLE_COUNT)
		return "";
	return codes[r];
}

/* The role's name in the current language (static). */
const char *role_name(enum role r)
{
	if ((int)r < 0 || r >= ROLE_COUNT)
		r = ROLE_NONE;
	return _(names[r]);
}

/* The role of a stable code, ROLE_NONE if unknown. */
enum role role_parse(const char *code)
{
	if (!code || !*code)
		return ROLE_NONE;
	for (int r = ROLE_NONE + 1; r < ROLE_COUNT; r++)
		if (strcmp(code, codes[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}
