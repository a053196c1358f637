/* cmd_demo.h: the `handesk demo` subcommand. */
#ifndef HANDESK_CMD_DEMO_H
#define HANDESK_CMD_DEMO_H

struct config;

/* Run `handesk demo` with its own arguments (argv[0] is "demo"); cfg is the
 * loaded configuration.  Returns the process exit status. */
int cmd_demo_main(int argc, char **argv, struct config *cfg);

#endif
