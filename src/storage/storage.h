/*
 * storage.h -- in-memory columnar table data, hash indexes, CSV and .tbl
 * reading and writing, and the TPC-H generator.
 *
 * A table's rows live in row groups of up to RG_ROWS rows. Each column of a
 * group is one plain array (the vector layout of its type) plus a validity
 * bitmap that exists only once a NULL was stored. Scans hand out vectors
 * that point straight into these arrays (no copy). Long string bytes live
 * in the table's string heap and stay put until the table data is freed,
 * so Str values read from a table are stable for the life of the data.
 *
 * Lifetime: TableData belongs to the catalog's Table and uses mem_* (the
 * database lifetime). Appends are all-or-nothing at the caller's level:
 * tdata_mark before, tdata_truncate to undo.
 */
#ifndef EMBER_STORAGE_H
#define EMBER_STORAGE_H

#include "exec/vector.h"

/* TUNING: 64 Ki rows = 32 vectors per group: large enough that a morsel
 * amortizes scheduling, small enough that SF 1 lineitem (6 M rows) gives
 * ~90 morsels for two threads to share. */
#define RG_ROWS (64 * 1024)
#define RG_WORDS (RG_ROWS / 64)

typedef struct ColSeg {
    void *data;               /* cap values of the column's physical type;
                                 NULL when dictionary-encoded */
    uint64_t *validity;       /* cap bits, NULL when no NULL stored yet */
    /* A VARCHAR column of a sealed group with at most DICT_MAX distinct
     * values: one code per row into dict (NULL rows: code 0, meaningless);
     * the strings' bytes stay in the table's heap. */
    uint8_t *codes;
    Str *dict;
    uint32_t n_dict;
} ColSeg;

/* TUNING: one-byte codes. TPC-H's flags, modes, instructions, priorities,
 * segments and nation names have 2 to 25 values. */
#define DICT_MAX 255

typedef struct RowGroup {
    uint32_t n_rows;
    uint32_t cap;             /* grows 2048 .. RG_ROWS for the first group */
    bool sealed;              /* looked at by tdata_seal since its last
                                 write */
    void *block;              /* full groups: every column's array in one
                                 mapping of block_size bytes, else NULL */
    size_t block_size;
    ColSeg cols[];            /* one per column */
} RowGroup;

typedef struct HeapBlock {
    struct HeapBlock *prev;
    size_t used;
    size_t cap;
    char bytes[];
} HeapBlock;

typedef struct StrHeap {
    HeapBlock *head;          /* newest block */
    size_t total;             /* bytes in use */
} StrHeap;

typedef struct TableData {
    int n_cols;
    Type *types;              /* n_cols, owned */
    RowGroup **groups;
    uint32_t n_groups;
    uint32_t cap_groups;
    uint64_t n_rows;
    StrHeap heap;
} TableData;

typedef struct TableMark {
    uint64_t n_rows;
    HeapBlock *head;
    size_t head_used;
    size_t heap_total;
} TableMark;

int tdata_init(TableData *t, int n_cols, const Type *types);
void tdata_release(TableData *t);
/* Append the active rows of c (c->n_cols == t->n_cols, same types).
 * Strings are copied into the heap. EMBER_NOMEM on failure (the caller
 * truncates to its mark). */
int tdata_append(TableData *t, const Chunk *c);
TableMark tdata_mark(const TableData *t);
void tdata_truncate(TableData *t, TableMark m);
/*
 * Add n rows whose values the caller then writes straight into the group
 * arrays (COPY parses into them). The new rows' values, and their validity
 * bits where a group has a bitmap, are undefined until written; long
 * strings must point into memory the table owns (tdata_adopt_heap). With
 * `more`, writers may still be filling earlier rows when the next call
 * comes, so no array that holds rows may move: a small first group is
 * grown to full size now. t->groups itself may be reallocated by any
 * call, so writers copy the RowGroup pointers they need under the lock
 * that orders the calls. EMBER_NOMEM leaves some rows added: the caller
 * truncates to its mark.
 */
