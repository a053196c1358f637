/* cmd_workdays.h: the `handesk workdays` subcommand. */
#ifndef HANDESK_CMD_WORKDAYS_H
#define HANDESK_CMD_WORKDAYS_H

struct config;

/* Run `handesk workdays` with its own arguments (argv[0] is "workdays"); cfg is the
 * loaded configuration.  Returns the process exit status. */
int cmd_workdays_main(int argc, char **argv, struct config *cfg);

#endif
