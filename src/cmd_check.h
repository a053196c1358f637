/* cmd_check.h: the `handesk check` subcommand. */
#ifndef HANDESK_CMD_CHECK_H
#define HANDESK_CMD_CHECK_H

struct config;

/* Run `handesk check` with its own arguments (argv[0] is "check"); cfg is the
 * loaded configuration.  Returns the process exit status. */
int cmd_check_main(int argc, char **argv, struct config *cfg);

#endif
