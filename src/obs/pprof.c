/*
 * pprof.c -- a query profile as a pprof profile.proto, gzip-compressed,
 * for `go tool pprof` (-top, -traces, -list, -svg, -base).
 *
 * The "functions" are plan operators, not C functions: pprof is agnostic
 * to what its frames mean, and a profile whose functions carry names and
 * no addresses (a symbolized profile) needs no binary; its one Mapping
 * ("ember") says so, else pprof warns that it found none. Each operator
 * is a function named by its unique label ("HashJoin#3"), with the
 * operator name as system name and, as file and line, the SQL statement
 * (a file at `sql_path`, else the text itself) and the line the operator
 * comes from, so `pprof -list` shows the SQL. A root function "Query"
 * sits above the plan's root. Comments hold the SQL (on one line, cut)
 * and the query totals; pprof prints them above its reports.
 *
 * Two profiles:
 *
 *   cpu/alloc   sample types cpu/nanoseconds, alloc_objects/count,
 *               alloc_space/bytes, inuse_space/bytes (the memory the
 *               operator's state holds when the query ends: its
 *               mem_bytes); one sample per operator with its self
 *               values, stack = the operator, its parents, ..., "Query";
 *               an operator's build time (hash table build, sort) is a
 *               sample of its own under an extra frame "<label> build".
 *   contention  contentions/count, delay/nanoseconds; one sample per lock
 *               site, under the operator that waited most.
 *
 * Encoding (protobuf wire format, written by hand, as pprof's own
 * profile/proto.go does): every field is a key varint (field << 3 | wire
 * type) and a payload; wire type 0 is a varint, 2 a length-prefixed run
 * of bytes (strings, sub-messages, packed repeated integers). Sub-messages
 * are built in a StrBuf so their length is known before they are written.
 * Top-level fields are streamed to the file as they are made; strings are
 * interned into the string table (index 0 is ""), written last, as the Go
 * runtime does. Ids of functions and locations are equal: Query is 1,
 * operator k is 1 + k, extra frames (build, lock sites) follow.
 */
#include <inttypes.h>
#include <stdio.h>

#include "obs/obs_int.h"

/* Profile fields (perftools.profiles.Profile). */
enum {
    PROFILE_SAMPLE_TYPE = 1,
    PROFILE_SAMPLE = 2,
    PROFILE_MAPPING = 3,
    PROFILE_LOCATION = 4,
    PROFILE_FUNCTION = 5,
    PROFILE_STRING_TABLE = 6,
    PROFILE_TIME_NANOS = 9,
    PROFILE_DURATION_NANOS = 10,
    PROFILE_PERIOD_TYPE = 11,
    PROFILE_PERIOD = 12,
    PROFILE_COMMENT = 13,
    PROFILE_DEFAULT_SAMPLE_TYPE = 14,
};

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

#define FN_QUERY 1
#define MAPPING_ID 1

/* ------------------------------------------------------------------------
 * Protobuf encoder on a StrBuf
 * ------------------------------------------------------------------------ */

/* Encode `v` as a varint into b (room for 10 bytes); returns its length. */
static size_t varint_encode(char *b, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (char)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (char)v;
    return n;
}

static void pb_varint(StrBuf *sb, uint64_t v)
{
    char b[10];
    sb_append(sb, b, varint_encode(b, v));
}

static size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static void pb_key(StrBuf *sb, int field, int wire)
{
    pb_varint(sb, (uint64_t)field << 3 | (uint64_t)wire);
}

/* A varint field; zero is the proto3 default and is left out. Signed
 * values are passed as their two's-complement bits. */
static void pb_int(StrBuf *sb, int field, uint64_t v)
{
    if (v == 0)
        return;
    pb_key(sb, field, WIRE_VARINT);
    pb_varint(sb, v);
}

/* A length-delimited field: a string or an encoded sub-message. */
static void pb_bytes(StrBuf *sb, int field, const void *p, size_t n)
{
    pb_key(sb, field, WIRE_LEN);
    pb_varint(sb, n);
    sb_append(sb, p, n);
}

static void pb_msg(StrBuf *sb, int field, const StrBuf *msg)
{
    pb_bytes(sb, field, msg->data, msg->len);
}

