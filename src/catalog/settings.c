/*
 * settings.c -- per-connection settings (SET / PRAGMA / ember_set).
 *
 * One table lists every setting with its parser and printer so SET, SHOW,
 * SHOW ALL and the API stay in agreement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "exec/vector.h"

typedef enum SetKind { S_INT, S_BOOL, S_STR, S_ENUM } SetKind;

typedef struct SettingDef {
    const char *name;
    SetKind kind;
    size_t offset;
    int lo, hi;               /* S_INT range */
    const char *const *enum_names;
    const char *doc;
} SettingDef;

static const char *const join_order_names[] = {"cost", "syntactic",
                                               "greedy", NULL};

#define OFF(f) offsetof(Settings, f)

static const SettingDef defs[] = {
    {"threads", S_INT, OFF(threads), 1, 256, NULL,
     "worker threads per query"},
    {"vector_size", S_INT, OFF(vector_size), 1, VEC_SIZE, NULL,
     "rows per chunk (1 = row at a time)"},
    {"join_order", S_ENUM, OFF(join_order), 0, 0, join_order_names,
     "cost (dynamic programming), greedy, or syntactic (as written)"},
    {"enable_hashjoin", S_BOOL, OFF(enable_hashjoin), 0, 0, NULL,
     "hash joins for equi-joins (off: nested loops)"},
    {"enable_unnest", S_BOOL, OFF(enable_unnest), 0, 0, NULL,
     "decorrelate subqueries into joins"},
    {"arena", S_BOOL, OFF(arena), 0, 0, NULL,
     "query arena (off: one malloc per allocation)"},
    {"lock_shards", S_INT, OFF(lock_shards), 0, 1024, NULL,
     "0: thread-local aggregation and join build; N: N shared, locked "
     "shards (1 = one global lock)"},
    {"hash_partitions", S_INT, OFF(hash_partitions), 0, 1024, NULL,
     "join hash table built in N cache-sized slices (0 = one big table)"},
    {"statistics_frozen", S_BOOL, OFF(stats_frozen), 0, 0, NULL,
     "stop maintaining statistics on changes (stale estimates)"},
    {"profiling", S_BOOL, OFF(profiling), 0, 0, NULL,
     "collect per-operator counters for every query"},
    {"profile_output", S_STR, OFF(profile_output), 0, 0, NULL,
     "write a pprof profile of each query to this file"},
    {"trace_output", S_STR, OFF(trace_output), 0, 0, NULL,
     "write a Chrome trace of each query to this file"},
    {"greedy_threshold", S_INT, OFF(greedy_threshold), 2, 64, NULL,
     "relations above which join ordering is greedy"},
    {"cache_memory", S_INT, OFF(cache_memory), 0, 1 << 20, NULL,
     "MiB of query memory kept faulted in between queries"},
};

void settings_default(Settings *s)
{
    memset(s, 0, sizeof(*s));
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    s->threads = n < 1 ? 1 : (n > 64 ? 64 : (int)n);
    s->vector_size = VEC_SIZE;
    s->join_order = JOIN_ORDER_COST;
    s->enable_hashjoin = true;
    s->enable_unnest = true;
    s->arena = true;
    s->lock_shards = 0;
    s->hash_partitions = 64;
    s->greedy_threshold = 12;
    /* TUNING: a quarter of physical memory, at most 8 GiB */
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGE_SIZE);
    long mib = pages > 0 && psz > 0 ? (long)((double)pages * psz / 4 / 1048576)
                                    : 256;
    s->cache_memory = (int)(mib > 8192 ? 8192 : mib);
}

static const SettingDef *find(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(defs); i++)
        if (strcasecmp(defs[i].name, name) == 0)
            return &defs[i];
    return NULL;
}

const char *settings_name(int i)
{
    return i >= 0 && (size_t)i < ARRAY_LEN(defs) ? defs[i].name : NULL;
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"on", "true", "1", "yes", "t"};
    static const char *const no[] = {"off", "false", "0", "no", "f"};
    for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return EMBER_OK;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return EMBER_OK;
        }
    }
    return EMBER_ERROR;
}

int settings_set(Settings *s, const char *name, const char *value, Err *err)
{
    const SettingDef *d = find(name);
    if (d == NULL)
        return err_set(err, EMBER_NOTFOUND, -1,
                       "unrecognized configuration parameter \"%s\"", name);
    char *base = (char *)s + d->offset;
    switch (d->kind) {
    case S_INT: {
        char *end;
        long v = strtol(value, &end, 10);
        if (*value == 0 || *end != 0 || v < d->lo || v > d->hi)
            return err_set(err, EMBER_ERROR, -1,
                           "invalid value for parameter \"%s\": \"%s\" "
                           "(must be an integer from %d to %d)",
                           d->name, value, d->lo, d->hi);
        *(int *)base = (int)v;
        return EMBER_OK;
    }
    case S_BOOL:
        if (parse_bool(value, (bool *)base) != EMBER_OK)
            return err_set(err, EMBER_ERROR, -1,
                           "parameter \"%s\" requires a Boolean value",
                           d->name);
        return EMBER_OK;
    case S_STR:
        if (strlen(value) >= sizeof(s->profile_output))
            return err_set(err, EMBER_ERROR, -1,
                           "value for parameter \"%s\" is too long",
                           d->name);
        snprintf(base, sizeof(s->profile_output), "%s", value);
        return EMBER_OK;
    case S_ENUM:
        for (int i = 0; d->enum_names[i]; i++) {
            if (strcasecmp(value, d->enum_names[i]) == 0) {
                *(int *)base = i;
                return EMBER_OK;
            }
        }
        return err_set(err, EMBER_ERROR, -1,
                       "invalid value for parameter \"%s\": \"%s\"",
                       d->name, value);
    }
    return EMBER_INTERNAL;
}

int settings_get(const Settings *s, const char *name, char *buf, size_t cap)
{
    const SettingDef *d = find(name);
    if (d == NULL)
        return EMBER_NOTFOUND;
    const char *base = (const char *)s + d->offset;
    switch (d->kind) {
    case S_INT:
        snprintf(buf, cap, "%d", *(const int *)base);
        break;
    case S_BOOL:
        snprintf(buf, cap, "%s", *(const bool *)base ? "on" : "off");
        break;
    case S_STR:
        snprintf(buf, cap, "%s", base);
        break;
    case S_ENUM:
        snprintf(buf, cap, "%s", d->enum_names[*(const int *)base]);
        break;
    }
    return EMBER_OK;
}
