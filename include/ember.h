/*
 * ember.h -- the public C API of ember, an embedded analytical SQL engine.
 *
 * This is the only header a program needs. Every function that can fail
 * returns a status code from the EMBER_STATUS_MAP list below (EMBER_OK is 0).
 * The last error of a database handle is kept on it: ember_errmsg(),
 * ember_errcode() and ember_error_offset() read it.
 *
 * Threading contract
 * ------------------
 * - An ember_db handle and every ember_stmt prepared on it must be used by
 *   one thread at a time. Different handles are fully independent: each
 *   in-memory database belongs to the handle that opened it, and nothing is
 *   shared between handles, so different threads may use different handles
 *   with no locking at all.
 * - Internally a query may run on several worker threads (setting
 *   `threads`). Those threads belong to the handle, are started lazily and
 *   are joined by ember_close(). They never call back into user code: the
 *   row callback of ember_exec() always runs on the caller's thread.
 * - The allocator set with ember_config_allocator() is process-wide and must
 *   be installed before the first ember_open().
 *
 * Memory contract
 * ---------------
 * Strings returned by ember_column_text(), ember_column_name() and
 * ember_errmsg() are owned by the statement or handle and stay valid until
 * the next call of ember_step(), ember_reset() or ember_finalize() on that
 * statement (for errmsg: until the next call on the handle).
 */
#ifndef EMBER_H
#define EMBER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMBER_VERSION "0.3.0"
#define EMBER_VERSION_NUMBER 3000

/* Status codes: X(name, value, description). */
#define EMBER_STATUS_MAP(X)                                              \
    X(OK, 0, "not an error")                                             \
    X(ERROR, 1, "SQL error")                                             \
    X(INTERNAL, 2, "internal error")                                     \
    X(NOMEM, 3, "out of memory")                                         \
    X(MISUSE, 4, "API misuse")                                           \
    X(RANGE, 5, "index out of range")                                    \
    X(SYNTAX, 6, "syntax error")                                         \
    X(CONSTRAINT, 7, "constraint violation")                             \
    X(IOERR, 8, "I/O error")                                             \
    X(NOTFOUND, 9, "object not found")                                   \
    X(TYPE, 10, "type mismatch")                                         \
    X(OVERFLOW, 11, "value out of range")                                \
    X(CANTOPEN, 12, "unable to open database")                           \
    X(INTERRUPT, 13, "interrupted")                                      \
    X(EXISTS, 14, "object already exists")                               \
    X(ROW, 100, "another row is ready")                                  \
    X(DONE, 101, "no more rows")

enum {
#define EMBER_STATUS_ENUM(name, value, desc) EMBER_##name = value,
    EMBER_STATUS_MAP(EMBER_STATUS_ENUM)
#undef EMBER_STATUS_ENUM
};

/* Column types reported by ember_column_type(). DECIMAL values read as
 * double or text (exact); DATE values read as text 'YYYY-MM-DD' or as
 * int64 days since 1970-01-01. */
enum {
    EMBER_TYPE_NULL = 0,
    EMBER_TYPE_BOOLEAN = 1,
    EMBER_TYPE_INTEGER = 2,
    EMBER_TYPE_BIGINT = 3,
    EMBER_TYPE_DOUBLE = 4,
    EMBER_TYPE_DECIMAL = 5,
    EMBER_TYPE_VARCHAR = 6,
    EMBER_TYPE_DATE = 7
};

typedef struct ember_db ember_db;
typedef struct ember_stmt ember_stmt;

/* The name of a status code, e.g. "EMBER_CONSTRAINT"; never NULL. */
const char *ember_status_name(int code);

/* A short English description of a status code; never NULL. */
const char *ember_errstr(int code);

/* Library version string, e.g. "0.3.0". */
const char *ember_libversion(void);

/*
 * Open a database. `path` NULL or ":memory:" opens a new, empty in-memory
 * database. File databases are not supported yet: any other path fails with
 * EMBER_CANTOPEN. On success *out is a new handle; on failure *out is a
 * handle that only reports the error (ember_errmsg) and must still be closed,
 * or NULL when memory ran out.
 */
int ember_open(const char *path, ember_db **out);

/* Close a handle, finalizing any statements still open on it, joining its
 * worker threads and freeing the database. NULL is a harmless no-op. */
int ember_close(ember_db *db);

/*
 * Row callback for ember_exec(): `values[i]` is the text of column i or NULL
 * for SQL NULL, `names[i]` its name. Return 0 to continue, non-zero to stop
 * (ember_exec then returns EMBER_INTERRUPT).
 */
