/*
 * util.h -- the bottom layer: memory, types, values, dates, decimals,
 * hashing, HyperLogLog, string buffers and error records.
 *
 * Everything above may include this header; nothing here includes a header
 * from another layer. All memory comes from the counting allocator hook
 * (mem_*), either directly or through an Arena.
 */
#ifndef EMBER_UTIL_H
#define EMBER_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ember.h"

/* ------------------------------------------------------------------------
 * Build configuration and assertions
 * ------------------------------------------------------------------------ */

#if defined(EMBER_DEBUG) && defined(NDEBUG)
#undef NDEBUG
#endif
#if !defined(NDEBUG) && !defined(EMBER_DEBUG)
#define EMBER_DEBUG 1
#endif
#include <assert.h>

/* ALWAYS(x): asserts x in debug builds, still evaluates and guards in
 * release builds: `if (!ALWAYS(p)) return EMBER_INTERNAL;`. */
#ifdef EMBER_DEBUG
#define ALWAYS(x) (assert(x), 1)
#define NEVER(x) (assert(!(x)), 0)
#else
#define ALWAYS(x) (!!(x))
#define NEVER(x) (!!(x))
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define UNUSED(x) ((void)(x))

/* ------------------------------------------------------------------------
 * Counting allocator hook (alloc.c)
 *
 * The only place ember calls malloc/realloc/free/mmap. Each call is counted
 * in plain per-thread counters (no atomics): obs/ reads them before and
 * after a piece of work to attribute allocations to a query or operator.
 * ------------------------------------------------------------------------ */

typedef struct MemCounters {
    uint64_t n_allocs;      /* successful allocating calls */
    uint64_t n_frees;       /* free calls on non-NULL pointers */
    uint64_t bytes;         /* bytes requested by allocating calls */
    uint64_t n_commits;     /* arena commit steps (mprotect), not allocs */
    uint64_t used_bytes;    /* column capacity put to use (mem_note_used) */
} MemCounters;

void *mem_alloc(size_t n);                 /* NULL on failure */
void *mem_calloc(size_t n);                /* zeroed */
void *mem_realloc(void *p, size_t n);      /* counts as one allocation */
void mem_free(void *p);                    /* NULL is a no-op */
/* Note n bytes of memory put to use that no allocating call shows (a
 * column array growing into committed or cached pages). */
void mem_note_used(uint64_t n);
char *mem_strdup(const char *s);

/* Reserve `n` bytes of address space with no access (counted as one
 * allocation); commit makes [p, p+n) readable and writable. */
void *mem_reserve(size_t n);
int mem_commit(void *p, size_t n);         /* EMBER_OK or EMBER_NOMEM */
/* Hand committed pages [p, p+n) back to the kernel and make them
 * inaccessible again: using them later takes a counted mem_commit. */
void mem_decommit(void *p, size_t n);
void mem_unreserve(void *p, size_t n);

/* A zeroed, readable and writable mapping of n bytes (one counted
 * allocation), transparent huge pages requested when large; NULL on
 * failure. For long-lived big arrays (table row groups, string heaps). */
void *mem_map(size_t n);
void mem_unmap(void *p, size_t n);

/* The calling thread's counters (never NULL). */
MemCounters *mem_counters(void);
/* Sum over every thread that has ever allocated. */
void mem_totals(MemCounters *out);
/* Install the process-wide allocator (ember_config_allocator). */
int mem_set_allocator(const ember_allocator *a);

/* Fault injection for tests: fail the n-th allocating call from now on
 * (counting from 1; 0 disables). Applies to every thread. */
void mem_fail_after(uint64_t n);

/* ------------------------------------------------------------------------
 * Arena (arena.c)
 *
 * A bump allocator over one reserved range of address space, committed in
 * steps as it fills: creating an arena is one allocation, and nothing
 * afterwards calls the allocator, however much is allocated from it. So the
 * allocation count of a query is a small constant, whatever the data size.
 * Nothing inside an arena is freed alone; marks give LIFO release.
 *
 * Failure is sticky: once an allocation fails, every later one fails too
 * and arena_failed() is true, so callers may check at one safe point.
 *
 * With ARENA_MALLOC mode (setting `arena = off`) every arena_alloc is its
 * own mem_alloc, freed at reset/destroy: the slow path the knob brings back.
 * ------------------------------------------------------------------------ */

typedef struct Arena Arena;
typedef struct ArenaMark {
    size_t used;
    void *malloc_head;
    void *cleanup_head;
} ArenaMark;