/* A packed repeated varint field (all values, zeros included). */
static void pb_packed(StrBuf *sb, int field, const uint64_t *v, int n)
{
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += varint_size(v[i]);
    pb_key(sb, field, WIRE_LEN);
    pb_varint(sb, len);
    for (int i = 0; i < n; i++)
        pb_varint(sb, v[i]);
}

/* ------------------------------------------------------------------------
 * Writer state: the output file and the string table
 * ------------------------------------------------------------------------ */

typedef struct Pprof {
    const QueryProfile *qp;
    OutFile out;
    StrBuf msg;      /* the top-level field being built */
    StrBuf sub;      /* a message nested in it */
    StrBuf tmp;      /* composed names and comments */
    StrBuf name;     /* op_frame_name's fallback, the SQL comment */
    StrBuf strtab;   /* encoded string_table entries */
    NameMap strings; /* string -> index + 1 */
    int64_t n_strings;
    bool nomem;
    const char *file; /* Function.filename of operators */
} Pprof;

/* Index of `s` in the string table, adding it on first use; NULL and ""
 * are index 0. */
static int64_t str_index(Pprof *w, const char *s)
{
    if (s == NULL || s[0] == 0)
        return 0;
    void *v = namemap_get(&w->strings, s);
    if (v != NULL)
        return (int64_t)(intptr_t)v - 1;
    int64_t idx = w->n_strings;
    if (namemap_put(&w->strings, s, (void *)(intptr_t)(idx + 1)) != EMBER_OK) {
        w->nomem = true;
        return 0;
    }
    pb_bytes(&w->strtab, PROFILE_STRING_TABLE, s, strlen(s));
    w->n_strings++;
    return idx;
}

/* Write the top-level field `field` holding w->msg, then clear it. */
static void emit_msg(Pprof *w, int field)
{
    char head[20];
    size_t n = varint_encode(head, (uint64_t)field << 3 | WIRE_LEN);
    n += varint_encode(head + n, w->msg.len);
    w->nomem |= w->msg.failed;
    out_write(&w->out, head, n);
    out_write(&w->out, w->msg.data, w->msg.len);
    sb_clear(&w->msg);
}

/* Write a top-level varint field. */
static void emit_int(Pprof *w, int field, uint64_t v)
{
    pb_int(&w->msg, field, v);
    w->nomem |= w->msg.failed;
    out_write(&w->out, w->msg.data, w->msg.len);
    sb_clear(&w->msg);
}

/* The writer's memory, not its file. */
static void writer_free(Pprof *w)
{
    sb_release(&w->msg);
    sb_release(&w->sub);
    sb_release(&w->tmp);
    sb_release(&w->name);
    sb_release(&w->strtab);
    namemap_release(&w->strings);
}

/* Set up `w` and open `path`; on failure nothing is left to free. */
static int writer_open(Pprof *w, const QueryProfile *qp, const char *path,
                       const char *sql_path, Err *err)
{
    memset(w, 0, sizeof(*w));
    w->qp = qp;
    w->file = sql_path ? sql_path : (qp->p.sql ? qp->p.sql : "");
    sb_init(&w->msg);
    sb_init(&w->sub);
    sb_init(&w->tmp);
    sb_init(&w->name);
    sb_init(&w->strtab);
    namemap_init(&w->strings, false);
    pb_bytes(&w->strtab, PROFILE_STRING_TABLE, "", 0); /* index 0 */
    w->n_strings = 1;
    int rc = out_open(&w->out, path, true, err);
    if (rc != EMBER_OK)
        writer_free(w);
    return rc;
}

/* Write the string table, close the file, free everything. */
static int writer_close(Pprof *w, Err *err)
{
    w->nomem |=
        w->strtab.failed || w->tmp.failed || w->name.failed || w->sub.failed;
    out_write(&w->out, w->strtab.data, w->strtab.len);
    int rc = out_close(&w->out, err);
    writer_free(w);
    if (rc == EMBER_OK && w->nomem)
        rc = err_nomem(err);
    return rc;
}

/* ------------------------------------------------------------------------
 * Profile pieces
 * ------------------------------------------------------------------------ */

typedef struct ValueType {
    const char *type;
    const char *unit;
} ValueType;

