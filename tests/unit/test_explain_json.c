/*
 * test_explain_json.c -- EXPLAIN (ANALYZE, FORMAT JSON) on real queries,
 * against its schema (docs/explain-analyze-json.md) and the C API.
 *
 * Queries run through the public API on TPC-H SF 0.01 (CALL dbgen) at 1
 * and 2 threads: TPC-H queries, subqueries (one running per outer row as
 * a subplan), a sort that waits on the combine lock at 2 threads, plain
 * SELECTs and DML profiled with `profiling` on, and with it off. Each
 * JSON document is written to a file and checked by
 * tests/obs/check_explain_json.py (the schema, strictly: exact keys,
 * types, version, times, rows, ids), and parsed here by a small JSON
 * reader to check that it says what ember_stmt_profile says: the same
 * operators in the same tree with the same counters, the same totals and
 * lock sites; ember_profile_text(stmt, 1) must return the same text.
 * Without python3 the schema checks skip with a message; the comparison
 * with the API still runs.
 *
 * Also: EXPLAIN (FORMAT JSON) without ANALYZE (the plan only, compared
 * with the analyzed document of the same query), SQL text that is not
 * UTF-8 (U+FFFD in the document), and EXPLAIN ANALYZE writing the files
 * of profile_output and trace_output.
 */
#include <math.h>

#include "unit.h"

#include "../obs/obs_test.h"

/* ------------------------------------------------------------------------
 * A small JSON reader: enough to walk the documents (strict syntax, no
 * NaN, \u escapes decoded to UTF-8, integers kept exact)
 * ------------------------------------------------------------------------ */

typedef enum JType { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } JType;

typedef struct JVal {
    JType t;
    bool b;
    double num;
    bool is_int; /* digits only: `u` is exact */
    uint64_t u;
    char *s;             /* J_STR */
    int n;               /* J_ARR, J_OBJ */
    char **keys;         /* J_OBJ */
    struct JVal **items; /* J_ARR, J_OBJ values */
} JVal;

typedef struct JParser {
    const char *p;
    const char *start;
    const char *err;
} JParser;

static void jfree(JVal *v)
{
    if (v == NULL)
        return;
    for (int i = 0; i < v->n; i++) {
        if (v->keys)
            free(v->keys[i]);
        jfree(v->items[i]);
    }
    free(v->keys);
    free(v->items);
    free(v->s);
    free(v);
}

