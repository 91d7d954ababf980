#include "swell_standard_streams.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static int closed_at_start;

// Runs before main, and so before the Swift runtime's dispatch threads open their eventfd and
// epoll descriptors: with `2>&-`, one of those took descriptor 2, and every log line went to it.
__attribute__((constructor)) static void swell_fill_closed_standard_streams(void) {
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
}

int swell_closed_standard_streams(void) { return closed_at_start; }
