/*
 * A program that changes its process attributes with prctl: not dumpable
 * (which changes who may open /proc/PID/mem or ptrace it), no new privs,
 * a new name, a parent-death signal; then it reads them back, reads its
 * /proc/self/comm, uses the vdso, forks and execs /bin/true.  Expected
 * output: the values read back and the child's status, as natively.
 */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(void)
{
	time(NULL);
	int was = prctl(PR_GET_DUMPABLE);
	int set = prctl(PR_SET_DUMPABLE, 0);
	printf("dumpable %d -> set 0: %d -> %d\n", was, set, prctl(PR_GET_DUMPABLE));
	set = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	printf("no_new_privs: %d -> %d\n", set, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	char name[32] = { 0 };
	prctl(PR_SET_NAME, "renamed-prog");
	prctl(PR_GET_NAME, name);
	char comm[64] = { 0 };
	FILE *f = fopen("/proc/self/comm", "r");
	if (f) {
		fgets(comm, sizeof comm, f);
		fclose(f);
	}
	printf("name %s, comm %s", name, comm);
	int sig = -1;
	prctl(PR_SET_PDEATHSIG, 9);
	prctl(PR_GET_PDEATHSIG, &sig);
	printf("pdeathsig %d\n", sig);
	for (int i = 0; i < 10; i++)
		time(NULL);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)0);
		_exit(99);
	}
	int status;
	waitpid(pid, &status, 0);
	printf("child %d, dumpable still %d\n", WEXITSTATUS(status), prctl(PR_GET_DUMPABLE));
	return 0;
}