typedef int (*ember_callback)(void *arg, int n_cols, char **values,
                              char **names);

/*
 * Run every statement of a script in order. Rows of each statement that
 * returns rows are passed to `cb` (which may be NULL). Stops at the first
 * failing statement and returns its code; the message is in ember_errmsg(),
 * and ember_error_offset() is the byte offset in `sql` of the error.
 */
int ember_exec(ember_db *db, const char *sql, ember_callback cb, void *arg);

/*
 * Compile the first statement of `sql` (`n_bytes` < 0: up to the NUL).
 * On success *out is the statement, or NULL when the text held only blanks
 * and comments. `*tail`, when `tail` is not NULL, points just past the
 * statement, so a script can be run by preparing in a loop. Syntax and name
 * errors (unknown tables and columns, for INSERT, UPDATE and DELETE too)
 * are reported here, with their byte offset in ember_error_offset().
 */
int ember_prepare(ember_db *db, const char *sql, int n_bytes,
                  ember_stmt **out, const char **tail);

/*
 * Bind a value to parameter `idx` (1-based). `?` parameters are numbered
 * left to right; `$n` is parameter n, 1 <= n <= 65535 (ember_prepare
 * reports another n as a syntax error). Binding is allowed before the first
 * ember_step() or after ember_reset(); bindings persist across resets.
 * Returns EMBER_RANGE for a bad index, EMBER_MISUSE while a statement is
 * running. ember_bind_text copies the text (n < 0: up to the NUL).
 */
int ember_bind_null(ember_stmt *stmt, int idx);
int ember_bind_int64(ember_stmt *stmt, int idx, int64_t value);
int ember_bind_double(ember_stmt *stmt, int idx, double value);
int ember_bind_text(ember_stmt *stmt, int idx, const char *text, int n);
/* Number of parameters the statement takes (the largest index). */
int ember_bind_parameter_count(ember_stmt *stmt);

/*
 * Run the statement or advance to the next row: EMBER_ROW when a row is
 * ready, EMBER_DONE when there are no more (or the statement returns no
 * rows), an error code otherwise. A statement that changes data is applied
 * completely, or not at all, on the first step.
 */
int ember_step(ember_stmt *stmt);

/* Result columns. Valid after prepare; values are valid after EMBER_ROW. */
int ember_column_count(ember_stmt *stmt);
const char *ember_column_name(ember_stmt *stmt, int col);
int ember_column_type(ember_stmt *stmt, int col);
int ember_column_is_null(ember_stmt *stmt, int col);
/* Integer value; doubles are truncated toward zero, decimals too, text is
 * parsed as SQLite does: leading white space, a sign and the digits that
 * follow (0 when there are none); beyond the int64 range, doubles and text
 * saturate at INT64_MIN or INT64_MAX (NaN gives 0); booleans are 0 or 1. */
int64_t ember_column_int64(ember_stmt *stmt, int col);
double ember_column_double(ember_stmt *stmt, int col);
/* The value as text, as the shell prints it; NULL for SQL NULL. */
const char *ember_column_text(ember_stmt *stmt, int col);

/* Rewind a statement so that the next step runs it again. */
int ember_reset(ember_stmt *stmt);

/* Free a statement and everything its query allocated. NULL is a no-op. */
int ember_finalize(ember_stmt *stmt);

/* Number of rows inserted, updated or deleted by the last statement. */
int64_t ember_changes(ember_db *db);

/* Last error on the handle: message (never NULL), code, and byte offset of
 * the error in the SQL text of the failing statement, or -1 if none. */
const char *ember_errmsg(ember_db *db);
int ember_errcode(ember_db *db);
int ember_error_offset(ember_db *db);

/* The SQL text a statement was prepared from (exactly the statement). */
const char *ember_sql(ember_stmt *stmt);

/*
 * Settings, the same as SET name = value / PRAGMA name = value. Returns
 * EMBER_NOTFOUND for an unknown name, EMBER_ERROR for a bad value.
 * ember_get_setting writes the current value as text into buf.
 */
int ember_set(ember_db *db, const char *name, const char *value);
int ember_get_setting(ember_db *db, const char *name, char *buf, size_t cap);

/*
 * Process-wide allocator. Every byte ember allocates goes through these
 * three functions (the defaults wrap malloc, realloc and free). Must be
 * called before the first ember_open(); returns EMBER_MISUSE afterwards.
 */