static void value_type(Pprof *w, StrBuf *sb, const ValueType *vt)
{
    pb_int(sb, 1, (uint64_t)str_index(w, vt->type));
    pb_int(sb, 2, (uint64_t)str_index(w, vt->unit));
}

/* Sample types, period, times, default type and the comments. */
static void write_header(Pprof *w, const ValueType *types, int n_types,
                         const ValueType *period, const char *default_type,
                         const char *const *comments, int n_comments)
{
    const ember_profile *p = &w->qp->p;
    for (int i = 0; i < n_types; i++) {
        value_type(w, &w->msg, &types[i]);
        emit_msg(w, PROFILE_SAMPLE_TYPE);
    }
    value_type(w, &w->msg, period);
    emit_msg(w, PROFILE_PERIOD_TYPE);
    emit_int(w, PROFILE_PERIOD, 1);
    emit_int(w, PROFILE_TIME_NANOS, p->start_unix_ns);
    emit_int(w, PROFILE_DURATION_NANOS, p->t_total_ns);
    emit_int(w, PROFILE_DEFAULT_SAMPLE_TYPE,
             (uint64_t)str_index(w, default_type));
    for (int i = 0; i < n_comments; i++)
        emit_int(w, PROFILE_COMMENT, (uint64_t)str_index(w, comments[i]));
    /* One mapping that says its frames are already symbolized: without
     * it pprof looks for a binary to symbolize them with and warns. */
    pb_int(&w->msg, 1, MAPPING_ID);
    pb_int(&w->msg, 5, (uint64_t)str_index(w, "ember")); /* filename */
    pb_int(&w->msg, 7, 1);                               /* has_functions */
    pb_int(&w->msg, 8, 1);                               /* has_filenames */
    pb_int(&w->msg, 9, 1);                               /* has_line_numbers */
    emit_msg(w, PROFILE_MAPPING);
}

/* A Function and its Location (same id) with one Line. */
static void write_frame(Pprof *w, uint64_t id, const char *name,
                        const char *system_name, const char *file, int line)
{
    pb_int(&w->msg, 1, id);
    pb_int(&w->msg, 2, (uint64_t)str_index(w, name));
    pb_int(&w->msg, 3, (uint64_t)str_index(w, system_name));
    pb_int(&w->msg, 4, (uint64_t)str_index(w, file));
    pb_int(&w->msg, 5, (uint64_t)(int64_t)line);
    emit_msg(w, PROFILE_FUNCTION);

    sb_clear(&w->sub);
    pb_int(&w->sub, 1, id);                      /* Line.function_id */
    pb_int(&w->sub, 2, (uint64_t)(int64_t)line); /* Line.line */
    pb_int(&w->msg, 1, id);                      /* Location.id */
    pb_int(&w->msg, 2, MAPPING_ID);              /* Location.mapping_id */
    pb_msg(&w->msg, 4, &w->sub);                 /* Location.line */
    emit_msg(w, PROFILE_LOCATION);
}

/* The frame name of operator `op`: its label, else its name, else
 * "op#<id>". Valid until the next call. */
static const char *op_frame_name(Pprof *w, const ProfOp *op)
{
    if (op->label && op->label[0])
        return op->label;
    if (op->name && op->name[0])
        return op->name;
    sb_clear(&w->name);
    sb_printf(&w->name, "op#%d", op->id);
    return w->name.data ? w->name.data : "";
}

/* Query, then every operator. */
static void write_plan_frames(Pprof *w)
{
    const ember_profile *p = &w->qp->p;
    int query_line =
        p->n_ops > 0 && p->ops[0].sql_line > 0 ? p->ops[0].sql_line : 1;
    write_frame(w, FN_QUERY, "Query", "Query", w->file, query_line);
    for (int i = 0; i < p->n_ops; i++) {
        const ProfOp *op = &p->ops[i];
        write_frame(w, (uint64_t)(1 + op->id), op_frame_name(w, op), op->name,
                    w->file, op->sql_line);
    }
}

/* Whether `id` names an operator of the profile. */
static bool valid_op(const ember_profile *p, int id)
{
    return id >= 1 && id <= p->n_ops && ALWAYS(p->ops[id - 1].id == id);
}

