/*
 * profile_render.c -- EXPLAIN ANALYZE output: the operator tree with each
 * operator's counters, as text for people or JSON for tools (schema in
 * docs/explain-analyze-json.md). The JSON of a plan that did not run
 * (EXPLAIN (FORMAT JSON), a plan_only profile) has the same operator tree
 * without the runtime keys.
 */
#include <math.h>
#include <stdio.h>

#include "obs/profile.h"

/* TUNING: estimates off by more than 10x either way are flagged, the
 * threshold at which a join order usually goes wrong. */
#define MISESTIMATE 10.0

static void fmt_count(double v, char *buf, size_t cap)
{
    if (v >= 1e9)
        snprintf(buf, cap, "%.2fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, cap, "%.2fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, cap, "%.1fk", v / 1e3);
    else
        snprintf(buf, cap, "%.0f", v);
}

static void fmt_bytes(double v, char *buf, size_t cap)
{
    if (v >= 1 << 30)
        snprintf(buf, cap, "%.1f GiB", v / (1 << 30));
    else if (v >= 1 << 20)
        snprintf(buf, cap, "%.1f MiB", v / (1 << 20));
    else if (v >= 1 << 10)
        snprintf(buf, cap, "%.1f KiB", v / (1 << 10));
    else
        snprintf(buf, cap, "%.0f B", v);
}

static void fmt_ms(uint64_t ns, char *buf, size_t cap)
{
    double ms = (double)ns / 1e6;
    if (ms >= 100)
        snprintf(buf, cap, "%.0f ms", ms);
    else if (ms >= 1)
        snprintf(buf, cap, "%.2f ms", ms);
    else
        snprintf(buf, cap, "%.3f ms", ms);
}

/* Ratio of actual to estimated rows (>= 1 means underestimated). */
static double est_ratio(const ProfOp *op)
{
    double est = op->est_rows < 1 ? 1 : op->est_rows;
    double act = op->rows_out < 1 ? 1 : (double)op->rows_out;
    return act / est;
}

/* ------------------------------------------------------------------------
 * Text
 * ------------------------------------------------------------------------ */

static void text_header(const QueryProfile *qp, StrBuf *sb)
{
    const ember_profile *p = &qp->p;
    char t[32], pa[32], bi[32], op[32], ph[32], ex[32];
    fmt_ms(p->t_total_ns, t, sizeof(t));
    fmt_ms(p->t_parse_ns, pa, sizeof(pa));
    fmt_ms(p->t_bind_ns, bi, sizeof(bi));
    fmt_ms(p->t_optimize_ns, op, sizeof(op));
    fmt_ms(p->t_physical_ns, ph, sizeof(ph));
    fmt_ms(p->t_exec_ns, ex, sizeof(ex));
    sb_printf(sb, "Query time %s: parse %s, bind %s, optimize %s, "
                  "physical plan %s, execute %s\n",
              t, pa, bi, op, ph, ex);
    char ab[32], pk[32], cpu[32], th[32], lw[32];
    fmt_bytes((double)p->alloc_bytes, ab, sizeof(ab));
    fmt_bytes((double)p->peak_bytes, pk, sizeof(pk));
    fmt_ms(p->cpu_ns, cpu, sizeof(cpu));
    fmt_ms(p->thread_ns, th, sizeof(th));
    fmt_ms(p->lock_wait_ns, lw, sizeof(lw));
    sb_printf(sb, "Threads %d (busy %s, CPU %s), allocations %llu (%s), "
                  "peak memory %s\n",
              p->n_threads, th, cpu, (unsigned long long)p->n_allocs, ab, pk);
    sb_printf(sb, "Lock contention %.3f%% (%s waited", p->lock_contention, lw);
    for (int i = 0; i < p->n_locks; i++)
        if (p->locks[i].contended)
            sb_printf(sb, "%s %s: %llu waits", i ? "," : ";",
                      p->locks[i].site,
                      (unsigned long long)p->locks[i].contended);
    sb_printf(sb, "), rows %llu\n", (unsigned long long)p->rows);
}

static void text_op(const QueryProfile *qp, const ProfOp *op, StrBuf *sb,
                    const char *prefix, bool last, bool root, Arena *a);

