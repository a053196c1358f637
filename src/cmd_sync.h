/* cmd_sync.h: the `handesk sync` subcommand: one sync cycle with the
 * central service, --watch to keep going, --status to show where it is. */
#ifndef HANDESK_CMD_SYNC_H
#define HANDESK_CMD_SYNC_H

struct config;

/* Run `handesk sync` with its own arguments (argv[0] is "sync") and the
 * loaded configuration (server, token, ca_file, sync_interval, cache).
 * Returns the exit status: 0 done, 1 failed (the reason on stderr), 2 bad
 * usage or configuration, 75 a transient failure (try again later). */
int cmd_sync_main(int argc, char **argv, struct config *cfg);

#endif