/* Append the locations from operator `op_id` up to Query to stack[n..]
 * and return the new length: at most n + n_ops + 1, since a parent link
 * out of range or a cycle ends the walk at Query. */
static int op_stack(const ember_profile *p, int op_id, uint64_t *stack, int n)
{
    int limit = p->n_ops;
    while (valid_op(p, op_id) && limit-- > 0) {
        stack[n++] = (uint64_t)(1 + op_id);
        op_id = p->ops[op_id - 1].parent;
    }
    stack[n++] = FN_QUERY;
    return n;
}

typedef struct SampleLabel {
    const char *key;
    const char *str; /* a string label, or NULL: numeric */
    int64_t num;
    const char *unit;
} SampleLabel;

/* A sample, unless all its values are zero. */
static void write_sample(Pprof *w, const uint64_t *stack, int n_stack,
                         const uint64_t *values, int n_values,
                         const SampleLabel *labels, int n_labels)
{
    bool any = false;
    for (int i = 0; i < n_values; i++)
        any |= values[i] != 0;
    if (!any)
        return;
    pb_packed(&w->msg, 1, stack, n_stack);
    pb_packed(&w->msg, 2, values, n_values);
    for (int i = 0; i < n_labels; i++) {
        const SampleLabel *l = &labels[i];
        sb_clear(&w->sub);
        pb_int(&w->sub, 1, (uint64_t)str_index(w, l->key));
        if (l->str) {
            pb_int(&w->sub, 2, (uint64_t)str_index(w, l->str));
        } else {
            pb_int(&w->sub, 3, (uint64_t)l->num);
            pb_int(&w->sub, 4, (uint64_t)str_index(w, l->unit));
        }
        pb_msg(&w->msg, 3, &w->sub);
    }
    emit_msg(w, PROFILE_SAMPLE);
}

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

/* The query totals as one comment line, into w->tmp. */
static const char *totals_comment(Pprof *w)
{
    const ember_profile *p = &w->qp->p;
    sb_clear(&w->tmp);
    sb_printf(&w->tmp,
              "ember query: total %.3f ms (parse %.3f, bind %.3f, optimize "
              "%.3f, physical %.3f, execute %.3f); cpu %.3f ms; %" PRIu64
              " allocations, %" PRIu64 " bytes, peak %" PRIu64
              " bytes; %d threads, busy %.3f ms, lock wait %.3f ms (%.2f%%); "
              "%" PRIu64 " rows",
              ms(p->t_total_ns), ms(p->t_parse_ns), ms(p->t_bind_ns),
              ms(p->t_optimize_ns), ms(p->t_physical_ns), ms(p->t_exec_ns),
              ms(p->cpu_ns), p->n_allocs, p->alloc_bytes, p->peak_bytes,
              p->n_threads, ms(p->thread_ns), ms(p->lock_wait_ns),
              p->lock_contention, p->rows);
    return w->tmp.data ? w->tmp.data : "";
}

/* Bytes of SQL in the comment: pprof prints the comments above every
 * report, and the whole statement is in the SQL file (or the file name)
 * anyway. */
#define SQL_COMMENT_MAX 160

/* The SQL text on one line, runs of white space as one space, cut after
 * SQL_COMMENT_MAX bytes (not inside a UTF-8 sequence) with "...", into
 * w->name. */
static const char *sql_comment(Pprof *w)
{
    const char *s = w->qp->p.sql;
    sb_clear(&w->name);
    sb_puts(&w->name, "SQL: ");
    bool space = false;
    size_t n = 0;
    for (; *s && n < SQL_COMMENT_MAX; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || (c >= '\t' && c <= '\r')) {
            space = n > 0;
            continue;
        }
        if (space)
            sb_putc(&w->name, ' ');
        space = false;
        sb_putc(&w->name, (char)c);
        n++;
    }
    while ((*s & 0xc0) == 0x80) /* finish a UTF-8 sequence */
        sb_putc(&w->name, *s++);
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    if (*s)
        sb_puts(&w->name, " ...");
    return w->name.data ? w->name.data : "";
}

static void write_comments_header(Pprof *w, const ValueType *types, int n_types,
                                  const ValueType *period,
                                  const char *default_type)
{
    const char *comments[2];
    int n = 0;
    if (w->qp->p.sql && w->qp->p.sql[0])
        comments[n++] = sql_comment(w);
    comments[n++] = totals_comment(w);
    write_header(w, types, n_types, period, default_type, comments, n);
}