static void text_children(const QueryProfile *qp, const ProfOp *op,
                          StrBuf *sb, const char *prefix, Arena *a)
{
    int kids[64], n = 0;
    for (int i = 0; i < qp->p.n_ops && n < 64; i++)
        if (qp->p.ops[i].parent == op->id && qp->p.ops[i].id)
            kids[n++] = i;
    for (int k = 0; k < n; k++)
        text_op(qp, &qp->p.ops[kids[k]], sb, prefix, k == n - 1, false, a);
}

static void text_op(const QueryProfile *qp, const ProfOp *op, StrBuf *sb,
                    const char *prefix, bool last, bool root, Arena *a)
{
    const ember_profile *p = &qp->p;
    char rows[32], est[32], self[32], cum[32], cpu[32], ab[32];
    fmt_count((double)op->rows_out, rows, sizeof(rows));
    fmt_count(op->est_rows, est, sizeof(est));
    fmt_ms(op->time_ns + op->build_ns, self, sizeof(self));
    fmt_ms(op->cum_time_ns, cum, sizeof(cum));
    fmt_ms(op->cpu_ns, cpu, sizeof(cpu));
    fmt_bytes((double)op->alloc_bytes, ab, sizeof(ab));
    uint64_t all = p->thread_ns ? p->thread_ns : 1;
    double share = 100.0 * (double)(op->time_ns + op->build_ns) / (double)all;
    sb_puts(sb, prefix);
    if (!root)
        sb_puts(sb, last ? "└─ " : "├─ ");
    sb_printf(sb, "%s#%d", op->name, op->id);
    if (op->detail && op->detail[0])
        sb_printf(sb, " %s", op->detail);
    sb_putc(sb, '\n');
    size_t plen = strlen(prefix);
    char *np = a ? arena_alloc(a, plen + 8) : NULL;
    if (np == NULL)
        return;
    memcpy(np, prefix, plen);
    strcpy(np + plen, root ? "" : (last ? "   " : "│  "));
    bool has_kids = false;
    for (int i = 0; i < p->n_ops; i++)
        has_kids = has_kids || p->ops[i].parent == op->id;
    sb_printf(sb, "%s%s   rows %s (est %s", np, has_kids ? "│" : " ", rows,
              est);
    double r = est_ratio(op);
    if (r >= MISESTIMATE)
        sb_printf(sb, ", %.0fx under !", r);
    else if (r <= 1.0 / MISESTIMATE)
        sb_printf(sb, ", %.0fx over !", 1.0 / r);
    sb_printf(sb, ")  time %s (%.1f%%) cum %s  cpu %s", self, share, cum, cpu);
    if (op->build_ns) {
        char bb[32];
        fmt_ms(op->build_ns, bb, sizeof(bb));
        sb_printf(sb, " build %s", bb);
    }
    sb_printf(sb, "  allocs %llu (%s)", (unsigned long long)op->n_allocs, ab);
    if (op->mem_bytes) {
        char mb[32];
        fmt_bytes((double)op->mem_bytes, mb, sizeof(mb));
        sb_printf(sb, "  mem %s", mb);
    }
    if (op->lock_waits) {
        char lw[32];
        fmt_ms(op->lock_wait_ns, lw, sizeof(lw));
        sb_printf(sb, "  lock waits %llu (%s)",
                  (unsigned long long)op->lock_waits, lw);
    }
    if (op->ht_capacity) {
        char e[32], c[32];
        fmt_count((double)op->ht_entries, e, sizeof(e));
        fmt_count((double)op->ht_capacity, c, sizeof(c));
        sb_printf(sb, "  hash table %s/%s (load %.0f%%)", e, c,
                  100.0 * (double)op->ht_entries / (double)op->ht_capacity);
    }
    sb_putc(sb, '\n');
    text_children(qp, op, sb, np, a);
}

