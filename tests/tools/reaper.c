/* reaper: pid 1 of the tests' private PID namespace. It runs its arguments as a child and reaps
 * every process reparented to it, so a killed apache2 parent does not linger as a zombie that
 * kill(pid, 0) (and httpd's "already running" check) still sees. Exits with the child's status. */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    pid_t main_child, pid;
    int status, main_status = 1;

    if (argc < 2) {
        fprintf(stderr, "usage: reaper command [args...]\n");
        return 2;
    }
    main_child = fork();
    if (main_child < 0) {
        perror("fork");
        return 2;
    }
    if (main_child == 0) {
        execvp(argv[1], argv + 1);
        perror(argv[1]);
        _exit(127);
    }
    for (;;) {
        pid = wait(&status);
        if (pid < 0 && errno == EINTR) {
            continue;
        }
        if (pid < 0) {
            break; /* no children left */
        }
        if (pid == main_child) {
            main_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break; /* leaving pid 1 ends the namespace and kills what remains */
        }
    }
    return main_status;
}