/* A resource an arena owns beyond its memory (a reserved address range, a
 * file): fn(arg) runs when the arena is reset, destroyed, or released to a
 * mark taken before the registration, newest first. */
typedef void (*ArenaCleanupFn)(void *arg);

enum { ARENA_RESERVE = 0, ARENA_MALLOC = 1 };

/* `reserve` 0 means the default (64 GiB of address space). Returns NULL
 * when memory ran out. */
Arena *arena_create(const char *name, size_t reserve, int mode);
void arena_destroy(Arena *a);              /* NULL is a no-op */
void *arena_alloc(Arena *a, size_t n);     /* 16-byte aligned, NULL: failed */
void *arena_calloc(Arena *a, size_t n);    /* zeroed */
/* Grow the most recent allocation in place when possible, else copy. */
void *arena_realloc(Arena *a, void *p, size_t old_n, size_t new_n);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
ArenaMark arena_mark(Arena *a);
void arena_release(Arena *a, ArenaMark m); /* free everything after m */
/* Register a cleanup (the node lives in the arena). EMBER_NOMEM fails. */
int arena_add_cleanup(Arena *a, ArenaCleanupFn fn, void *arg);
void arena_reset(Arena *a);                /* free everything */
size_t arena_used(const Arena *a);         /* bytes handed out */
size_t arena_peak(const Arena *a);         /* high-water mark of used */
size_t arena_committed(const Arena *a);    /* RESERVE mode: bytes mapped */
bool arena_failed(const Arena *a);
bool arena_is_malloc(const Arena *a);      /* ARENA_MALLOC mode */
/* Give the pages beyond the first `keep` bytes back to the kernel (the
 * range stays usable; touching it again faults in zero pages). */
void arena_trim(Arena *a, size_t keep);
const char *arena_name(const Arena *a);
void arena_rename(Arena *a, const char *name); /* a reused arena's role */

/* ------------------------------------------------------------------------
 * Types (types.c)
 * ------------------------------------------------------------------------ */

typedef enum TypeId {
    TYPE_NULL = 0,    /* type of an untyped NULL literal or parameter */
    TYPE_BOOL,        /* uint8_t 0/1 */
    TYPE_INT32,       /* INTEGER, SMALLINT: int32_t */
    TYPE_INT64,       /* BIGINT: int64_t */
    TYPE_DOUBLE,      /* DOUBLE, REAL, FLOAT: double */
    TYPE_DECIMAL,     /* DECIMAL(p,s), p <= 18: int64_t scaled by 10^s */
    TYPE_DATE,        /* int32_t days since 1970-01-01 */
    TYPE_VARCHAR,     /* Str */
    TYPE_INTERVAL,    /* int64_t, see interval_* below; constants only */
    TYPE__COUNT
} TypeId;

/* Physical representation of a vector of a type. */
typedef enum PhysType {
    PHYS_U8,          /* bool */
    PHYS_I32,         /* int32, date */
    PHYS_I64,         /* bigint, decimal, interval */
    PHYS_F64,         /* double */
    PHYS_STR,         /* Str */
} PhysType;

typedef struct Type {
    uint8_t id;       /* TypeId */
    uint8_t prec;     /* DECIMAL precision 1..18 */
    uint8_t scale;    /* DECIMAL scale 0..prec */
    uint8_t pad;
    int32_t len;      /* VARCHAR(n) declared length, -1 when unbounded */
} Type;

#define DECIMAL_MAX_PREC 18

Type type_make(TypeId id);
Type type_decimal(int prec, int scale);
Type type_varchar(int len);
PhysType type_phys(Type t);
size_t type_width(Type t);                 /* bytes per value */
bool type_equal(Type a, Type b);
bool type_is_numeric(Type t);              /* int32/int64/double/decimal */
bool type_is_integer(Type t);              /* int32/int64 */
/* SQL name, e.g. "INTEGER", "DECIMAL(15,2)", "VARCHAR"; static or buf. */
const char *type_name(Type t, char *buf, size_t cap);

/* ------------------------------------------------------------------------
 * Strings (str.c)
 *
 * A Str is 16 bytes: the length, the first four bytes, and either the rest
 * inline (length <= 12) or a pointer to all the bytes. Equal strings have
 * equal first 8 bytes, so most comparisons end there.
 * ------------------------------------------------------------------------ */

#define STR_INLINE 12

typedef struct Str {
    uint32_t len;
    char prefix[4];
    union {
        char inl[8];          /* bytes 4..11 when len <= STR_INLINE */
        const char *ptr;      /* all bytes when len > STR_INLINE */
    } u;
} Str;