int profile_render_text(const QueryProfile *qp, StrBuf *sb)
{
    Arena *a = arena_create("explain", 64u << 20, ARENA_RESERVE);
    if (a == NULL)
        return EMBER_NOMEM;
    text_header(qp, sb);
    bool sub_seen = false;
    for (int i = 0; i < qp->p.n_ops; i++) {
        const ProfOp *op = &qp->p.ops[i];
        if (op->id == 0 || op->parent != 0)
            continue;
        if (op->subplan && !sub_seen) {
            sb_puts(sb, "Subplans:\n");
            sub_seen = true;
        }
        text_op(qp, op, sb, op->subplan ? "  " : "", true, true, a);
    }
    arena_destroy(a);
    return sb->failed ? EMBER_NOMEM : EMBER_OK;
}

/* ------------------------------------------------------------------------
 * JSON
 * ------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

/* A JSON string: quotes, backslashes and control characters escaped,
 * valid UTF-8 copied, each byte of invalid UTF-8 replaced by U+FFFD (as
 * "\ufffd"), so SQL text or names holding any bytes give valid JSON.
 * NULL writes "". Output goes through put (a StrBuf here, the trace
 * writer's file in trace.c). */
void json_quote(const char *str, JsonPut put, void *ctx)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    size_t n = strlen((const char *)s);
    size_t run = 0; /* start of the bytes copied as they are */
    size_t i = 0;
    put(ctx, "\"", 1);
    while (i < n) {
        unsigned char c = s[i];
        size_t len = 1;
        const char *esc = NULL;
        char ubuf[8];
        if (c >= 0x80) {
            len = utf8_seq(s + i, n - i);
            if (len > 0) {
                i += len;
                continue;
            }
            len = 1;
            esc = "\\ufffd";
        } else if (c == '"') {
            esc = "\\\"";
        } else if (c == '\\') {
            esc = "\\\\";
        } else if (c == '\n') {
            esc = "\\n";
        } else if (c == '\t') {
            esc = "\\t";
        } else if (c == '\r') {
            esc = "\\r";
        } else if (c < 0x20) {
            snprintf(ubuf, sizeof(ubuf), "\\u%04x", c);
            esc = ubuf;
        } else {
            i++;
            continue;
        }
        put(ctx, (const char *)s + run, i - run);
        put(ctx, esc, strlen(esc));
        i += len;
        run = i;
    }
    put(ctx, (const char *)s + run, n - run);
    put(ctx, "\"", 1);
}

static void sb_put(void *ctx, const char *p, size_t n)
{
    sb_append(ctx, p, n);
}

static void json_str(StrBuf *sb, const char *str)
{
    json_quote(str, sb_put, sb);
}

static void json_u64(StrBuf *sb, const char *key, uint64_t v, bool comma)
{
    sb_printf(sb, "\"%s\": %llu%s", key, (unsigned long long)v,
              comma ? ", " : "");
}

/* One operator and its subtree. Without a run (plan_only) only the keys
 * the plan knows: id, name, label, detail, sql_line, estimated_rows and
 * children. */
static void json_op(const QueryProfile *qp, const ProfOp *op, StrBuf *sb)
{
    sb_printf(sb, "{\"id\": %d, \"name\": ", op->id);
    json_str(sb, op->name);
    sb_puts(sb, ", \"label\": ");
    json_str(sb, op->label);
    sb_puts(sb, ", \"detail\": ");
    json_str(sb, op->detail);
    sb_printf(sb, ", \"sql_line\": %d, \"estimated_rows\": %.1f, ",
              op->sql_line, op->est_rows);
    if (!qp->plan_only) {
        json_u64(sb, "rows", op->rows_out, true);
        json_u64(sb, "rows_in", op->rows_in, true);
        json_u64(sb, "chunks", op->chunks, true);
        double r = est_ratio(op);
        sb_printf(sb, "\"estimate_ratio\": %.4g, \"misestimated\": %s, ", r,
                  r >= MISESTIMATE || r <= 1.0 / MISESTIMATE ? "true"
                                                              : "false");
        json_u64(sb, "time_ns", op->time_ns, true);
        json_u64(sb, "cpu_ns", op->cpu_ns, true);
        json_u64(sb, "cumulative_time_ns", op->cum_time_ns, true);
        json_u64(sb, "build_ns", op->build_ns, true);
        json_u64(sb, "allocations", op->n_allocs, true);
        json_u64(sb, "allocated_bytes", op->alloc_bytes, true);
        json_u64(sb, "memory_bytes", op->mem_bytes, true);
        json_u64(sb, "lock_waits", op->lock_waits, true);
        json_u64(sb, "lock_wait_ns", op->lock_wait_ns, true);
        json_u64(sb, "hash_table_entries", op->ht_entries, true);
        json_u64(sb, "hash_table_capacity", op->ht_capacity, true);
    }
    sb_puts(sb, "\"children\": [");
    bool first = true;
    for (int i = 0; i < qp->p.n_ops; i++) {
        const ProfOp *c = &qp->p.ops[i];
        if (c->id == 0 || c->parent != op->id)
            continue;
        if (!first)
            sb_puts(sb, ", ");
        json_op(qp, c, sb);
        first = false;
    }
    sb_puts(sb, "]}");
}