/* ------------------------------------------------------------------------
 * The two profiles
 * ------------------------------------------------------------------------ */

/* The samples of the cpu/alloc profile; `stack` has room for n_ops + 2. */
static void write_op_samples(Pprof *w, uint64_t *stack)
{
    const ember_profile *p = &w->qp->p;
    uint64_t build_id = (uint64_t)p->n_ops + 2;
    for (int i = 0; i < p->n_ops; i++) {
        const ProfOp *op = &p->ops[i];
        SampleLabel labels[2] = {
            {"op", op->name ? op->name : "", 0, NULL},
            {"rows", NULL, (int64_t)op->rows_out, "rows"},
        };
        uint64_t values[4] = {op->time_ns, op->n_allocs, op->alloc_bytes,
                              op->mem_bytes};
        int n = op_stack(p, op->id, stack, 0);
        write_sample(w, stack, n, values, 4, labels, 2);
        if (op->build_ns == 0)
            continue;
        sb_clear(&w->tmp);
        sb_printf(&w->tmp, "%s build", op_frame_name(w, op));
        write_frame(w, build_id, w->tmp.data ? w->tmp.data : "", op->name,
                    w->file, op->sql_line);
        stack[0] = build_id++;
        n = op_stack(p, op->id, stack, 1);
        uint64_t build[4] = {op->build_ns, 0, 0, 0};
        write_sample(w, stack, n, build, 4, labels, 1);
    }
}

/* The samples of the contention profile: one per contended lock site. */
static void write_lock_samples(Pprof *w, uint64_t *stack)
{
    const ember_profile *p = &w->qp->p;
    uint64_t site_id = (uint64_t)p->n_ops + 2;
    for (int i = 0; i < p->n_locks; i++) {
        const ProfLock *lk = &p->locks[i];
        if (lk->contended == 0 && lk->wait_ns == 0)
            continue;
        sb_clear(&w->tmp);
        sb_printf(&w->tmp, "lock %s", lk->site ? lk->site : "?");
        write_frame(w, site_id, w->tmp.data ? w->tmp.data : "", lk->site, "",
                    0);
        stack[0] = site_id++;
        int n = op_stack(p, lk->op, stack, 1);
        uint64_t values[2] = {lk->contended, lk->wait_ns};
        SampleLabel label = {"acquires", NULL, (int64_t)lk->acquires, "count"};
        write_sample(w, stack, n, values, 2, &label, 1);
    }
}

typedef void (*SamplesFn)(Pprof *w, uint64_t *stack);

/* A whole profile: its first sample type is also its period type. */
static int write_profile(const QueryProfile *p, const char *path,
                         const char *sql_path, const ValueType *types,
                         int n_types, const char *default_type,
                         SamplesFn samples, Err *err)
{
    uint64_t *stack = mem_alloc(sizeof(uint64_t) * (size_t)(p->p.n_ops + 2));
    if (stack == NULL)
        return err_nomem(err);
    Pprof w;
    int rc = writer_open(&w, p, path, sql_path, err);
    if (rc != EMBER_OK)
        goto out_free_stack;
    write_comments_header(&w, types, n_types, &types[0], default_type);
    write_plan_frames(&w);
    samples(&w, stack);
    rc = writer_close(&w, err);
out_free_stack:
    mem_free(stack);
    return rc;
}

int pprof_write(const QueryProfile *p, const char *path, const char *sql_path,
                Err *err)
{
    static const ValueType types[4] = {
        {"cpu", "nanoseconds"},
        {"alloc_objects", "count"},
        {"alloc_space", "bytes"},
        {"inuse_space", "bytes"},
    };
    return write_profile(p, path, sql_path, types, 4, "cpu", write_op_samples,
                         err);
}

int pprof_write_contention(const QueryProfile *p, const char *path,
                           const char *sql_path, Err *err)
{
    static const ValueType types[2] = {
        {"contentions", "count"},
        {"delay", "nanoseconds"},
    };
    return write_profile(p, path, sql_path, types, 2, "delay",
                         write_lock_samples, err);
}
