/*
 * trace.c -- a query's timeline as Chrome Trace Event JSON, for Perfetto
 * (ui.perfetto.dev) and chrome://tracing.
 *
 * The file is one object:
 *
 *   {"traceEvents":[...], "displayTimeUnit":"ms", "otherData":{...}}
 *
 * with, in "traceEvents", metadata first (process_name "ember", and per
 * thread its thread_name and thread_sort_index), then the query phases
 * (parse, bind, optimize, physical, execute: laid end to end on thread 0
 * from time 0, unless the profile has "phase" events of its own), then the
 * profile's events: spans as complete events ("ph":"X", ts and dur in
 * microseconds with three decimals, i.e. exact nanoseconds) and counters
 * ("ph":"C"). "otherData" holds the SQL text and the query totals.
 *
 * Threads: 0 is the thread that ran the query ("main"), 1.. the workers.
 * The executor puts a thread's lock waits on a track of their own, tid
 * TRACE_LOCK_TRACK + the thread's tid, named "<thread> locks" and sorted
 * right below it.
 *
 * Spans on one thread must nest (Perfetto moves partial overlaps to an
 * overflow track); the writer does not reorder or clip them: that is the
 * producer's invariant. The synthesized phases keep it: event times
 * count from the query start, so execution spans fall in "execute".
 *
 * Counters are process-wide series in this format, so each carries the
 * thread name as "id": one series per thread.
 *
 * Output streams through the OutFile buffer: memory stays constant
 * whatever the number of events. A path ending in ".gz" is written
 * gzip-compressed (Perfetto opens .json.gz as it is).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "obs/obs_int.h"

/* Lock-wait tracks: tid = TRACE_LOCK_TRACK + the waiting thread's tid. */
#define TRACE_LOCK_TRACK 1000
#define TRACE_PID 1

typedef struct TraceWriter {
    OutFile out;
    bool first;        /* no event written yet */
} TraceWriter;

/* ------------------------------------------------------------------------
 * JSON output
 * ------------------------------------------------------------------------ */

static void out_put(void *ctx, const char *p, size_t n)
{
    out_write(ctx, p, n);
}

/* A JSON string (profile_render.c's escaping). NULL writes "". */
static void json_str(OutFile *o, const char *str)
{
    json_quote(str, out_put, o);
}

/* Nanoseconds as microseconds with three decimals: exact, no rounding. */
static void json_us(OutFile *o, uint64_t ns)
{
    out_printf(o, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
}

/* Start an event object: the separator, name, cat, ph, pid, tid. */
static void event_begin(TraceWriter *tw, const char *name, const char *cat,
                        char ph, int tid)
{
    OutFile *o = &tw->out;
    out_puts(o, tw->first ? "\n{\"name\":" : ",\n{\"name\":");
    tw->first = false;
    json_str(o, name);
    if (cat) {
        out_puts(o, ",\"cat\":");
        json_str(o, cat);
    }
    out_printf(o, ",\"ph\":\"%c\",\"pid\":%d,\"tid\":%d", ph, TRACE_PID, tid);
}

/* ------------------------------------------------------------------------
 * Threads
 * ------------------------------------------------------------------------ */

static void thread_name(int tid, char *buf, size_t cap)
{
    if (tid >= TRACE_LOCK_TRACK) {
        int base = tid - TRACE_LOCK_TRACK;
        if (base == 0)
            snprintf(buf, cap, "main locks");
        else
            snprintf(buf, cap, "worker %d locks", base);
    } else if (tid == 0) {
        snprintf(buf, cap, "main");
    } else {
        snprintf(buf, cap, "worker %d", tid);
    }
}

/* Rows in thread order, each lock track right below its thread. */
static int thread_sort_index(int tid)
{
    if (tid >= TRACE_LOCK_TRACK)
        return 2 * (tid - TRACE_LOCK_TRACK) + 1;
    return 2 * tid;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The distinct tids of the events, thread 0 always included, sorted, in
 * *out (mem_* memory, the caller frees). Returns the count, -1 when out of
 * memory. */
static int collect_tids(const QueryProfile *p, int **out)
{
    int *tids = mem_alloc(sizeof(int) * ((size_t)p->n_events + 1));
    if (tids == NULL)
        return -1;
    int n = 0;
    tids[n++] = 0;
    for (int i = 0; i < p->n_events; i++)
        tids[n++] = p->events[i].tid;
    qsort(tids, (size_t)n, sizeof(int), cmp_int);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m == 0 || tids[m - 1] != tids[i])
            tids[m++] = tids[i];
    }
    *out = tids;
    return m;
}

static void write_metadata(TraceWriter *tw, const int *tids, int n_tids)
{
    OutFile *o = &tw->out;
    event_begin(tw, "process_name", NULL, 'M', 0);
    out_puts(o, ",\"args\":{\"name\":\"ember\"}}");
    for (int i = 0; i < n_tids; i++) {
        char name[48];
        thread_name(tids[i], name, sizeof(name));
        event_begin(tw, "thread_name", NULL, 'M', tids[i]);
        out_puts(o, ",\"args\":{\"name\":");
        json_str(o, name);
        out_puts(o, "}}");
        event_begin(tw, "thread_sort_index", NULL, 'M', tids[i]);
        out_printf(o, ",\"args\":{\"sort_index\":%d}}",
                   thread_sort_index(tids[i]));
    }
}

/* ------------------------------------------------------------------------
 * Events
 * ------------------------------------------------------------------------ */