/* The totals of a run: phases, threads, memory, rows and locks. */
static void json_totals(const ember_profile *p, StrBuf *sb)
{
    sb_puts(sb, "\"phases_ns\": {");
    json_u64(sb, "parse", p->t_parse_ns, true);
    json_u64(sb, "bind", p->t_bind_ns, true);
    json_u64(sb, "optimize", p->t_optimize_ns, true);
    json_u64(sb, "physical", p->t_physical_ns, true);
    json_u64(sb, "execute", p->t_exec_ns, true);
    json_u64(sb, "total", p->t_total_ns, false);
    sb_printf(sb, "}, \"threads\": %d, ", p->n_threads);
    json_u64(sb, "thread_ns", p->thread_ns, true);
    json_u64(sb, "cpu_ns", p->cpu_ns, true);
    json_u64(sb, "allocations", p->n_allocs, true);
    json_u64(sb, "allocated_bytes", p->alloc_bytes, true);
    json_u64(sb, "peak_bytes", p->peak_bytes, true);
    json_u64(sb, "rows", p->rows, true);
    sb_puts(sb, "\"locks\": {");
    json_u64(sb, "wait_ns", p->lock_wait_ns, true);
    sb_printf(sb, "\"contention_percent\": %.4f, \"sites\": [",
              isfinite(p->lock_contention) ? p->lock_contention : 0.0);
    for (int i = 0; i < p->n_locks; i++) {
        const ProfLock *l = &p->locks[i];
        sb_puts(sb, i ? ", {\"site\": " : "{\"site\": ");
        json_str(sb, l->site);
        sb_puts(sb, ", ");
        json_u64(sb, "acquires", l->acquires, true);
        json_u64(sb, "contended", l->contended, true);
        json_u64(sb, "wait_ns", l->wait_ns, true);
        sb_printf(sb, "\"operator\": %d}", l->op);
    }
    sb_puts(sb, "]}, ");
}

int profile_render_json(const QueryProfile *qp, StrBuf *sb)
{
    const ember_profile *p = &qp->p;
    sb_printf(sb, "{\"version\": %d, \"analyzed\": %s, \"sql\": ",
              EXPLAIN_JSON_VERSION, qp->plan_only ? "false" : "true");
    json_str(sb, p->sql);
    sb_puts(sb, ", ");
    if (!qp->plan_only)
        json_totals(p, sb);
    sb_puts(sb, "\"plan\": ");
    bool root_done = false;
    for (int i = 0; i < p->n_ops && !root_done; i++) {
        if (p->ops[i].id && p->ops[i].parent == 0 && !p->ops[i].subplan) {
            json_op(qp, &p->ops[i], sb);
            root_done = true;
        }
    }
    if (!root_done)
        sb_puts(sb, "null");
    sb_puts(sb, ", \"subplans\": [");
    bool first = true;
    for (int i = 0; i < p->n_ops; i++) {
        if (p->ops[i].id && p->ops[i].parent == 0 && p->ops[i].subplan) {
            if (!first)
                sb_puts(sb, ", ");
            json_op(qp, &p->ops[i], sb);
            first = false;
        }
    }
    sb_puts(sb, "]}\n");
    return sb->failed ? EMBER_NOMEM : EMBER_OK;
}