/* Make a Str of bytes that outlive it (no copy when long). */
Str str_make(const char *s, uint32_t len);
/* Make a Str, copying long payloads into `a`. */
Str str_copy(Arena *a, const char *s, uint32_t len);
static inline const char *str_data(const Str *s)
{
    return s->len <= STR_INLINE ? s->prefix : s->u.ptr;
}
bool str_eq_long(const Str *a, const Str *b);
/* Equality: the first 8 bytes (length and prefix) decide most pairs;
 * inline strings are zero padded, so the second word settles the rest. */
static inline bool str_eq(const Str *a, const Str *b)
{
    uint64_t a0, b0, a1, b1;
    memcpy(&a0, a, 8);
    memcpy(&b0, b, 8);
    if (a0 != b0)
        return false;
    if (a->len <= STR_INLINE) {
        memcpy(&a1, (const char *)a + 8, 8);
        memcpy(&b1, (const char *)b + 8, 8);
        return a1 == b1;
    }
    return str_eq_long(a, b);
}
int str_cmp(const Str *a, const Str *b);   /* memcmp order, then length */
/* A cheap key for tables that resolve collisions with str_eq: a
 * multiply-shift mix of the Str's 16 bytes when inline (zero padded),
 * else of its length, prefix and last 8 bytes. Equal strings get equal
 * keys; long strings that differ only in the middle collide. */
static inline uint64_t str_quick_key(const Str *s)
{
    uint64_t w0, w1;
    memcpy(&w0, s, 8);                       /* length and prefix */
    if (s->len <= STR_INLINE)
        memcpy(&w1, (const char *)s + 8, 8);
    else
        memcpy(&w1, s->u.ptr + s->len - 8, 8);
    return (w0 ^ (w1 * 0x9E3779B97F4A7C15ull)) * 0xFF51AFD7ED558CCDull;
}

/* ------------------------------------------------------------------------
 * Values (value.c): one boxed SQL value, for constants, parameters and the
 * API. Not used on hot paths.
 * ------------------------------------------------------------------------ */

typedef struct Value {
    Type type;
    bool is_null;
    union {
        int64_t i;            /* bool, int32, int64, decimal, date, interval */
        double d;
        Str s;
    } v;
} Value;

Value value_null(void);
Value value_bool(bool b);
Value value_int32(int32_t i);
Value value_int64(int64_t i);
Value value_double(double d);
Value value_decimal(int64_t scaled, int prec, int scale);
Value value_date(int32_t days);
Value value_str(Str s);
/* Render as text into buf (NUL-terminated, truncated to cap). Returns the
 * length that the full text would have. NULL renders as "NULL". */
size_t value_format(const Value *v, char *buf, size_t cap);

/* ------------------------------------------------------------------------
 * Dates (date.c): int32 days since 1970-01-01, proleptic Gregorian,
 * years 1..9999.
 * ------------------------------------------------------------------------ */

#define DATE_MIN_YEAR 1
#define DATE_MAX_YEAR 9999

/* Parse "YYYY-MM-DD" (1 to 4 digit year, 1-2 digit month/day; surrounding
 * spaces allowed). Returns false when the text is not a valid date. */
bool date_parse(const char *s, size_t len, int32_t *out);
/* Write "YYYY-MM-DD" and a NUL; buf needs 11 bytes. Returns length 10. */
int date_format(int32_t days, char *buf);
int32_t date_from_ymd(int y, int m, int d);      /* no validation */
void date_to_ymd(int32_t days, int *y, int *m, int *d);
bool date_valid_ymd(int y, int m, int d);
/* Add months, clamping the day to the end of the target month (as in
 * PostgreSQL: 2020-01-31 + 1 month = 2020-02-29). False when out of range. */
bool date_add_months(int32_t days, int32_t months, int32_t *out);
int date_extract_year(int32_t days);
int date_extract_month(int32_t days);
int date_extract_day(int32_t days);
int date_extract_dow(int32_t days);              /* 0 = Sunday */
int date_extract_doy(int32_t days);              /* 1..366 */

/* Intervals: months in the high 32 bits, days in the low 32 bits. */
static inline int64_t interval_make(int32_t months, int32_t days)
{
    return (int64_t)(((uint64_t)(uint32_t)months << 32) | (uint32_t)days);
}
static inline int32_t interval_months(int64_t iv)
{
    return (int32_t)(iv >> 32);
}
static inline int32_t interval_days(int64_t iv)
{
    return (int32_t)(uint32_t)iv;
}

