#define _GNU_SOURCE
#include "swell_startup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

static int closed_at_start;

/// Below this many open files, Swell's runtime, libdispatch or libzmq fail in ways that end
/// the process with a signal (libzmq asserts in epoll.cpp, libdispatch cannot make an eventfd).
enum { minimum_open_files = 32 };

// Runs before main, and so before the Swift runtime's dispatch threads open their eventfd and
// epoll descriptors: with `2>&-`, one of those took descriptor 2, and every log line went to it.
__attribute__((constructor)) static void swell_check_descriptors(void) {
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        int opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (opened < 0) continue;
        if (opened != fd) {
            dup2(opened, fd);
            close(opened);
        }
        closed_at_start |= 1 << fd;
    }
    // Said here, with exit status 2 as for any usage problem: later it is a crash.
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_max != RLIM_INFINITY && limit.rlim_max < minimum_open_files) {
        dprintf(STDERR_FILENO,
                "%s: this process may open %llu files (its hard limit, ulimit -Hn), and Swell needs at least %d: raise the "
                "limit (LimitNOFILE= in a systemd unit, --ulimit nofile=N:N for a container, ulimit -Hn N as root)\n",
                program_invocation_short_name, (unsigned long long)limit.rlim_max, minimum_open_files);
        _exit(2);
    }
}

int swell_closed_standard_streams(void) { return closed_at_start; }