int tdata_extend(TableData *t, uint64_t n, bool more);
/* A string heap owned by one writer until tdata_adopt_heap moves its
 * blocks into t (they are then freed with t, or by tdata_truncate to a
 * mark taken before). strheap_alloc returns n bytes that never move, or
 * NULL when out of memory. */
char *strheap_alloc(StrHeap *h, size_t n);
void strheap_release(StrHeap *h);
void tdata_adopt_heap(TableData *t, StrHeap *h);
/* Make `out` a view of rows [off, off+n) of group g, column col (n <=
 * VEC_SIZE): zero-copy, or, for a dictionary-encoded column, the values
 * decoded into `buf` (VEC_SIZE Strs the caller owns; may be NULL only for
 * columns that are not VARCHAR). out->type must be the column's type. */
void tdata_view(const TableData *t, uint32_t g, uint32_t off, uint32_t n,
                int col, Vector *out, Str *buf);
/* The value of one cell (any type; garbage under a NULL). */
const void *tdata_cell(const TableData *t, uint64_t row, int col);
struct ThreadPool;
/*
 * Dictionary-encode the VARCHAR columns of every group not yet sealed
 * that hold at most DICT_MAX distinct values, and give their Str arrays
 * back to the system; called at the end of each committed append. Full
 * groups are never written again (UPDATE and DELETE build new data); the
 * last group, when rows are added to it, is decoded back to plain arrays
 * first; it is encoded only when the append being committed (`added`
 * rows) brought at least half its rows. Best effort: a column whose code
 * array cannot be allocated stays plain. Groups are encoded in parallel
 * on `pool` (NULL: on the calling thread).
 */
void tdata_seal(TableData *t, uint64_t added, struct ThreadPool *pool,
                int n_threads);
/* One value (slow path: constraint checks, tests). */
Value tdata_get(const TableData *t, uint64_t row, int col);
bool tdata_is_null(const TableData *t, uint64_t row, int col);
/* Move all data of src into dst (dst released first); src becomes empty. */
void tdata_swap(TableData *dst, TableData *src);
/* Bytes used by arrays and heap. */
size_t tdata_bytes(const TableData *t);

/* ------------------------------------------------------------------------
 * Hash index over some columns of a TableData: row ids by key hash, open
 * addressing. Unique indexes reject a duplicate non-NULL key (rows with a
 * NULL in any key column are not indexed, as in PostgreSQL).
 * ------------------------------------------------------------------------ */

typedef struct HashIndex {
    uint64_t *slots;          /* row id + 1, 0 = empty */
    uint32_t *tags;           /* high hash bits per slot */
    uint64_t cap;             /* power of two or 0 */
    uint64_t count;
    int n_cols;
    int cols[8];
    bool unique;
} HashIndex;

void hindex_init(HashIndex *h, int n_cols, const int *cols, bool unique);
void hindex_release(HashIndex *h);
/* Index rows [from, to) of t. For a unique index, a duplicate key (against
 * the index or within the range) fails with EMBER_CONSTRAINT and *dup_row
 * set to the offending row; the index is then incomplete and must be
 * rebuilt (hindex_rebuild) or released. */
int hindex_add_range(HashIndex *h, const TableData *t, uint64_t from,
                     uint64_t to, uint64_t *dup_row);
int hindex_rebuild(HashIndex *h, const TableData *t, uint64_t *dup_row);

/* ------------------------------------------------------------------------
 * Column statistics, kept current on every change (see catalog.h for how
 * they are read).
 * ------------------------------------------------------------------------ */

typedef struct ColStats {
    uint64_t n_nulls;
    bool has_minmax;
    Value min, max;           /* strings point into stats-owned memory */
    char *min_buf, *max_buf;  /* mem_* copies of string min/max */
    Hll hll;
} ColStats;

void colstats_init(ColStats *s);
void colstats_release(ColStats *s);
/* Fold the active rows of vector v into s. */
void colstats_add(ColStats *s, const Vector *v, const SelIdx *sel,
                  uint32_t n);