/* ------------------------------------------------------------------------
 * Decimals (decimal.c): int64 scaled by 10^scale, precision <= 18.
 * ------------------------------------------------------------------------ */

extern const int64_t pow10_i64[19];        /* 10^0 .. 10^18 */

/* Parse decimal text ("-12.345", "1e3", " 7 ") at `scale`, rounding half
 * away from zero. EMBER_OK, EMBER_OVERFLOW when |value| needs more than
 * `prec` digits, EMBER_TYPE when the text is not a number. */
int decimal_parse(const char *s, size_t len, int prec, int scale,
                  int64_t *out);
/* Write the value with exactly `scale` fraction digits; buf >= 24 bytes.
 * Returns the length. */
int decimal_format(int64_t v, int scale, char *buf);
/* Change scale (rounding half away from zero when it drops digits).
 * EMBER_OVERFLOW when the result does not fit `prec` digits. */
int decimal_rescale(int64_t v, int from_scale, int to_scale, int prec,
                    int64_t *out);
/* Fit a 128-bit scaled value into `prec` digits. */
int decimal_from_i128(__int128 v, int prec, int64_t *out);
/* The double nearest to v / 10^scale. */
double decimal_to_double(int64_t v, int scale);
/* Round a double to `scale` digits and check it fits `prec` digits
 * (EMBER_OVERFLOW, also for NaN and infinities). The rounding applies to
 * the shortest text that reads back as d, the decimal the user sees: 1.005
 * gives 1.01 at scale 2 although the double is slightly below 1.005. */
int decimal_from_double(double d, int prec, int scale, int64_t *out);

/* ------------------------------------------------------------------------
 * Numbers (num.c)
 * ------------------------------------------------------------------------ */

/* Shortest text that reads back as the same double ("0.1", "1e+20",
 * "Infinity", "-Infinity", "NaN", as PostgreSQL spells them): the first of
 * %.15g, %.16g, %.17g that round-trips; buf >= 32 bytes. Integral values
 * print without a fraction ("3", "-0"). Returns the length. */
int double_format(double d, char *buf);
/* Parse an integer (optional sign, digits, surrounding spaces). EMBER_OK,
 * EMBER_OVERFLOW outside int64, EMBER_TYPE when not an integer. */
int parse_int64(const char *s, size_t len, int64_t *out);
/* Parse a double: strtod syntax (inf, infinity, nan in any case) with
 * surrounding spaces, the whole text consumed. EMBER_OK, EMBER_TYPE when
 * not a number, EMBER_OVERFLOW when finite text exceeds the double range
 * ("1e999"; underflow rounds to zero), EMBER_NOMEM when a text of over 127
 * bytes cannot be copied. */
int parse_double(const char *s, size_t len, double *out);

/* The order of DOUBLE values wherever ember orders them (sorting, top-N,
 * min/max aggregates, column statistics, comparisons in exec/func_cmp.c
 * and exec/select_cmp.c), as in PostgreSQL and DuckDB: NaN equals NaN and
 * is greater than every other value, +Infinity included; -0 equals 0.
 * Plain C comparisons are false for every NaN operand, which made the
 * result of a sort or of min() depend on where a NaN came in the input. */
static inline int f64_cmp(double a, double b)
{
    if (a < b)
        return -1;
    if (a > b)
        return 1;
    /* equal, or at least one NaN: a NaN is above the other value */
    return (a != a) - (b != b);
}
static inline bool f64_lt(double a, double b)
{
    return (a == a) & ((b != b) | (a < b));
}

/* ------------------------------------------------------------------------
 * Hashing (hash.c)
 * ------------------------------------------------------------------------ */