static void write_span(TraceWriter *tw, const char *name, const char *cat,
                       int tid, uint64_t ts_ns, uint64_t dur_ns, uint64_t rows,
                       uint64_t chunks)
{
    OutFile *o = &tw->out;
    event_begin(tw, name, cat, 'X', tid);
    out_puts(o, ",\"ts\":");
    json_us(o, ts_ns);
    out_puts(o, ",\"dur\":");
    json_us(o, dur_ns);
    if (rows || chunks) {
        const char *sep = "";
        out_puts(o, ",\"args\":{");
        if (rows) {
            out_printf(o, "\"rows\":%" PRIu64, rows);
            sep = ",";
        }
        if (chunks)
            out_printf(o, "%s\"chunks\":%" PRIu64, sep, chunks);
        out_puts(o, "}");
    }
    out_puts(o, "}");
}

static void write_counter(TraceWriter *tw, const TraceEvent *ev)
{
    OutFile *o = &tw->out;
    uint64_t ts = ev->ts_ns;
    bool memory = (ev->cat && strcmp(ev->cat, "memory") == 0) ||
                  (ev->name && strcmp(ev->name, "memory") == 0);
    char series[48];
    thread_name(ev->tid, series, sizeof(series));
    event_begin(tw, ev->name, ev->cat, 'C', ev->tid);
    out_puts(o, ",\"ts\":");
    json_us(o, ts);
    out_puts(o, ",\"id\":");
    json_str(o, series);
    out_printf(o, ",\"args\":{\"%s\":%" PRId64 "}}", memory ? "bytes" : "value",
               ev->value);
}

static bool has_phase_events(const QueryProfile *p)
{
    for (int i = 0; i < p->n_events; i++) {
        const TraceEvent *ev = &p->events[i];
        if (ev->kind == TRACE_SPAN && ev->cat && strcmp(ev->cat, "phase") == 0)
            return true;
    }
    return false;
}

/* The phases from the profile's times, end to end on thread 0. */
static void write_phases(TraceWriter *tw, const ember_profile *p)
{
    const struct {
        const char *name;
        uint64_t ns;
    } phases[] = {
        {"parse", p->t_parse_ns},       {"bind", p->t_bind_ns},
        {"optimize", p->t_optimize_ns}, {"physical", p->t_physical_ns},
        {"execute", p->t_exec_ns},
    };
    uint64_t at = 0;
    for (size_t i = 0; i < ARRAY_LEN(phases); i++) {
        if (phases[i].ns > 0)
            write_span(tw, phases[i].name, "phase", 0, at, phases[i].ns, 0, 0);
        at += phases[i].ns;
    }
}

static void write_events(TraceWriter *tw, const QueryProfile *p)
{
    for (int i = 0; i < p->n_events; i++) {
        const TraceEvent *ev = &p->events[i];
        if (ev->kind == TRACE_SPAN)
            write_span(tw, ev->name, ev->cat, ev->tid, ev->ts_ns,
                       ev->dur_ns, ev->rows, ev->chunks);
        else if (ALWAYS(ev->kind == TRACE_COUNTER))
            write_counter(tw, ev);
    }
}

static void write_other_data(OutFile *o, const ember_profile *p)
{
    out_puts(o, "\"otherData\":{\"engine\":\"ember " EMBER_VERSION "\"");
    out_puts(o, ",\n\"sql\":");
    json_str(o, p->sql);
    const struct {
        const char *key;
        uint64_t v;
    } totals[] = {
        {"start_unix_ns", p->start_unix_ns},
        {"total_ns", p->t_total_ns},
        {"parse_ns", p->t_parse_ns},
        {"bind_ns", p->t_bind_ns},
        {"optimize_ns", p->t_optimize_ns},
        {"physical_ns", p->t_physical_ns},
        {"execute_ns", p->t_exec_ns},
        {"cpu_ns", p->cpu_ns},
        {"n_allocs", p->n_allocs},
        {"alloc_bytes", p->alloc_bytes},
        {"peak_bytes", p->peak_bytes},
        {"n_threads", (uint64_t)(p->n_threads > 0 ? p->n_threads : 0)},
        {"thread_ns", p->thread_ns},
        {"lock_wait_ns", p->lock_wait_ns},
        {"rows", p->rows},
    };
    for (size_t i = 0; i < ARRAY_LEN(totals); i++)
        out_printf(o, ",\n\"%s\":%" PRIu64, totals[i].key, totals[i].v);
    double pct = p->lock_contention;
    out_printf(o, ",\n\"lock_contention_pct\":%.3f}",
               isfinite(pct) ? pct : 0.0);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int trace_write(const QueryProfile *p, const char *path, Err *err)
{
    int *tids;
    int n_tids = collect_tids(p, &tids);
    if (n_tids < 0)
        return err_nomem(err);
    TraceWriter tw;
    tw.first = true;
    int rc = out_open(&tw.out, path, ends_with(path, ".gz"), err);
    if (rc != EMBER_OK)
        goto out_free_tids;
    out_puts(&tw.out, "{\"traceEvents\":[");
    write_metadata(&tw, tids, n_tids);
    if (!has_phase_events(p))
        write_phases(&tw, &p->p);
    write_events(&tw, p);
    out_puts(&tw.out, "\n],\n\"displayTimeUnit\":\"ms\",\n");
    write_other_data(&tw.out, &p->p);
    out_puts(&tw.out, "}\n");
    rc = out_close(&tw.out, err);
out_free_tids:
    mem_free(tids);
    return rc;
}