static void jws(JParser *jp)
{
    while (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r')
        jp->p++;
}

static void put_utf8(StrBuf *sb, uint32_t c)
{
    if (c < 0x80) {
        sb_putc(sb, (char)c);
    } else if (c < 0x800) {
        sb_putc(sb, (char)(0xc0 | c >> 6));
        sb_putc(sb, (char)(0x80 | (c & 0x3f)));
    } else if (c < 0x10000) {
        sb_putc(sb, (char)(0xe0 | c >> 12));
        sb_putc(sb, (char)(0x80 | ((c >> 6) & 0x3f)));
        sb_putc(sb, (char)(0x80 | (c & 0x3f)));
    } else {
        sb_putc(sb, (char)(0xf0 | c >> 18));
        sb_putc(sb, (char)(0x80 | ((c >> 12) & 0x3f)));
        sb_putc(sb, (char)(0x80 | ((c >> 6) & 0x3f)));
        sb_putc(sb, (char)(0x80 | (c & 0x3f)));
    }
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A string at jp->p (the opening quote); malloc'd, or NULL on error. */
static char *jstring(JParser *jp)
{
    if (*jp->p != '"') {
        jp->err = "expected a string";
        return NULL;
    }
    jp->p++;
    StrBuf sb;
    sb_init(&sb);
    sb_puts(&sb, "");
    for (;;) {
        unsigned char c = (unsigned char)*jp->p;
        if (c == '"') {
            jp->p++;
            break;
        }
        if (c < 0x20) {
            jp->err = c ? "control character in a string" : "open string";
            sb_release(&sb);
            return NULL;
        }
        if (c != '\\') {
            sb_putc(&sb, (char)c);
            jp->p++;
            continue;
        }
        static const char esc[] = "\"\\/bfnrt";
        static const char out[] = "\"\\/\b\f\n\r\t";
        char e = jp->p[1];
        jp->p += 2;
        const char *simple = e ? strchr(esc, e) : NULL;
        if (simple) {
            sb_putc(&sb, out[simple - esc]);
            continue;
        }
        int h = e == 'u' ? hex4(jp->p) : -1;
        if (h < 0) {
            jp->err = "bad escape";
            sb_release(&sb);
            return NULL;
        }
        jp->p += 4;
        uint32_t cp = (uint32_t)h;
        if (cp >= 0xd800 && cp < 0xdc00 && jp->p[0] == '\\' &&
            jp->p[1] == 'u') {
            int lo = hex4(jp->p + 2);
            if (lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (uint32_t)(lo - 0xdc00);
                jp->p += 6;
            }
        }
        put_utf8(&sb, cp);
    }
    char *s = strdup(sb.data ? sb.data : "");
    sb_release(&sb);
    return s;
}

static JVal *jvalue(JParser *jp, int depth);

static JVal *jnew(JType t)
{
    JVal *v = calloc(1, sizeof(JVal));
    assert_non_null(v);
    v->t = t;
    return v;
}

static void jpush(JVal *v, char *key, JVal *item)
{
    v->items = realloc(v->items, sizeof(JVal *) * (size_t)(v->n + 1));
    assert_non_null(v->items);
    if (v->t == J_OBJ) {
        v->keys = realloc(v->keys, sizeof(char *) * (size_t)(v->n + 1));
        assert_non_null(v->keys);
        v->keys[v->n] = key;
    }
    v->items[v->n++] = item;
}

static JVal *jcontainer(JParser *jp, int depth, bool obj)
{
    JVal *v = jnew(obj ? J_OBJ : J_ARR);
    jp->p++;
    jws(jp);
    if (*jp->p == (obj ? '}' : ']')) {
        jp->p++;
        return v;
    }
    for (;;) {
        char *key = NULL;
        jws(jp);
        if (obj) {
            key = jstring(jp);
            jws(jp);
            if (key == NULL || *jp->p != ':') {
                jp->err = jp->err ? jp->err : "expected ':'";
                free(key);
                jfree(v);
                return NULL;
            }
            jp->p++;
        }
        JVal *item = jvalue(jp, depth + 1);
        if (item == NULL) {
            free(key);
            jfree(v);
            return NULL;
        }
        jpush(v, key, item);
        jws(jp);
        if (*jp->p == ',') {
            jp->p++;
            continue;
        }
        if (*jp->p == (obj ? '}' : ']')) {
            jp->p++;
            return v;
        }
        jp->err = "expected ',' or the end of a container";
        jfree(v);
        return NULL;
    }
}

static JVal *jnumber(JParser *jp)
{
    const char *s = jp->p;
    const char *q = s;
    if (*q == '-')
        q++;
    if (!(*q >= '0' && *q <= '9')) {
        jp->err = "unexpected character";
        return NULL;
    }
    while (*q >= '0' && *q <= '9')
        q++;
    bool is_int = *s != '-' && *q != '.' && *q != 'e' && *q != 'E';
    char *end;
    JVal *v = jnew(J_NUM);
    v->num = strtod(s, &end);
    v->is_int = is_int;
    if (is_int)
        v->u = strtoull(s, NULL, 10);
    jp->p = end;
    return v;
}

static JVal *jvalue(JParser *jp, int depth)
{
    jws(jp);
    if (depth > 500) {
        jp->err = "nested too deep";
        return NULL;
    }
    switch (*jp->p) {
    case '{':
        return jcontainer(jp, depth, true);
    case '[':
        return jcontainer(jp, depth, false);
    case '"': {
        char *s = jstring(jp);
        if (s == NULL)
            return NULL;
        JVal *v = jnew(J_STR);
        v->s = s;
        return v;
    }
    case 't':
    case 'f':
    case 'n': {
        static const char *const words[] = {"true", "false", "null"};
        for (int i = 0; i < 3; i++) {
            size_t n = strlen(words[i]);
            if (strncmp(jp->p, words[i], n) == 0) {
                jp->p += n;
                JVal *v = jnew(i == 2 ? J_NULL : J_BOOL);
                v->b = i == 0;
                return v;
            }
        }
        jp->err = "unexpected word";
        return NULL;
    }
    default:
        return jnumber(jp);
    }
}

/* Parse a whole document; fails the test on a syntax error. */
static JVal *jparse(const char *text)
{
    JParser jp = {text, text, NULL};
    JVal *v = jvalue(&jp, 0);
    jws(&jp);
    if (v == NULL || *jp.p != '\0')
        fail_msg("not JSON at byte %d (%s): %.80s", (int)(jp.p - text),
                 jp.err ? jp.err : "trailing text", jp.p);
    return v;
}

/* obj[key], failing when absent. */
static const JVal *jget(const JVal *obj, const char *key)
{
    assert_non_null(obj);
    assert_int_equal(obj->t, J_OBJ);
    for (int i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    fail_msg("no key \"%s\"", key);
    return NULL;
}

static uint64_t ju64(const JVal *obj, const char *key)
{
    const JVal *v = jget(obj, key);
    if (v->t != J_NUM || !v->is_int)
        fail_msg("\"%s\" is not an integer", key);
    return v->u;
}

static double jnum(const JVal *obj, const char *key)
{
    const JVal *v = jget(obj, key);
    if (v->t != J_NUM)
        fail_msg("\"%s\" is not a number", key);
    return v->num;
}

static const char *jstr(const JVal *obj, const char *key)
{
    const JVal *v = jget(obj, key);
    if (v->t != J_STR)
        fail_msg("\"%s\" is not a string", key);
    return v->s;
}

/* ------------------------------------------------------------------------
 * The document against the API's profile
 * ------------------------------------------------------------------------ */

/* Bytes of the valid UTF-8 sequence at s (RFC 3629), 0 if there is none. */
static int utf8_len(const unsigned char *s)
{
    int n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
            : s[0] >= 0xe0 && s[0] <= 0xef ? 3
            : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                           : 0;
    unsigned lo = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80;
    unsigned hi = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;
    if (n == 0 || s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* `s` as the document must carry it: each byte that is not part of valid
 * UTF-8 replaced by U+FFFD. In a static buffer (one at a time). */
static const char *as_utf8(const char *s)
{
    static StrBuf sb;
    sb_clear(&sb);
    sb_puts(&sb, "");
    for (const unsigned char *p = (const unsigned char *)(s ? s : "");
         *p;) {
        int n = *p < 0x80 ? 1 : utf8_len(p);
        if (n == 0) {
            sb_puts(&sb, "\xef\xbf\xbd");
            p++;
        } else {
            sb_append(&sb, (const char *)p, (size_t)n);
            p += n;
        }
    }
    return sb.data;
}

#define assert_field(json_obj, key, api)                                       \
    do {                                                                       \
        uint64_t j_ = ju64(json_obj, key);                                     \
        uint64_t a_ = (uint64_t)(api);                                         \
        if (j_ != a_)                                                          \
            fail_msg("%s: JSON %" PRIu64 " != API %" PRIu64 " (%s)", key, j_,  \
                     a_, #api);                                                \
    } while (0)

/* The plan keys of operator `o` (id in pre-order, `*next`; name, label,
 * detail, SQL line, estimate) against the profile's operator of that id,
 * which must have parent `parent`; returns that operator. `what` names
 * the profile in messages. */
static const ember_profile_op *compare_op_plan(const ember_profile *p,
                                               const JVal *o, int parent,
                                               bool sub, int *next,
                                               const char *what)
{
    int id = (int)ju64(o, "id");
    assert_int_equal(id, *next);
    (*next)++;
    assert_true(id >= 1 && id <= p->n_ops);
    const ember_profile_op *op = &p->ops[id - 1];
    assert_int_equal(op->parent, parent);
    assert_int_equal(!!op->subplan, sub);
    assert_string_equal(jstr(o, "name"), as_utf8(op->name));
    assert_string_equal(jstr(o, "label"), as_utf8(op->label));
    assert_string_equal(jstr(o, "detail"), as_utf8(op->detail));
    assert_field(o, "sql_line", op->sql_line);
    double est = jnum(o, "estimated_rows");
    if (fabs(est - op->est_rows) > 0.05 + 1e-12 * fabs(op->est_rows))
        fail_msg("%s: estimated_rows %.17g != %s %.17g", op->label, est,
                 what, op->est_rows);
    return op;
}

/* Operator `o` of the document and its subtree against p->ops; `*next`
 * is the id pre-order numbering gives it. */
static void compare_op(const ember_profile *p, const JVal *o, int parent,
                       int depth, bool sub, int *next)
{
    const ember_profile_op *op = compare_op_plan(p, o, parent, sub, next,
                                                 "API");
    int id = (int)(op - p->ops) + 1;
    assert_int_equal(op->id, id);
    assert_int_equal(op->depth, depth);
    assert_field(o, "rows", op->rows_out);
    assert_field(o, "rows_in", op->rows_in);
    assert_field(o, "chunks", op->chunks);
    assert_field(o, "time_ns", op->time_ns);
    assert_field(o, "cpu_ns", op->cpu_ns);
    assert_field(o, "cumulative_time_ns", op->cum_time_ns);
    assert_field(o, "build_ns", op->build_ns);
    assert_field(o, "allocations", op->n_allocs);
    assert_field(o, "allocated_bytes", op->alloc_bytes);
    assert_field(o, "memory_bytes", op->mem_bytes);
    assert_field(o, "lock_waits", op->lock_waits);
    assert_field(o, "lock_wait_ns", op->lock_wait_ns);
    assert_field(o, "hash_table_entries", op->ht_entries);
    assert_field(o, "hash_table_capacity", op->ht_capacity);
    const JVal *kids = jget(o, "children");
    assert_int_equal(kids->t, J_ARR);
    int n_kids = 0;
    for (int i = 0; i < p->n_ops; i++)
        n_kids += p->ops[i].parent == id;
    assert_int_equal(kids->n, n_kids);
    for (int i = 0; i < kids->n; i++)
        compare_op(p, kids->items[i], id, depth + 1, sub, next);
}

/* The whole document against the profile. */
static void compare_doc(const char *json, const ember_profile *p)
{
    JVal *doc = jparse(json);
    assert_int_equal(doc->t, J_OBJ);
    assert_field(doc, "version", 3);
    assert_int_equal(jget(doc, "analyzed")->t, J_BOOL);
    assert_true(jget(doc, "analyzed")->b);
    assert_string_equal(jstr(doc, "sql"), as_utf8(p->sql));
    const JVal *ph = jget(doc, "phases_ns");
    assert_field(ph, "parse", p->t_parse_ns);
    assert_field(ph, "bind", p->t_bind_ns);
    assert_field(ph, "optimize", p->t_optimize_ns);
    assert_field(ph, "physical", p->t_physical_ns);
    assert_field(ph, "execute", p->t_exec_ns);
    assert_field(ph, "total", p->t_total_ns);
    assert_field(doc, "threads", p->n_threads);
    assert_field(doc, "thread_ns", p->thread_ns);
    assert_field(doc, "cpu_ns", p->cpu_ns);
    assert_field(doc, "allocations", p->n_allocs);
    assert_field(doc, "allocated_bytes", p->alloc_bytes);
    assert_field(doc, "peak_bytes", p->peak_bytes);
    assert_field(doc, "rows", p->rows);
    const JVal *locks = jget(doc, "locks");
    assert_field(locks, "wait_ns", p->lock_wait_ns);
    double pct = jnum(locks, "contention_percent");
    assert_true(fabs(pct - p->lock_contention) <= 5.1e-5);
    const JVal *sites = jget(locks, "sites");
    assert_int_equal(sites->t, J_ARR);
    assert_int_equal(sites->n, p->n_locks);
    for (int i = 0; i < sites->n; i++) {
        const JVal *s = sites->items[i];
        const ember_profile_lock *l = &p->locks[i];
        assert_string_equal(jstr(s, "site"), as_utf8(l->site));
        assert_field(s, "acquires", l->acquires);
        assert_field(s, "contended", l->contended);
        assert_field(s, "wait_ns", l->wait_ns);
        assert_field(s, "operator", l->op);
    }
    for (int i = 0; i < p->n_ops; i++)
        assert_int_equal(p->ops[i].id, i + 1);
    int next = 1;
    const JVal *plan = jget(doc, "plan");
    if (plan->t != J_NULL)
        compare_op(p, plan, 0, 0, false, &next);
    const JVal *subs = jget(doc, "subplans");
    assert_int_equal(subs->t, J_ARR);
    for (int i = 0; i < subs->n; i++)
        compare_op(p, subs->items[i], 0, 0, true, &next);
    /* every operator of the API is in the document */
    assert_int_equal(next - 1, p->n_ops);
    jfree(doc);
}

/* ------------------------------------------------------------------------
 * Running queries
 * ------------------------------------------------------------------------ */

static ember_db *g_db;
static int g_docs; /* documents written, for file names */

static bool have_python(void)
{
    if (obs_have("python3"))
        return true;
    printf("skip: python3 not on PATH, EXPLAIN JSON not checked against "
           "its schema (tests/obs/check_explain_json.py)\n");
    return false;
}

static void exec_ok(const char *sql)
{
    int rc = ember_exec(g_db, sql, NULL, NULL);
    if (rc != EMBER_OK)
        fail_msg("%s\n  -> %s: %s", sql, ember_status_name(rc),
                 ember_errmsg(g_db));
}

static void set_threads(int n)
{
    char v[16];
    snprintf(v, sizeof(v), "%d", n);
    assert_rc(ember_set(g_db, "threads", v), EMBER_OK);
}

/* Write `json` to a new file named after `tag`; path in buf. */
static const char *write_doc(const char *tag, const char *json, char *buf,
                             size_t cap)
{
    char name[128];
    snprintf(name, sizeof(name), "%03d-%s.json", g_docs++, tag);
    obs_path(buf, cap, name);
    FILE *f = fopen(buf, "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
    return buf;
}

/* Run check_explain_json.py with `args` on `files` (skipped without
 * python3), leaving its output in `out`; fails unless it exits 0. */
static void run_checker(const char *args, const char *files, StrBuf *out)
{
    sb_clear(out);
    sb_puts(out, "");
    if (!obs_have("python3"))
        return;
    char script[512];
    obs_script(script, sizeof(script), "check_explain_json.py");
    StrBuf cmd;
    sb_init(&cmd);
    sb_printf(&cmd, "timeout %d python3 '%s' %s %s", OBS_TOOL_TIMEOUT, script,
              args, files);
    if (obs_run(cmd.data, out) != 0)
        fail_msg("%s:\n%s", cmd.data, out->data);
    sb_release(&cmd);
}

/* Documents written and not yet checked against the schema: one python3
 * run checks them all (starting python3 is the slow part). */
static StrBuf g_pending;
static int g_n_pending;

static void schema_check_later(const char *path)
{
    sb_printf(&g_pending, " '%s'", path);
    g_n_pending++;
}

/* Check the pending documents: each must have its "ok FILE:" line. */
static void schema_check_pending(void)
{
    if (g_n_pending == 0)
        return;
    StrBuf out;
    sb_init(&out);
    run_checker("", g_pending.data, &out);
    if (out.len) {
        int n_ok = 0;
        for (const char *p = out.data; (p = strstr(p, "ok ")) != NULL; p++)
            n_ok += p == out.data || p[-1] == '\n';
        if (n_ok != g_n_pending)
            fail_msg("%d documents, %d valid:\n%s", g_n_pending, n_ok,
                     out.data);
        printf("check_explain_json.py: %d documents valid\n", n_ok);
    }
    sb_clear(&g_pending);
    g_n_pending = 0;
    sb_release(&out);
}

/* What one checked statement gave. */
typedef struct Checked {
    int n_ops;
    int n_subplan_ops;
    uint64_t contended; /* over all lock sites */
    char top_site[64];  /* most waited-on site, or "" */
    int top_site_op;
    uint64_t rows;
} Checked;

/* Check a statement's JSON: schema (python), API, ember_profile_text. */
static Checked check_stmt(ember_stmt *st, const char *json, const char *tag)
{
    char path[400];
    schema_check_later(write_doc(tag, json, path, sizeof(path)));

    const ember_profile *p = NULL;
    assert_rc(ember_stmt_profile(st, &p), EMBER_OK);
    assert_non_null(p);
    compare_doc(json, p);
    const char *again = ember_profile_text(st, 1);
    assert_non_null(again);
    assert_string_equal(again, json);
    /* the text rendering names the same operators */
    const char *text = ember_profile_text(st, 0);
    assert_non_null(text);
    for (int i = 0; i < p->n_ops; i++) {
        char want[160];
        snprintf(want, sizeof(want), "%s#%d", p->ops[i].name, p->ops[i].id);
        assert_contains(text, want);
    }

    Checked c;
    memset(&c, 0, sizeof(c));
    c.n_ops = p->n_ops;
    c.rows = p->rows;
    uint64_t worst = 0;
    for (int i = 0; i < p->n_ops; i++)
        c.n_subplan_ops += p->ops[i].subplan != 0;
    for (int i = 0; i < p->n_locks; i++) {
        c.contended += p->locks[i].contended;
        if (p->locks[i].contended && p->locks[i].wait_ns >= worst) {
            worst = p->locks[i].wait_ns;
            snprintf(c.top_site, sizeof(c.top_site), "%s", p->locks[i].site);
            c.top_site_op = p->locks[i].op;
        }
    }
    return c;
}

/* EXPLAIN (ANALYZE, FORMAT JSON) `query`, checked. */
static Checked explain_json(const char *query, const char *tag)
{
    StrBuf sql;
    sb_init(&sql);
    sb_printf(&sql, "EXPLAIN (ANALYZE, FORMAT JSON) %s", query);
    ember_stmt *st = NULL;
    int rc = ember_prepare(g_db, sql.data, -1, &st, NULL);
    if (rc != EMBER_OK)
        fail_msg("prepare: %s\n  in: %.300s", ember_errmsg(g_db), sql.data);
    rc = ember_step(st);
    if (rc != EMBER_ROW)
        fail_msg("step %s: %s\n  in: %.300s", ember_status_name(rc),
                 ember_errmsg(g_db), sql.data);
    assert_int_equal(ember_column_count(st), 1);
    assert_string_equal(ember_column_name(st, 0), "plan");
    char *json = strdup(ember_column_text(st, 0));
    assert_non_null(json);
    assert_int_equal(ember_step(st), EMBER_DONE);
    size_t n = strlen(json);
    assert_true(n > 2 && json[0] == '{' && json[n - 1] == '\n');
    assert_null(memchr(json, '\n', n - 1)); /* one line */
    Checked c = check_stmt(st, json, tag);
    free(json);
    ember_finalize(st);
    sb_release(&sql);
    return c;
}

/* Run `sql` to the end with `profiling` as given, then check the
 * statement's JSON from ember_profile_text. */
static Checked profiled_json(const char *sql, const char *tag,
                             uint64_t *rows_seen)
{
    ember_stmt *st = NULL;
    int rc = ember_prepare(g_db, sql, -1, &st, NULL);
    if (rc != EMBER_OK)
        fail_msg("prepare: %s\n  in: %.300s", ember_errmsg(g_db), sql);
    uint64_t n = 0;
    while ((rc = ember_step(st)) == EMBER_ROW)
        n++;
    if (rc != EMBER_DONE)
        fail_msg("step %s: %s\n  in: %.300s", ember_status_name(rc),
                 ember_errmsg(g_db), sql);
    const char *json = ember_profile_text(st, 1);
    assert_non_null(json);
    char *copy = strdup(json);
    Checked c = check_stmt(st, copy, tag);
    free(copy);
    ember_finalize(st);
    if (rows_seen)
        *rows_seen = n;
    return c;
}

/* Operator `o` of a plan-only document and its subtree against the
 * profile of the same query analyzed: the same tree, names, details,
 * lines and estimates, and exactly the plan-only keys; `*next` is the id
 * pre-order numbering gives it. */
static void compare_plan_op(const ember_profile *p, const JVal *o,
                            int parent, bool sub, int *next)
{
    static const char *const keys[] = {"id", "name", "label", "detail",
                                       "sql_line", "estimated_rows",
                                       "children"};
    assert_int_equal(o->t, J_OBJ);
    assert_int_equal(o->n, (int)ARRAY_LEN(keys));
    for (size_t k = 0; k < ARRAY_LEN(keys); k++)
        assert_string_equal(o->keys[k], keys[k]);
    const ember_profile_op *op = compare_op_plan(p, o, parent, sub, next,
                                                 "analyzed");
    int id = (int)(op - p->ops) + 1;
    const JVal *kids = jget(o, "children");
    assert_int_equal(kids->t, J_ARR);
    for (int i = 0; i < kids->n; i++)
        compare_plan_op(p, kids->items[i], id, sub, next);
}

/* EXPLAIN (FORMAT JSON) `query`: one line, checked against the schema
 * and against the profile of EXPLAIN (ANALYZE, FORMAT JSON) `query`.
 * Returns its number of operators. */
static int plan_json(const char *query, const char *tag)
{
    StrBuf sql;
    sb_init(&sql);
    sb_printf(&sql, "EXPLAIN (FORMAT JSON) %s", query);
    ember_stmt *st = NULL;
    int rc = ember_prepare(g_db, sql.data, -1, &st, NULL);
    if (rc != EMBER_OK)
        fail_msg("prepare: %s\n  in: %.300s", ember_errmsg(g_db), sql.data);
    assert_rc(ember_step(st), EMBER_ROW);
    assert_string_equal(ember_column_name(st, 0), "plan");
    char *json = strdup(ember_column_text(st, 0));
    assert_non_null(json);
    assert_rc(ember_step(st), EMBER_DONE);
    /* nothing ran */
    const ember_profile *p = NULL;
    assert_rc(ember_stmt_profile(st, &p), EMBER_MISUSE);
    ember_finalize(st);
    size_t n = strlen(json);
    assert_true(n > 2 && json[0] == '{' && json[n - 1] == '\n');
    assert_null(memchr(json, '\n', n - 1));
    char path[400];
    schema_check_later(write_doc(tag, json, path, sizeof(path)));

    JVal *doc = jparse(json);
    static const char *const top[] = {"version", "analyzed", "sql", "plan",
                                      "subplans"};
    assert_int_equal(doc->n, (int)ARRAY_LEN(top));
    for (size_t k = 0; k < ARRAY_LEN(top); k++)
        assert_string_equal(doc->keys[k], top[k]);
    assert_field(doc, "version", 3);
    assert_int_equal(jget(doc, "analyzed")->t, J_BOOL);
    assert_false(jget(doc, "analyzed")->b);
    assert_string_equal(jstr(doc, "sql"), as_utf8(sql.data));

    /* the same query analyzed */
    sb_clear(&sql);
    sb_printf(&sql, "EXPLAIN (ANALYZE, FORMAT JSON) %s", query);
    assert_rc(ember_prepare(g_db, sql.data, -1, &st, NULL), EMBER_OK);
    assert_rc(ember_step(st), EMBER_ROW);
    assert_rc(ember_stmt_profile(st, &p), EMBER_OK);
    int next = 1;
    const JVal *plan = jget(doc, "plan");
    if (plan->t != J_NULL)
        compare_plan_op(p, plan, 0, false, &next);
    const JVal *subs = jget(doc, "subplans");
    assert_int_equal(subs->t, J_ARR);
    for (int i = 0; i < subs->n; i++)
        compare_plan_op(p, subs->items[i], 0, true, &next);
    assert_int_equal(next - 1, p->n_ops);
    ember_finalize(st);
    jfree(doc);
    free(json);
    sb_release(&sql);
    return next - 1;
}

/* ------------------------------------------------------------------------
 * Queries (the same as check_explain_json.py --run uses)
 * ------------------------------------------------------------------------ */

typedef struct Query {
    const char *tag;
    const char *sql;
} Query;

static const Query TPCH[] = {
    {"q01", "SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty,\n"
            "    sum(l_extendedprice) AS sum_base_price,\n"
            "    sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,\n"
            "    sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS "
            "sum_charge,\n"
            "    avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS "
            "avg_price,\n"
            "    avg(l_discount) AS avg_disc, count(*) AS count_order\n"
            "FROM lineitem\n"
            "WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY\n"
            "GROUP BY l_returnflag, l_linestatus\n"
            "ORDER BY l_returnflag, l_linestatus"},
    {"q03", "SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS "
            "revenue,\n"
            "    o_orderdate, o_shippriority\n"
            "FROM customer, orders, lineitem\n"
            "WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey\n"
            "    AND l_orderkey = o_orderkey AND o_orderdate < DATE "
            "'1995-03-15'\n"
            "    AND l_shipdate > DATE '1995-03-15'\n"
            "GROUP BY l_orderkey, o_orderdate, o_shippriority\n"
            "ORDER BY revenue DESC, o_orderdate\n"
            "LIMIT 10"},
    {"q05", "SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS "
            "revenue\n"
            "FROM customer, orders, lineitem, supplier, nation, region\n"
            "WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey\n"
            "    AND l_suppkey = s_suppkey AND c_nationkey = s_nationkey\n"
            "    AND s_nationkey = n_nationkey AND n_regionkey = "
            "r_regionkey\n"
            "    AND r_name = 'ASIA' AND o_orderdate >= DATE '1994-01-01'\n"
            "    AND o_orderdate < DATE '1994-01-01' + INTERVAL '1' YEAR\n"
            "GROUP BY n_name\n"
            "ORDER BY revenue DESC"},
    {"q06", "SELECT sum(l_extendedprice * l_discount) AS revenue\n"
            "FROM lineitem\n"
            "WHERE l_shipdate >= DATE '1994-01-01'\n"
            "    AND l_shipdate < DATE '1994-01-01' + INTERVAL '1' YEAR\n"
            "    AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01\n"
            "    AND l_quantity < 24"},
    {"q10", "SELECT c_custkey, c_name, sum(l_extendedprice * (1 - "
            "l_discount)) AS revenue,\n"
            "    c_acctbal, n_name, c_address, c_phone, c_comment\n"
            "FROM customer, orders, lineitem, nation\n"
            "WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey\n"
            "    AND o_orderdate >= DATE '1993-10-01'\n"
            "    AND o_orderdate < DATE '1993-10-01' + INTERVAL '3' MONTH\n"
            "    AND l_returnflag = 'R' AND c_nationkey = n_nationkey\n"
            "GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, "
            "c_address, c_comment\n"
            "ORDER BY revenue DESC\n"
            "LIMIT 20"},
    {"q13", "SELECT c_count, count(*) AS custdist\n"
            "FROM (SELECT c_custkey, count(o_orderkey) AS c_count\n"
            "      FROM customer LEFT OUTER JOIN orders ON c_custkey = "
            "o_custkey\n"
            "          AND o_comment NOT LIKE '%special%requests%'\n"
            "      GROUP BY c_custkey) AS c_orders\n"
            "GROUP BY c_count\n"
            "ORDER BY custdist DESC, c_count DESC"},
    {"q18", "SELECT c_name, c_custkey, o_orderkey, o_orderdate, "
            "o_totalprice,\n"
            "    sum(l_quantity)\n"
            "FROM customer, orders, lineitem\n"
            "WHERE o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY "
            "l_orderkey\n"
            "                     HAVING sum(l_quantity) > 300)\n"
            "    AND c_custkey = o_custkey AND o_orderkey = l_orderkey\n"
            "GROUP BY c_name, c_custkey, o_orderkey, o_orderdate, "
            "o_totalprice\n"
            "ORDER BY o_totalprice DESC, o_orderdate\n"
            "LIMIT 100"},
    {"q22", "SELECT cntrycode, count(*) AS numcust, sum(c_acctbal) AS "
            "totacctbal\n"
            "FROM (SELECT substring(c_phone FROM 1 FOR 2) AS cntrycode, "
            "c_acctbal\n"
            "      FROM customer\n"
            "      WHERE substring(c_phone FROM 1 FOR 2)\n"
            "              IN ('13', '31', '23', '29', '30', '18', '17')\n"
            "        AND c_acctbal > (SELECT avg(c_acctbal) FROM customer\n"
            "                         WHERE c_acctbal > 0.00\n"
            "                           AND substring(c_phone FROM 1 FOR "
            "2)\n"
            "                               IN ('13', '31', '23', '29', "
            "'30', '18', '17'))\n"
            "        AND NOT EXISTS (SELECT * FROM orders WHERE o_custkey = "
            "c_custkey)\n"
            "      ) AS custsale\n"
            "GROUP BY cntrycode\n"
            "ORDER BY cntrycode"},
};

/* TPC-H answers at SF 0.01 (rows returned), as a sanity check that the
 * plan really ran. */
static const uint64_t TPCH_ROWS[] = {4, 10, 5, 1, 20, 24, 1, 7};

static const char *const SUBPLAN_PER_ROW =
    "SELECT n_name,\n"
    "    (SELECT count(*) FROM customer\n"
    "     WHERE c_nationkey = n_nationkey AND c_acctbal > n_nationkey * "
    "100) AS rich\n"
    "FROM nation\n"
    "ORDER BY n_name";

static const Query SUBQUERIES[] = {
    {"correlated_unnested",
     "SELECT c_name FROM customer c\n"
     "WHERE c_acctbal > (SELECT avg(c_acctbal) FROM customer c2\n"
     "                   WHERE c2.c_nationkey = c.c_nationkey)"},
    {"exists_limit",
     "SELECT o_orderkey FROM orders o\n"
     "WHERE EXISTS (SELECT 1 FROM lineitem l\n"
     "              WHERE l.l_orderkey = o.o_orderkey AND l_quantity > 49)\n"
     "LIMIT 5"},
    {"in_union", "SELECT n_name FROM nation\n"
                 "WHERE n_nationkey IN (SELECT s_nationkey FROM supplier "
                 "WHERE s_acctbal > 9000)\n"
                 "UNION ALL SELECT r_name FROM region"},
};

/* A query returning many rows with long strings: each thread collects
 * its result rows, then appends them to the query's result under the
 * combine lock ("sink.combine"), copying every string; at 2 threads the
 * thread that finishes second usually waits while the first copies. */
static const char *const LOCK_SETUP =
    "CREATE TABLE lw_d(n INTEGER);\n"
    "INSERT INTO lw_d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);\n"
    "CREATE TABLE lw_s AS SELECT i, repeat('x', 60) || CAST(i AS VARCHAR) "
    "AS s\n"
    "  FROM (SELECT g.n * 100000 + a.n * 10000 + b.n * 1000 + c.n * 100\n"
    "               + e.n * 10 + f.n AS i\n"
    "        FROM lw_d a, lw_d b, lw_d c, lw_d e, lw_d f, lw_d g) t";
static const char *const LOCK_QUERY = "SELECT i, s FROM lw_s WHERE i % 3 = 0";
#define LOCK_TRIES 8

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

static int setup(void **state)
{
    sb_init(&g_pending);
    sb_puts(&g_pending, "");
    if (obs_setup_dir(state) != 0)
        return -1;
    if (ember_open(NULL, &g_db) != EMBER_OK)
        return -1;
    return ember_exec(g_db, "CALL dbgen(sf => 0.01)", NULL, NULL) == EMBER_OK
               ? 0
               : -1;
}

static int teardown(void **state)
{
    ember_close(g_db);
    g_db = NULL;
    sb_release(&g_pending);
    return obs_remove_dir(state);
}

static void test_tpch(void **state)
{
    have_python();
    for (int threads = 1; threads <= 2; threads++) {
        set_threads(threads);
        for (size_t i = 0; i < ARRAY_LEN(TPCH); i++) {
            char tag[64];
            snprintf(tag, sizeof(tag), "tpch_%s_t%d", TPCH[i].tag, threads);
            Checked c = explain_json(TPCH[i].sql, tag);
            if (c.rows != TPCH_ROWS[i])
                fail_msg("%s: %" PRIu64 " rows, expected %" PRIu64, tag, c.rows,
                         TPCH_ROWS[i]);
            assert_true(c.n_ops >= 3);
        }
    }
    /* Q22's scalar subquery is a subplan */
    Checked c = explain_json(TPCH[7].sql, "tpch_q22_subplan");
    assert_true(c.n_subplan_ops > 0);
    schema_check_pending();
}

static void test_subqueries(void **state)
{
    set_threads(2);
    Checked c = explain_json(SUBPLAN_PER_ROW, "subplan_per_row");
    assert_true(c.n_subplan_ops > 0);
    assert_i64_equal(c.rows, 25);
    for (size_t i = 0; i < ARRAY_LEN(SUBQUERIES); i++)
        explain_json(SUBQUERIES[i].sql, SUBQUERIES[i].tag);
    schema_check_pending();
}

static void test_lock_wait(void **state)
{
    set_threads(2);
    exec_ok(LOCK_SETUP);
    Checked c;
    memset(&c, 0, sizeof(c));
    int tries = 0;
    while (tries < LOCK_TRIES && c.contended == 0) {
        char tag[32];
        snprintf(tag, sizeof(tag), "lock_wait_%d", tries++);
        c = explain_json(LOCK_QUERY, tag);
    }
    exec_ok("DROP TABLE lw_s; DROP TABLE lw_d");
    schema_check_pending();
    if (c.contended == 0) {
        printf("skip: no lock wait in %d runs at 2 threads (machine too "
               "busy to overlap the threads?); documents without waits "
               "were checked\n",
               LOCK_TRIES);
        return;
    }
    printf("lock wait after %d run(s): site %s, operator %d\n", tries,
           c.top_site, c.top_site_op);
    assert_string_equal(c.top_site, "sink.combine");
    assert_i64_equal(c.rows, 333334);
}

/* A SELECT run with `profiling` on (and off): the API's JSON. */
static void test_profiling_setting(void **state)
{
    set_threads(2);
    assert_rc(ember_set(g_db, "profiling", "on"), EMBER_OK);
    uint64_t seen = 0;
    Checked c = profiled_json(TPCH[2].sql, "profiling_on_q05", &seen);
    assert_i64_equal(c.rows, seen);
    assert_i64_equal(seen, 5);
    c = profiled_json(SUBPLAN_PER_ROW, "profiling_on_subplan", &seen);
    assert_i64_equal(c.rows, 25);
    assert_true(c.n_subplan_ops > 0);
    assert_rc(ember_set(g_db, "profiling", "off"), EMBER_OK);
    c = profiled_json(TPCH[0].sql, "profiling_off_q01", &seen);
    assert_i64_equal(seen, 4);
    /* without profiling there are rows but no clocks */
    ember_stmt *st = NULL;
    assert_rc(ember_prepare(g_db, TPCH[0].sql, -1, &st, NULL), EMBER_OK);
    while (ember_step(st) == EMBER_ROW)
        ;
    const ember_profile *p = NULL;
    assert_rc(ember_stmt_profile(st, &p), EMBER_OK);
    assert_true(p->ops[0].rows_out == 4);
    for (int i = 0; i < p->n_ops; i++)
        assert_i64_equal(p->ops[i].time_ns, 0);
    ember_finalize(st);
    schema_check_pending();
}

/* INSERT, UPDATE, DELETE profiled: "rows" is the rows changed. */
static void test_dml(void **state)
{
    set_threads(2);
    exec_ok("CREATE TABLE ej_t AS SELECT n_nationkey AS k, n_name AS v "
            "FROM nation");
    assert_rc(ember_set(g_db, "profiling", "on"), EMBER_OK);
    Checked c = profiled_json("INSERT INTO ej_t SELECT k + 100, v FROM ej_t",
                              "dml_insert", NULL);
    assert_i64_equal(c.rows, 25);
    c = profiled_json("UPDATE ej_t SET v = 'x' WHERE k < 10", "dml_update",
                      NULL);
    assert_i64_equal(c.rows, ember_changes(g_db));
    c = profiled_json("DELETE FROM ej_t WHERE k >= 100", "dml_delete", NULL);
    assert_i64_equal(c.rows, 25);
    assert_rc(ember_set(g_db, "profiling", "off"), EMBER_OK);
    /* under EXPLAIN ANALYZE the change is computed, not applied */
    explain_json("DELETE FROM ej_t WHERE k < 5", "explain_delete");
    ember_stmt *st = NULL;
    assert_rc(ember_prepare(g_db, "SELECT count(*) FROM ej_t", -1, &st, NULL),
              EMBER_OK);
    assert_rc(ember_step(st), EMBER_ROW);
    assert_i64_equal(ember_column_int64(st, 0), 25);
    ember_finalize(st);
    exec_ok("DROP TABLE ej_t");
    schema_check_pending();
}

/* The checker rejects broken variants of a real document. */
static void test_checker_rejects(void **state)
{
    if (!have_python())
        skip();
    set_threads(2);
    explain_json(TPCH[2].sql, "self_test_q05");
    schema_check_pending();
    char path[400];
    char name[64];
    snprintf(name, sizeof(name), "%03d-self_test_q05.json", g_docs - 1);
    obs_path(path, sizeof(path), name);
    char quoted[420];
    snprintf(quoted, sizeof(quoted), "'%s'", path);
    StrBuf out;
    sb_init(&out);
    run_checker("--self-test", quoted, &out);
    printf("%s", out.data);
    assert_contains(out.data, "ok self-test:");
    sb_release(&out);
}

/* Regression: bytes that are not UTF-8 in the SQL text (and so in an
 * operator's detail) were copied into the JSON as they were, so the
 * document was not JSON (which must be UTF-8); each such byte is now
 * U+FFFD, as the trace writer does. */
static void test_json_invalid_utf8(void **state)
{
    set_threads(1);
    /* a lone byte, a truncated sequence, an encoded surrogate, an overlong
     * form, then valid 2-, 3- and 4-byte sequences */
    const char *q = "SELECT 'a\xff" "b' AS \"x\xe2\x82\", '\xed\xa0\x80', "
                    "'\xc0\xaf', '\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'";
    explain_json(q, "bad_utf8");
    plan_json(q, "bad_utf8_plan");
    schema_check_pending();
    /* the replacement, byte for byte, in the document's "sql" */
    ember_stmt *st = NULL;
    StrBuf sql;
    sb_init(&sql);
    sb_printf(&sql, "EXPLAIN (ANALYZE, FORMAT JSON) %s", q);
    assert_rc(ember_prepare(g_db, sql.data, -1, &st, NULL), EMBER_OK);
    assert_rc(ember_step(st), EMBER_ROW);
    JVal *doc = jparse(ember_column_text(st, 0));
    assert_string_equal(jstr(doc, "sql"),
                        "EXPLAIN (ANALYZE, FORMAT JSON) SELECT "
                        "'a\xef\xbf\xbd" "b' AS \"x\xef\xbf\xbd\xef\xbf\xbd\", "
                        "'\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd', "
                        "'\xef\xbf\xbd\xef\xbf\xbd', "
                        "'\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'");
    jfree(doc);
    ember_finalize(st);
    sb_release(&sql);
}

/* EXPLAIN (FORMAT JSON) without ANALYZE: the plan only ("analyzed":
 * false, no runtime keys), the same operators, names, details, lines and
 * estimates as EXPLAIN (ANALYZE, FORMAT JSON) of the same query, and
 * nothing run: no profile on the statement. */
static void test_plan_json(void **state)
{
    set_threads(2);
    for (size_t i = 0; i < ARRAY_LEN(TPCH); i++) {
        char tag[64];
        snprintf(tag, sizeof(tag), "plan_tpch_%s", TPCH[i].tag);
        assert_true(plan_json(TPCH[i].sql, tag) >= 3);
    }
    assert_true(plan_json(SUBPLAN_PER_ROW, "plan_subplan_per_row") >= 3);
    for (size_t i = 0; i < ARRAY_LEN(SUBQUERIES); i++)
        plan_json(SUBQUERIES[i].sql, SUBQUERIES[i].tag);
    /* DML: planned, not applied */
    exec_ok("CREATE TABLE pj_t AS SELECT n_nationkey AS k FROM nation");
    plan_json("DELETE FROM pj_t WHERE k < 5", "plan_delete");
    plan_json("INSERT INTO pj_t SELECT k + 100 FROM pj_t", "plan_insert");
    ember_stmt *st = NULL;
    assert_rc(ember_prepare(g_db, "SELECT count(*) FROM pj_t", -1, &st, NULL),
              EMBER_OK);
    assert_rc(ember_step(st), EMBER_ROW);
    assert_i64_equal(ember_column_int64(st, 0), 25);
    ember_finalize(st);
    exec_ok("DROP TABLE pj_t");
    /* FORMAT TEXT (the default) is still the text plan */
    assert_rc(ember_prepare(g_db, "EXPLAIN SELECT count(*) FROM nation", -1,
                            &st, NULL),
              EMBER_OK);
    assert_rc(ember_step(st), EMBER_ROW);
    assert_true(ember_column_text(st, 0)[0] != '{');
    ember_finalize(st);
    schema_check_pending();
}

/* Regression: EXPLAIN ANALYZE runs the query but did not write the files
 * that profile_output and trace_output ask for (a plain run does); it now
 * writes the same set. EXPLAIN without ANALYZE runs nothing and writes
 * nothing. */
static void test_explain_analyze_writes_files(void **state)
{
    set_threads(2);
    char prof[300], cont[300], sqlf[300], trace[300];
    obs_path(prof, sizeof(prof), "ea.pb.gz");
    obs_path(cont, sizeof(cont), "ea.contention.pb.gz");
    obs_path(sqlf, sizeof(sqlf), "ea.sql");
    obs_path(trace, sizeof(trace), "ea_trace.json");
    static const char *const stmts[] = {
        "EXPLAIN ANALYZE SELECT n_name, count(*) FROM nation, region "
        "WHERE n_regionkey = r_regionkey GROUP BY 1",
        "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM lineitem "
        "WHERE l_quantity < 10",
        "EXPLAIN ANALYZE DELETE FROM nation WHERE n_nationkey < 3",
        "SELECT count(*) FROM nation", /* a plain run, for comparison */
    };
    assert_rc(ember_set(g_db, "profile_output", prof), EMBER_OK);
    assert_rc(ember_set(g_db, "trace_output", trace), EMBER_OK);
    for (size_t i = 0; i < ARRAY_LEN(stmts); i++) {
        const char *paths[] = {prof, cont, sqlf, trace};
        for (size_t k = 0; k < ARRAY_LEN(paths); k++)
            unlink(paths[k]);
        ember_stmt *st = NULL;
        assert_rc(ember_prepare(g_db, stmts[i], -1, &st, NULL), EMBER_OK);
        int rc;
        while ((rc = ember_step(st)) == EMBER_ROW)
            ;
        assert_rc(rc, EMBER_DONE);
        ember_finalize(st);
        for (size_t k = 0; k < ARRAY_LEN(paths); k++)
            if (obs_file_size(paths[k]) <= 0)
                fail_msg("%s: no %s", stmts[i], paths[k]);
        /* the profile is gzip; the statement text is next to it */
        FILE *f = fopen(prof, "rb");
        assert_non_null(f);
        unsigned char magic[2] = {0, 0};
        assert_int_equal(fread(magic, 1, 2, f), 2);
        fclose(f);
        assert_true(magic[0] == 0x1f && magic[1] == 0x8b);
        char text[512] = {0};
        f = fopen(sqlf, "r");
        assert_non_null(f);
        size_t n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
        text[n] = 0;
        assert_true(n > 0 && text[n - 1] == '\n');
        text[n - 1] = 0;
        assert_string_equal(text, stmts[i]);
        /* the trace is a valid Chrome trace of the query's operators */
        if (obs_have("python3")) {
            char script[512];
            obs_script(script, sizeof(script), "check_trace.py");
            StrBuf cmd, out;
            sb_init(&cmd);
            sb_init(&out);
            sb_printf(&cmd, "timeout %d python3 '%s' '%s'", OBS_TOOL_TIMEOUT,
                      script, trace);
            if (obs_run(cmd.data, &out) != 0)
                fail_msg("%s:\n%s", cmd.data, out.data);
            assert_contains(out.data, "#1");
            sb_release(&cmd);
            sb_release(&out);
        }
    }
    /* without ANALYZE nothing runs and nothing is written */
    unlink(prof);
    unlink(trace);
    exec_ok("EXPLAIN SELECT count(*) FROM nation;"
            "EXPLAIN (FORMAT JSON) SELECT count(*) FROM nation");
    assert_true(obs_file_size(prof) < 0 && obs_file_size(trace) < 0);
    assert_rc(ember_set(g_db, "profile_output", ""), EMBER_OK);
    assert_rc(ember_set(g_db, "trace_output", ""), EMBER_OK);
    /* EXPLAIN ANALYZE DELETE computed the change but did not apply it */
    ember_stmt *st = NULL;
    assert_rc(ember_prepare(g_db, "SELECT count(*) FROM nation", -1, &st,
                            NULL),
              EMBER_OK);
    assert_rc(ember_step(st), EMBER_ROW);
    assert_i64_equal(ember_column_int64(st, 0), 25);
    ember_finalize(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tpch),
        cmocka_unit_test(test_subqueries),
        cmocka_unit_test(test_lock_wait),
        cmocka_unit_test(test_profiling_setting),
        cmocka_unit_test(test_dml),
        cmocka_unit_test(test_checker_rejects),
        cmocka_unit_test(test_json_invalid_utf8),
        cmocka_unit_test(test_plan_json),
        cmocka_unit_test(test_explain_analyze_writes_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
