/*
 * catalog.h -- what the database knows: tables (with their data, indexes
 * and statistics), views, and the connection's settings.
 *
 * Names are case-insensitive (the parser already folds unquoted names to
 * lower case; quoted names keep their case and are matched exactly by
 * PostgreSQL, but ember matches every name case-insensitively, as SQLite
 * does). Tables, views and indexes share one namespace.
 *
 * Lifetime: the Catalog lives as long as the database handle. Everything
 * in it is allocated with mem_* and freed when the object is dropped.
 * Plans point into the catalog (Table *), so DDL must not run while a
 * statement of the same handle is executing (the API enforces one running
 * statement per handle).
 */
#ifndef EMBER_CATALOG_H
#define EMBER_CATALOG_H

#include "storage/storage.h"

typedef struct Column {
    char *name;
    Type type;
    bool not_null;
    bool has_default;
    Value default_val;        /* constant default (strings in def_buf) */
    char *def_buf;
} Column;

typedef struct Table Table;

typedef struct Index {
    char *name;
    Table *table;
    int n_cols;
    int cols[8];
    bool unique;
    bool constraint;          /* made by PRIMARY KEY / UNIQUE */
    bool primary;
    HashIndex hidx;
} Index;

struct Table {
    char *name;
    int n_cols;
    Column *cols;
    TableData data;
    ColStats *stats;          /* one per column, kept current */
    bool stats_frozen;        /* setting statistics = 'frozen' at the time */
    Index **indexes;
    int n_indexes;
    uint64_t version;         /* bumped on every change */
};

typedef struct View {
    char *name;
    char *sql;                /* the query text after AS */
    char **col_aliases;
    int n_col_aliases;
} View;

typedef struct Catalog {
    NameMap tables;           /* name -> Table* */
    NameMap views;            /* name -> View* */
    NameMap indexes;          /* name -> Index* */
} Catalog;

void catalog_init(Catalog *c);
void catalog_release(Catalog *c);

Table *catalog_table(const Catalog *c, const char *name);
View *catalog_view(const Catalog *c, const char *name);
Index *catalog_index(const Catalog *c, const char *name);

/* Create a table with the given columns (copied). EMBER_EXISTS when the
 * name is taken by a table or view. */
int catalog_create_table(Catalog *c, const char *name, int n_cols,
                         const Column *cols, Table **out, Err *err);
int catalog_drop_table(Catalog *c, const char *name, bool if_exists,
                       Err *err);
int catalog_create_view(Catalog *c, const char *name, const char *sql,
                        int n_aliases, const char *const *aliases, Err *err);
int catalog_drop_view(Catalog *c, const char *name, bool if_exists,
                      Err *err);
/* Create an index and build it over the existing rows; a unique index over
 * duplicate data fails with EMBER_CONSTRAINT and is not created. */
int catalog_create_index(Catalog *c, const char *name, Table *t, int n_cols,
                         const int *cols, bool unique, bool constraint,
                         bool primary, Err *err);
int catalog_drop_index(Catalog *c, const char *name, bool if_exists,
                       Err *err);
int catalog_reindex(Catalog *c, const char *name, Err *err);

int table_column_index(const Table *t, const char *name);

/*
 * Changing table data, all-or-nothing. table_begin_append remembers where
 * the data ends; table_commit_append checks NOT NULL and unique indexes
 * over the new rows and folds them into the statistics, or undoes them
 * (returning EMBER_CONSTRAINT with a PostgreSQL-style message such as
 * `duplicate key value violates unique constraint "t_pkey"`).
 */
TableMark table_begin_append(Table *t);
int table_commit_append(Table *t, TableMark m, Err *err);
struct ThreadPool;
/* The same, with the statistics of the new rows already computed (COPY
 * folds them in while it parses, in parallel): `added`, one per column,
 * is merged instead of rescanning the rows. NULL rescans. New full row
 * groups are dictionary-encoded on `pool` (NULL: this thread). */
int table_commit_append_stats(Table *t, TableMark m, const ColStats *added,
                              struct ThreadPool *pool, int n_threads,
                              Err *err);
void table_abort_append(Table *t, TableMark m);
/* Replace all data of t with `data` (UPDATE/DELETE build a new version
 * and swap it in). Checks constraints first; on failure `data` is released
 * and t is unchanged. */
int table_replace_data(Table *t, TableData *data, Err *err);
/* Recompute statistics exactly (ANALYZE). */
void table_analyze(Table *t);
/* The same with columns spread over up to n_threads threads of pool. */
struct ThreadPool;
void table_analyze_parallel(Table *t, struct ThreadPool *pool, int n_threads);

/* ------------------------------------------------------------------------
 * Settings: per connection, set by SET/PRAGMA. Knobs that bring back each
 * cause of a slow query are here, never in globals.
 * ------------------------------------------------------------------------ */

typedef struct Settings Settings;

typedef enum JoinOrderMode { JOIN_ORDER_COST, JOIN_ORDER_SYNTACTIC,
                             JOIN_ORDER_GREEDY } JoinOrderMode;

struct Settings {
    int threads;              /* worker threads per query (>= 1) */
    int vector_size;          /* rows per chunk, 1..VEC_SIZE */
    JoinOrderMode join_order;
    bool enable_hashjoin;
    bool enable_unnest;       /* decorrelate subqueries */
    bool arena;               /* false: malloc per allocation */
    int lock_shards;          /* 0 thread-local; N shared shards (1 =
                                 one global lock) */
    int hash_partitions;      /* 0 = one big table */
    bool stats_frozen;        /* statistics = 'frozen': no upkeep */
    bool profiling;           /* per-operator counters for every query */
    char profile_output[256]; /* pprof file after each query, "" = off */
    char trace_output[256];   /* Chrome trace file after each query */
    int greedy_threshold;     /* relations above which DP gives way */
    int cache_memory;         /* MiB kept resident between queries */
};

void settings_default(Settings *s);
/* Set by name from text; EMBER_NOTFOUND unknown name, EMBER_ERROR bad
 * value (message in err). */
int settings_set(Settings *s, const char *name, const char *value, Err *err);
int settings_get(const Settings *s, const char *name, char *buf, size_t cap);
/* Iterate names: i = 0.. until NULL. */
const char *settings_name(int i);

#endif /* EMBER_CATALOG_H */
