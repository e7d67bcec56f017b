/*
 * profile.h -- the profile of one query, as the executor hands it to obs/:
 * per-operator counters, lock sites, phase times, and (when tracing) the
 * timeline of spans per thread. The writers in obs/ turn it into EXPLAIN
 * ANALYZE text and JSON, pprof profiles and Chrome traces.
 *
 * Lifetime: everything a QueryProfile points to lives in the arena of the
 * statement that ran the query; it stays valid until the statement runs
 * again, is reset or finalized.
 */
#ifndef EMBER_PROFILE_H
#define EMBER_PROFILE_H

#include "obs/obs.h"

/* One plan operator and one lock site: the public structs of ember.h. */
typedef ember_profile_op ProfOp;
typedef ember_profile_lock ProfLock;

/* A timeline event (Chrome trace "X" complete event or "C" counter). */
typedef enum TraceKind {
    TRACE_SPAN,               /* name/cat over [ts, ts + dur) on tid */
    TRACE_COUNTER,            /* value of counter `name` at ts */
} TraceKind;

typedef struct TraceEvent {
    uint8_t kind;             /* TraceKind */
    int tid;                  /* thread: 0 = caller, 1.. = workers */
    const char *name;         /* "HashJoin#3", "pipeline 2", "lock wait" */
    const char *cat;          /* "phase", "pipeline", "operator", "lock",
                                 "memory" */
    uint64_t ts_ns;           /* from the query start */
    uint64_t dur_ns;          /* spans */
    int64_t value;            /* counters */
    uint64_t rows;            /* operator spans: rows produced in it */
    uint64_t chunks;          /* operator spans: chunks aggregated */
} TraceEvent;

/* A query's profile: the public part (ember_profile) and the timeline. */
typedef struct QueryProfile {
    ember_profile p;
    TraceEvent *events;       /* empty unless tracing was on */
    int n_events;
    int n_tids;               /* threads appearing in events */
    bool plan_only;           /* built from a plan that did not run
                                 (EXPLAIN without ANALYZE): operators,
                                 names and estimates only */
} QueryProfile;

/* ------------------------------------------------------------------------
 * Writers (obs/)
 * ------------------------------------------------------------------------ */

/* pprof profile.proto, gzip-compressed. The CPU/allocation profile has
 * sample types cpu/nanoseconds, alloc_objects/count, alloc_space/bytes,
 * inuse_space/bytes (the operator's mem_bytes); a sample per operator
 * with its self values, its stack running from the operator up to
 * "Query" (e.g. HashJoin#3 build <- HashJoin#3 <- Query).
 * The contention profile has contentions/count, delay/nanoseconds, one
 * sample per lock site under the operator that waited most. Function file
 * names point at `sql_path`, a file holding the statement text, so
 * `pprof -list` shows the SQL lines. */
int pprof_write(const QueryProfile *p, const char *path,
                const char *sql_path, Err *err);
int pprof_write_contention(const QueryProfile *p, const char *path,
                           const char *sql_path, Err *err);

/* Chrome Trace Event JSON (Perfetto, chrome://tracing). */
int trace_write(const QueryProfile *p, const char *path, Err *err);

/* EXPLAIN ANALYZE: text (a tree) or JSON (schema in
 * docs/explain-analyze-json.md, version EXPLAIN_JSON_VERSION). The JSON
 * of a plan_only profile is EXPLAIN (FORMAT JSON): "analyzed": false and
 * no runtime keys. Strings are escaped and invalid UTF-8 bytes become
 * U+FFFD, so the document is always valid JSON. */
#define EXPLAIN_JSON_VERSION 3
int profile_render_text(const QueryProfile *p, StrBuf *sb);
int profile_render_json(const QueryProfile *p, StrBuf *sb);
/* Write str as a JSON string literal through put (escapes, invalid UTF-8
 * as U+FFFD; NULL gives ""): shared by the JSON profile and the trace. */
typedef void (*JsonPut)(void *ctx, const char *p, size_t n);
void json_quote(const char *str, JsonPut put, void *ctx);

#endif /* EMBER_PROFILE_H */
