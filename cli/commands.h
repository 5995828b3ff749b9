/* The umss commands: one file each under cli/, dispatched by cli/main.c. */
#ifndef UMSS_CLI_COMMANDS_H
#define UMSS_CLI_COMMANDS_H

/*
 * Each takes the arguments after the command name (argv[0] is the command
 * name itself) and returns umss's exit status.
 */
int cmd_trace(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
