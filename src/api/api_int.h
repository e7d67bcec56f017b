/*
 * api_int.h -- private to api/: the database handle and statements.
 *
 * Lifetimes: a handle owns the catalog, the settings, the worker pool and
 * its open statements. A statement owns two arenas: `ast` (the statement's
 * text and syntax tree, until finalize) and `run` (plan, execution state
 * and result rows of one execution, reset when the statement runs again).
 * Every execution plans anew, so DDL between executions never leaves a
 * statement pointing at a dropped table.
 */
#ifndef EMBER_API_INT_H
#define EMBER_API_INT_H

#include "exec/exec.h"
#include "obs/profile.h"

struct ember_db {
    Catalog catalog;
    Settings settings;
    ThreadPool *pool;
    int pool_workers;         /* workers the pool was made with */
    MemCache *mc;             /* memory of finished queries, for reuse */
    Err err;                  /* last error */
    char errmsg[ERR_MSG_CAP + 160];
    int64_t changes;
    ember_stmt *stmts;        /* open statements */
    ember_stmt *running;      /* statement executing, or NULL */
    bool open_failed;
};

typedef enum StmtState {
    ST_READY,                 /* not run since prepare / reset */
    ST_ROWS,                  /* result rows available */
    ST_DONE,
} StmtState;

struct ember_stmt {
    ember_db *db;
    ember_stmt *next;
    ember_stmt *prev;
    char *sql;                /* the statement's own text (NUL-terminated) */
    int base;                 /* its offset in the text given to prepare */
    int sql_len;
    Arena *ast_arena;
    Arena *run_arena;
    Stmt *ast;
    int n_params;             /* largest parameter number */
    Value *binds;             /* n_params, copies in ast_arena */
    StmtState state;
    /* result description (set at prepare for queries) */
    int n_cols;
    const char **names;
    Type *types;
    /* rows of the current execution */
    Collection result;
    bool has_result;
    uint64_t row;             /* current row + 1 (0 before the first) */
    char **text;              /* per-column text of the current row */
    size_t *text_cap;
    uint64_t *text_row;       /* row the text was made for */
    int64_t changes;
    /* the last execution, for EXPLAIN ANALYZE and profiles */
    QueryProfile *profile;
    uint64_t t_parse_ns;      /* parsing at prepare */
    uint64_t t_run_start;     /* clock at the start of the run */
    MemCounters mem_start;    /* allocator totals at the start */
    char *profile_text;       /* ember_profile_text's buffer */
    Plan *plan;
    ExecCtx ex;
    bool ex_live;
};

/* Errors: record on the handle and return the code. */
int api_fail(ember_db *db, const Err *e);
int api_error(ember_db *db, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The handle's worker pool sized for the current `threads` setting. */
ThreadPool *api_pool(ember_db *db);

/* Execute a statement (first step). Fills the result or applies the
 * change. EMBER_OK or an error recorded in `err`. */
int run_statement(ember_stmt *st, Err *err);

/* Metadata at prepare time (column names and types). */
int describe_statement(ember_stmt *st, Err *err);

/* After a run: profile totals, then the files settings ask for. */
int run_finish_profile(ember_stmt *st, Err *err);

/* Run a plan into st->result. */
int run_plan(ember_stmt *st, Plan *plan, Err *err);

/* The table an INSERT, UPDATE or DELETE `s` changes, with its column
 * list or SET columns checked; errors at the offending name's offset. */
int dml_target(ember_stmt *st, const Stmt *s, Table **out, Err *err);
/* Plan an INSERT, UPDATE or DELETE of table t (from dml_target). */
int plan_dml(PlanCtx *cx, const Stmt *s, Table *t, Plan **out);

/* DDL / DML / utility statements (run_ddl.c). */
int run_create_table(ember_stmt *st, Err *err);
int run_drop(ember_stmt *st, Err *err);
int run_create_view(ember_stmt *st, Err *err);
int run_create_index(ember_stmt *st, Err *err);
int run_insert(ember_stmt *st, Err *err);
int run_update(ember_stmt *st, Err *err);
int run_delete(ember_stmt *st, Err *err);
int run_copy(ember_stmt *st, Err *err);
int run_set(ember_stmt *st, Err *err);
int run_show(ember_stmt *st, Err *err);
int run_call(ember_stmt *st, Err *err);

/* Result of a statement as rows of text (SHOW, EXPLAIN). */
int result_text_rows(ember_stmt *st, const char *col, const char *text,
                     Err *err);

#endif /* EMBER_API_INT_H */