void colstats_merge(ColStats *dst, const ColStats *src);
/* Recompute exactly from all rows of column col. */
void colstats_rebuild(ColStats *s, const TableData *t, int col);
double colstats_ndv(const ColStats *s, uint64_t n_rows);

/* ------------------------------------------------------------------------
 * CSV / .tbl files (csv_read.c, csv_parse.c, csv_write.c)
 * ------------------------------------------------------------------------ */

typedef struct CsvOptions {
    char delim;               /* default ',' (or '|' for .tbl) */
    char quote;               /* 0 = no quoting */
    char escape;              /* 0 = same as quote (doubling) */
    bool header;              /* first line is a header */
    const char *null_str;     /* text that reads as NULL; default "" */
    int n_threads;            /* parse in parallel chunks */
    ColStats *stats;          /* NULL, or n_cols statistics that the new
                                 rows are folded into if the read works */
} CsvOptions;

struct ThreadPool;

/*
 * Read `path` into t, converting fields to the column types, with up to
 * o->n_threads threads of pool parsing ranges of the file straight into
 * t's row groups; rows keep file order. Lines may end with one extra
 * trailing delimiter (as official dbgen writes). Any bad line fails the
 * whole read with EMBER_ERROR and a message "file:line:column: reason"
 * (column = 1-based field number); t is then left as it was, and so are
 * o->stats. EMBER_IOERR and EMBER_NOMEM likewise. *n_read = rows added.
 */
int csv_read(TableData *t, const char *path, const CsvOptions *o,
             struct ThreadPool *pool, uint64_t *n_read, Err *err);

typedef struct CsvWriter CsvWriter;
int csv_writer_open(CsvWriter **w, const char *path, const CsvOptions *o,
                    int n_cols, const char *const *names, Err *err);
int csv_writer_chunk(CsvWriter *w, const Chunk *c, Err *err);
int csv_writer_close(CsvWriter *w, Err *err);

/* ------------------------------------------------------------------------
 * TPC-H data generator (tpch_gen*.c) -- block owned by the generator.
 *
 * Generates the eight TPC-H tables straight into column vectors, following
 * the data generation rules of the TPC-H specification (Clause 4.2). The
 * data is a function of the scale factor only: the same sf gives identical
 * tables on every run and machine, whatever the number of threads.
 * ------------------------------------------------------------------------ */

enum {
    TPCH_REGION,
    TPCH_NATION,
    TPCH_SUPPLIER,
    TPCH_CUSTOMER,
    TPCH_PART,
    TPCH_PARTSUPP,
    TPCH_ORDERS,
    TPCH_LINEITEM,
    TPCH__N
};

/* Lower-case table name ("lineitem"), or NULL for a bad t. */
const char *tpch_table_name(int t);

/* Column names and types of table t, exactly those of
 * tests/tpch/schema.sql. The arrays are static. */
void tpch_schema(int t, int *n_cols, const char *const **names,
                 const Type **types);

/* Rows table t has at scale factor sf (for lineitem, which varies per
 * order, the exact count that tpch_generate produces is only known after
 * generating: this returns the expected 6,000,000 * sf estimate). */
uint64_t tpch_row_count(int t, double sf);

/*
 * Fill tables[TPCH_REGION .. TPCH_LINEITEM], empty TableData made with
 * tdata_init and the types of tpch_schema, with TPC-H data at scale factor
 * sf (0 < sf <= 100), using up to n_threads threads of pool (pool may be
 * NULL: then everything runs on the caller). Rows are appended in key
 * order. Returns EMBER_OK; EMBER_ERROR for sf out of range, EMBER_MISUSE
 * for a table that is not empty or not of the schema's types, EMBER_NOMEM
 * when memory ran out (err says which); on failure every table is left
 * empty. Strings are copied into each table's heap: nothing refers to
 * generator memory afterwards. Column statistics are not touched: the
 * caller folds the new rows in (table_commit_append) as for COPY.
 */
int tpch_generate(double sf, TableData *tables[TPCH__N],
                  struct ThreadPool *pool, int n_threads, Err *err);

/* ---------------------------- end of TPC-H block ----------------------- */

#endif /* EMBER_STORAGE_H */
