/*
 * vg_reserve_shim.c -- LD_PRELOAD helper to run ember under valgrind.
 *
 * ember's arenas reserve 64 GiB of address space each (mmap PROT_NONE,
 * MAP_NORESERVE) and commit it as they grow. Valgrind's address-space
 * manager cannot hold several such ranges, so under valgrind every
 * statement, even SELECT 1, fails with "out of memory". This shim shrinks
 * those reservations to EMBER_VG_RESERVE_MIB (default 4096) MiB and fixes
 * up the matching munmap calls; ember is not modified. Fine for small
 * scale factors, where no arena outgrows the smaller reservation.
 *
 *   cc -shared -fPIC -O2 -o /tmp/vg_reserve_shim.so \
 *       docs/scripts/vg_reserve_shim.c -ldl
 *   LD_PRELOAD=/tmp/vg_reserve_shim.so valgrind --tool=callgrind build/ember ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#define MAX_RES 4096

static struct { void *p; size_t asked, got; } res[MAX_RES];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static size_t cap(void)
{
    const char *s = getenv("EMBER_VG_RESERVE_MIB");
    size_t mib = s ? strtoull(s, NULL, 10) : 4096;
    return (mib ? mib : 4096) << 20;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    static void *(*real)(void *, size_t, int, int, int, off_t);
    if (!real)
        real = (void *(*)(void *, size_t, int, int, int, off_t))
            dlsym(RTLD_NEXT, "mmap");
    size_t c = cap();
    if (prot == PROT_NONE && (flags & MAP_NORESERVE) && len > c) {
        void *p = real(addr, c, prot, flags, fd, off);
        if (p != MAP_FAILED) {
            pthread_mutex_lock(&mu);
            for (int i = 0; i < MAX_RES; i++)
                if (res[i].p == NULL) {
                    res[i].p = p;
                    res[i].asked = len;
                    res[i].got = c;
                    break;
                }
            pthread_mutex_unlock(&mu);
        }
        return p;
    }
    return real(addr, len, prot, flags, fd, off);
}

int munmap(void *p, size_t len)
{
    static int (*real)(void *, size_t);
    if (!real)
        real = (int (*)(void *, size_t))dlsym(RTLD_NEXT, "munmap");
    pthread_mutex_lock(&mu);
    for (int i = 0; i < MAX_RES; i++)
        if (res[i].p == p && res[i].asked == len) {
            len = res[i].got;
            res[i].p = NULL;
            break;
        }
    pthread_mutex_unlock(&mu);
    return real(p, len);
}
