/*
 * commands.h - the subcommands of `noinherit`.  Each gets argv from its own
 * name on (argv[0] is "audit"), prints its own messages (cli.h) and
 * returns the exit status.
 */
#ifndef NI_COMMANDS_H
#define NI_COMMANDS_H

int cmd_audit(int argc, char **argv);	/* audit.c */
int cmd_exec(int argc, char **argv);	/* exec.c */
int cmd_trace(int argc, char **argv);	/* trace.c, Linux */
int cmd_enforce(int argc, char **argv);	/* shim.c, Linux */

#endif /* NI_COMMANDS_H */
