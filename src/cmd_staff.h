/* cmd_staff.h: the `handesk staff` subcommand (list, add, deactivate,
 * activate). */
#ifndef HANDESK_CMD_STAFF_H
#define HANDESK_CMD_STAFF_H

struct config;

/* Run `handesk staff` with its own arguments (argv[0] is "staff"); cfg is
 * the loaded configuration, whose login (the global --login) is who acts.
 * Returns the process exit status: 0 done, 1 refused or failed, 2 bad
 * usage or an invalid value. */
int cmd_staff_main(int argc, char **argv, struct config *cfg);

#endif