typedef struct ember_allocator {
    void *(*malloc_fn)(size_t size);
    void *(*realloc_fn)(void *ptr, size_t size);
    void (*free_fn)(void *ptr);
} ember_allocator;
int ember_config_allocator(const ember_allocator *alloc);

/* Allocation counters of the calling thread's use of the allocator since
 * the process started (all threads: ember_memory_totals). */
typedef struct ember_memory_stats {
    uint64_t n_allocs;   /* calls that allocated (malloc, realloc, mmap) */
    uint64_t n_frees;    /* calls that freed */
    uint64_t bytes;      /* bytes requested by those allocations */
} ember_memory_stats;
void ember_memory_totals(ember_memory_stats *out);

/* ------------------------------------------------------------------------
 * Profiles: where a query's time, allocations and lock waits went.
 *
 * After a statement has run (ember_step returned a row or EMBER_DONE), its
 * profile describes that run: phase times, totals, and one entry per plan
 * operator. Counters that need clocks (time, CPU, allocations and locks per
 * operator) are filled when setting `profiling` is on, or for EXPLAIN
 * ANALYZE; rows and estimates always are. The profile and its strings stay
 * valid until the statement runs again, is reset or finalized.
 * ------------------------------------------------------------------------ */

typedef struct ember_profile_op {
    int id;                   /* 1-based, pre-order over the plan */
    int parent;               /* parent's id, 0 for the root */
    int depth;                /* 0 for the root */
    const char *name;         /* "HashJoin Inner", "Scan lineitem" */
    const char *label;        /* unique frame name: "HashJoin#3" */
    const char *detail;       /* keys, filters, expressions */
    int sql_line;             /* line of the statement it comes from */
    double est_rows;          /* the optimizer's estimate */
    uint64_t rows_in;
    uint64_t rows_out;        /* actual rows */
    uint64_t chunks;
    uint64_t time_ns;         /* self wall time, summed over threads */
    uint64_t cpu_ns;          /* self thread CPU time, summed */
    uint64_t cum_time_ns;     /* self + inputs */
    uint64_t build_ns;        /* sink finalize (hash table build, sort) */
    uint64_t n_allocs;        /* allocator calls made inside it */
    uint64_t alloc_bytes;
    uint64_t lock_waits;      /* contended lock acquisitions inside it */
    uint64_t lock_wait_ns;
    uint64_t ht_entries;      /* hash table entries (joins, aggregates) */
    uint64_t ht_capacity;     /* hash table slots */
    uint64_t mem_bytes;       /* memory its state took: arena bytes and
                                 column capacity, held to the end of the
                                 query, so its peak */
    int subplan;              /* nonzero: part of a SubPlan / InitPlan */
} ember_profile_op;

typedef struct ember_profile_lock {
    const char *site;         /* lock site name, e.g. "sink.combine" */
    uint64_t acquires;
    uint64_t contended;
    uint64_t wait_ns;
    int op;                   /* operator that waited most, 0 if none */
} ember_profile_lock;

typedef struct ember_profile {
    const char *sql;
    uint64_t start_unix_ns;
    uint64_t t_parse_ns;      /* phase times */
    uint64_t t_bind_ns;
    uint64_t t_optimize_ns;
    uint64_t t_physical_ns;
    uint64_t t_exec_ns;
    uint64_t t_total_ns;
    uint64_t cpu_ns;          /* CPU time of all threads */
    uint64_t n_allocs;        /* allocator calls of the query */
    uint64_t alloc_bytes;
    uint64_t peak_bytes;      /* most query memory in use at once */
    int n_threads;
    uint64_t thread_ns;       /* busy wall time of the threads, summed */
    uint64_t lock_wait_ns;    /* waits on contended locks, summed */
    double lock_contention;   /* lock_wait_ns / thread_ns, percent */
    uint64_t rows;            /* rows the statement returned or changed */
    int n_ops;
    const ember_profile_op *ops;      /* ops[i].id == i + 1 */
    int n_locks;
    const ember_profile_lock *locks;
} ember_profile;

/* The profile of the statement's last run, or NULL (EMBER_MISUSE) when it
 * has not run. */
int ember_stmt_profile(ember_stmt *stmt, const ember_profile **out);

/* Render it: text as EXPLAIN ANALYZE prints, or JSON (schema version 2,
 * docs/explain-analyze-json.md). The text is valid until the next call on
 * the statement. */
const char *ember_profile_text(ember_stmt *stmt, int json);

#ifdef __cplusplus
}
#endif
#endif /* EMBER_H */
