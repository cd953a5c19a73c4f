/* memlimit.c: the address-space ceiling behind --max-memory. */
#include "cli/memlimit.h"

#include <sys/resource.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define MEMLIMIT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEMLIMIT_SANITIZED 1
#endif
#endif

static double current;

double memlimit_default(int jobs)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || size <= 0) return 0.0;
    double total = (double)pages * (double)size;
    return 0.8 * total / (jobs > 0 ? jobs : 1);
}

int memlimit_apply(double bytes)
{
#ifdef MEMLIMIT_SANITIZED
    (void)bytes;
    return -1;
#else
    if (!(bytes > 0)) return -1;
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0) return -1;
    rlim_t want = (rlim_t)bytes;
    if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max) want = rl.rlim_max;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_AS, &rl) != 0) return -1;
    current = (double)want;
    return 0;
#endif
}

double memlimit_current(void) { return current; }
