/* semhold: makes SysV semaphore sets the way another program would, for the tests that try to
 * fool mod_semguard's removal rules. Prints the semids, one per line, then waits until killed
 * (or exits at once with -x, leaving the sets behind with a dead last-operation pid).
 *
 *   semhold [-n count] [-k key] [-s nsems] [-m octal-mode] [-u uid] [-g gid] [-v value]
 *           [-h] [-x]
 *   -v value  SETVAL semaphore 0 to value (default 1; -1 skips SETVAL, leaving sempid 0)
 *   -h        hold: take semaphore 0 (semop -1, SEM_UNDO) and keep it
 *   -u/-g     IPC_SET the owner, as httpd does for its User/Group
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; };

int main(int argc, char **argv)
{
    int count = 1, nsems = 1, value = 1, hold = 0, exit_now = 0, opt, i;
    key_t key = IPC_PRIVATE;
    long mode = 0600, uid = -1, gid = -1;

    while ((opt = getopt(argc, argv, "n:k:s:m:u:g:v:hx")) != -1) {
        switch (opt) {
        case 'n': count = atoi(optarg); break;
        case 'k': key = (key_t)strtol(optarg, NULL, 0); break;
        case 's': nsems = atoi(optarg); break;
        case 'm': mode = strtol(optarg, NULL, 8); break;
        case 'u': uid = atol(optarg); break;
        case 'g': gid = atol(optarg); break;
        case 'v': value = atoi(optarg); break;
        case 'h': hold = 1; break;
        case 'x': exit_now = 1; break;
        default: return 2;
        }
    }
    for (i = 0; i < count; i++) {
        union semun arg;
        struct semid_ds ds;
        int semid = semget(key == IPC_PRIVATE ? IPC_PRIVATE : key + i, nsems, IPC_CREAT | (int)mode);
        if (semid < 0) { perror("semget"); return 1; }
        if (value >= 0) {
            arg.val = value;
            if (semctl(semid, 0, SETVAL, arg) < 0) { perror("SETVAL"); return 1; }
        }
        if (uid >= 0 || gid >= 0) {
            arg.buf = &ds;
            if (semctl(semid, 0, IPC_STAT, arg) < 0) { perror("IPC_STAT"); return 1; }
            if (uid >= 0) ds.sem_perm.uid = (uid_t)uid;
            if (gid >= 0) ds.sem_perm.gid = (gid_t)gid;
            if (semctl(semid, 0, IPC_SET, arg) < 0) { perror("IPC_SET"); return 1; }
        }
        if (hold) {
            struct sembuf op = {0, -1, SEM_UNDO};
            if (semop(semid, &op, 1) < 0) { perror("semop"); return 1; }
        }
        printf("%d\n", semid);
    }
    fflush(stdout);
    if (exit_now) return 0;
    for (;;) pause();
}
