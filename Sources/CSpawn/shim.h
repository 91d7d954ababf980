// Starting and watching task processes: glibc's posix_spawn extensions (declared here, as the
// Glibc module leaves them out without _GNU_SOURCE), pidfd_open (no wrapper in glibc 2.36),
// epoll and eventfd.
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/types.h>
#include <unistd.h>

int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);
int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
int pipe2(int fds[2], int flags);

static inline int swell_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/// The node adopts what its tasks leave behind: orphaned descendants become its children.
static inline int swell_become_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/// glibc's POSIX_SPAWN_SETSID (2.26 and later), hidden without _GNU_SOURCE.
#define SWELL_POSIX_SPAWN_SETSID 0x80
