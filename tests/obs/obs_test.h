/*
 * obs_test.h -- helpers shared by the unit tests of the obs/ file writers
 * (tests/unit/test_pprof.c, test_trace.c): a scratch directory, running
 * an external tool with a timeout and capturing its output, and finding
 * the checker scripts next to this header.
 *
 * The writers are checked by the tools that read their files (go tool
 * pprof, gzip, python3's json module), so a test that lacks its tool
 * skips with a message instead of failing.
 */
#ifndef EMBER_OBS_TEST_H
#define EMBER_OBS_TEST_H

#include <ftw.h> /* nftw, mkdtemp, asprintf, popen: -D_GNU_SOURCE */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Seconds any external tool may take before `timeout` kills it. */
#define OBS_TOOL_TIMEOUT 120

static char g_dir[256];

static inline int obs_rm_entry(const char *p, const struct stat *sb, int flag,
                               struct FTW *ftw)
{
    return remove(p);
}

static inline int obs_setup_dir(void **state)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof(g_dir), "%s/ember_obs_XXXXXX",
             tmp && tmp[0] ? tmp : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static inline int obs_remove_dir(void **state)
{
    if (getenv("EMBER_KEEP_TEST_FILES")) {
        printf("kept %s\n", g_dir);
        return 0;
    }
    return nftw(g_dir, obs_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* "<scratch dir>/<name>" in buf. */
static inline const char *obs_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", g_dir, name);
    return buf;
}

/* Run `cmd` with sh, stdout and stderr captured into `out` (cleared
 * first). Returns the exit status, or -1 when it could not run. */
static inline int obs_run(const char *cmd, StrBuf *out)
{
    sb_clear(out);
    char *full = NULL;
    if (asprintf(&full, "( %s ) 2>&1", cmd) < 0)
        return -1;
    FILE *f = popen(full, "r");
    free(full);
    if (f == NULL)
        return -1;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        sb_append(out, buf, n);
    if (out->data == NULL)
        sb_puts(out, "");
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether `tool` is on PATH. */
static inline bool obs_have(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* Path of a file in tests/obs/: found from the working directory (the
 * repository top, where tests/run.sh runs) or from this header's path. */
static inline const char *obs_script(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "tests/obs/%s", name);
    if (access(buf, R_OK) == 0)
        return buf;
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    int dir = slash ? (int)(slash - here) : 0;
    snprintf(buf, cap, "%.*s/%s", dir, here, name);
    return buf;
}

/* Size of a file in bytes, -1 when it cannot be stat'ed. */
static inline long long obs_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* Whether `hay` contains `needle`, failing with both when not. */
#define assert_contains(hay, needle)                                           \
    do {                                                                       \
        const char *h_ = (hay);                                                \
        const char *n_ = (needle);                                             \
        if (h_ == NULL || strstr(h_, n_) == NULL)                              \
            fail_msg("expected \"%s\" in:\n%s", n_, h_ ? h_ : "(null)");       \
    } while (0)

/* go tool pprof -traces output as one line per stack, "leaf <- ... <-
 * root". */
static inline void traces_normalize(const char *out, StrBuf *sb)
{
    bool in_traces = false;
    bool first = true;
    sb_clear(sb);
    sb_puts(sb, "");
    while (*out) {
        size_t n = strcspn(out, "\n");
        const char *line = out;
        out += n + (out[n] == '\n');
        if (n >= 12 && strncmp(line, "-----------+", 12) == 0) {
            if (in_traces && !first)
                sb_putc(sb, '\n');
            in_traces = true;
            first = true;
            continue;
        }
        if (!in_traces)
            continue;
        size_t i = 0;
        while (i < n && line[i] == ' ')
            i++;
        if (i < 11) { /* a value column starts the stack */
            while (i < n && line[i] != ' ')
                i++;
            while (i < n && line[i] == ' ')
                i++;
        }
        if (i == n)
            continue;
        sb_printf(sb, "%s%.*s", first ? "" : " <- ", (int)(n - i), line + i);
        first = false;
    }
}

#endif /* EMBER_OBS_TEST_H */