static inline uint64_t hash_u64(uint64_t x)
{
    /* Stafford's mix 13 of the 64-bit finalizer. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}
static inline uint64_t hash_combine(uint64_t h, uint64_t x)
{
    return hash_u64(h ^ (x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}
uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);
uint64_t hash_str_long(const Str *s);
/* Strings of up to STR_INLINE bytes are their two 8-byte words (length,
 * bytes, zero padding), mixed by one 64x64->128 multiply; a short and a
 * long string are never equal, so the two paths need not agree. */
static inline uint64_t hash_str(const Str *s)
{
    if (s->len > STR_INLINE)
        return hash_str_long(s);
    uint64_t w0, w1;
    memcpy(&w0, s, 8);
    memcpy(&w1, (const char *)s + 8, 8);
    unsigned __int128 m = (unsigned __int128)(w0 ^ 0x243f6a8885a308d3ULL) *
                          (w1 ^ 0x13198a2e03707344ULL);
    return hash_u64((uint64_t)m ^ (uint64_t)(m >> 64));
}
static inline uint64_t hash_double(double d)
{
    uint64_t u;
    if (d == 0)
        d = 0;                 /* -0.0 and 0.0 hash alike */
    if (d != d)
        d = __builtin_nan(""); /* so do NaNs of any sign and payload: they
                                  are equal (f64_cmp) */
    memcpy(&u, &d, 8);
    return hash_u64(u);
}

/* ------------------------------------------------------------------------
 * Name map (map.c): open-addressing map from NUL-terminated strings to
 * pointers, case-insensitive or not. Keys are copied into the map's
 * memory. For catalogs and settings, not for query hot paths.
 * ------------------------------------------------------------------------ */

typedef struct NameMap {
    struct NameMapSlot *slots;
    uint32_t cap;              /* power of two, or 0 */
    uint32_t count;
    bool nocase;
} NameMap;

void namemap_init(NameMap *m, bool nocase);
void namemap_release(NameMap *m);          /* frees keys and slots */
void *namemap_get(const NameMap *m, const char *key);
/* Insert or replace. EMBER_OK or EMBER_NOMEM. */
int namemap_put(NameMap *m, const char *key, void *val);
/* Remove; returns the old value or NULL. */
void *namemap_del(NameMap *m, const char *key);
/* Iterate: start with *pos = 0; returns false at the end. */
bool namemap_next(const NameMap *m, uint32_t *pos, const char **key,
                  void **val);

/* ------------------------------------------------------------------------
 * HyperLogLog (hll.c): distinct-count sketch, 2^12 one-byte registers,
 * standard error about 1.6%. Sketches of the same precision merge exactly.
 * ------------------------------------------------------------------------ */

#define HLL_BITS 12
#define HLL_REGISTERS (1u << HLL_BITS)

typedef struct Hll {
    uint8_t reg[HLL_REGISTERS];
} Hll;

void hll_init(Hll *h);
void hll_add(Hll *h, uint64_t hash);       /* hash must be well mixed */
void hll_merge(Hll *dst, const Hll *src);
double hll_estimate(const Hll *h);

/* ------------------------------------------------------------------------
 * String buffer (strbuf.c): growable text on the counting allocator, for
 * messages, EXPLAIN output and file writers.
 * ------------------------------------------------------------------------ */

typedef struct StrBuf {
    char *data;                /* NUL-terminated, or NULL when empty */
    size_t len;
    size_t cap;
    bool failed;               /* sticky out-of-memory flag */
    bool borrowed;             /* data is the caller's buffer */
} StrBuf;

void sb_init(StrBuf *sb);
/* Start in the caller's buffer (e.g. on the stack): no allocation until
 * the text outgrows it. */
void sb_init_buf(StrBuf *sb, char *buf, size_t cap);
void sb_release(StrBuf *sb);
void sb_append(StrBuf *sb, const char *s, size_t n);
void sb_puts(StrBuf *sb, const char *s);
void sb_putc(StrBuf *sb, char c);
void sb_printf(StrBuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *sb, const char *fmt, va_list ap);
void sb_clear(StrBuf *sb);                 /* keep the memory */
/* Take the text (caller frees with mem_free); leaves sb empty. */
char *sb_take(StrBuf *sb);

/* ------------------------------------------------------------------------
 * Errors (error.c)
 *
 * The error of one statement: code, message, byte position in the SQL text
 * (-1 when none) and an optional hint, as PostgreSQL's ereport fields.
 * Every error is raised through err_set so one breakpoint catches them all.
 * ------------------------------------------------------------------------ */

#define ERR_MSG_CAP 512

typedef struct Err {
    int code;                  /* EMBER_OK when no error */
    int pos;                   /* byte offset in the SQL, -1 if none */
    char msg[ERR_MSG_CAP];
    char hint[128];
} Err;

void err_clear(Err *e);
/* Record the first error only (later calls are ignored while one is set)
 * and return `code`. */
int err_set(Err *e, int code, int pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int err_setv(Err *e, int code, int pos, const char *fmt, va_list ap);
int err_nomem(Err *e);
void err_hint(Err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------------
 * Time (clock.c)
 * ------------------------------------------------------------------------ */

uint64_t clock_ns(void);               /* monotonic wall clock */
uint64_t thread_cpu_ns(void);          /* CPU time of the calling thread */
uint64_t process_cpu_ns(void);

#endif /* EMBER_UTIL_H */
