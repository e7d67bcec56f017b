/*
 * test_trace.c -- the Chrome trace writer (obs/trace.c).
 *
 * A synthetic profile with spans on threads 0..2 (a pipeline batch
 * holding operator spans, a build span), a lock-wait track, memory
 * counters, and names that need JSON escaping, is written and then read
 * by tests/obs/check_trace.py (python3's json module): the file must be
 * JSON, every event must carry the fields its phase needs, and the spans
 * on each thread must nest. The test then matches the checker's listing:
 * thread names, synthesized phases, exact microsecond times, escapes.
 * Without python3 those checks skip with a message.
 */
#include "unit.h"

#include "../obs/obs_test.h"
#include "obs/obs_int.h"

#define US 1000ull
#define MS 1000000ull

static const char *const SQL = "SELECT \"weird\\name\"\n\tFROM t";

/* A name with a quote, a backslash, control characters, a byte that is
 * never UTF-8, a valid two-byte character and a truncated three-byte one. */
static const char WEIRD[] = "weird \"q\" \\ \x01\t bad\xff \xc3\xa9 \xe2\x82";
/* As written (UTF-8 kept as it is) and as json.dumps prints it. */
static const char WEIRD_FILE[] =
    "\"weird \\\"q\\\" \\\\ \\u0001\\t bad\\ufffd \xc3\xa9 \\ufffd\\ufffd\"";
static const char WEIRD_JSON[] =
    "\"weird \\\"q\\\" \\\\ \\u0001\\t bad\\ufffd \\u00e9 \\ufffd\\ufffd\"";

static TraceEvent g_events[32];

static TraceEvent span(int tid, const char *name, const char *cat, uint64_t ts,
                       uint64_t dur, uint64_t rows, uint64_t chunks)
{
    TraceEvent ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = TRACE_SPAN;
    ev.tid = tid;
    ev.name = name;
    ev.cat = cat;
    ev.ts_ns = ts;
    ev.dur_ns = dur;
    ev.rows = rows;
    ev.chunks = chunks;
    return ev;
}

static TraceEvent counter(int tid, uint64_t ts, int64_t value)
{
    TraceEvent ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = TRACE_COUNTER;
    ev.tid = tid;
    ev.name = "memory";
    ev.cat = "memory";
    ev.ts_ns = ts;
    ev.value = value;
    return ev;
}

/* Phases take 1 ms before execution (10 ms); events are from the query
 * start, so they fall inside the "execute" phase on thread 0. */
static QueryProfile make_profile(void)
{
    int n = 0;
    g_events[n++] = span(0, "pipeline 1", "batch", 1500 * US, 3 * MS, 0, 32);
    g_events[n++] =
        span(0, "Scan#3", "operator", 1500 * US, 1500 * US, 6000, 32);
    g_events[n++] = span(0, "HashJoin#2", "operator", 3 * MS, 1 * MS, 100, 32);
    g_events[n++] = counter(0, 4500 * US, 4096);
    g_events[n++] =
        span(0, "HashJoin#2 build", "operator", 9 * MS, 1 * MS, 0, 0);
    g_events[n++] = span(1, "pipeline 1", "batch", 1200 * US, 3800 * US, 0, 7);
    g_events[n++] = span(1, "Scan#3", "operator", 1200 * US, 2 * MS, 1000, 7);
    g_events[n++] = span(1, "Filter#5", "operator", 3200 * US, 1234567, 10, 7);
    g_events[n++] = counter(1, 5 * MS, 8192);
    g_events[n++] =
        span(1001, "sink.combine", "lock", 4900 * US, 100 * US, 0, 0);
    g_events[n++] = span(2, "pipeline 2", "batch", 2 * MS, 6 * MS, 0, 3);
    g_events[n++] = span(2, "Scan#4", "operator", 2 * MS, 4 * MS, 150, 3);
    g_events[n++] = span(2, WEIRD, "operator", 6 * MS, 1 * MS, 0, 0);
    g_events[n++] = counter(2, 8 * MS, 0);

    QueryProfile qp;
    memset(&qp, 0, sizeof(qp));
    qp.p.sql = SQL;
    qp.p.start_unix_ns = 1700000000000000000ull;
    qp.p.t_parse_ns = 100 * US;
    qp.p.t_bind_ns = 200 * US;
    qp.p.t_optimize_ns = 300 * US;
    qp.p.t_physical_ns = 400 * US;
    qp.p.t_exec_ns = 10 * MS;
    qp.p.t_total_ns = 11 * MS;
    qp.p.n_threads = 3;
    qp.p.lock_wait_ns = 100 * US;
    qp.p.lock_contention = 0.5;
    qp.p.rows = 100;
    qp.events = g_events;
    qp.n_events = n;
    qp.n_tids = 4;
    return qp;
}

static bool have_python(void)
{
    if (obs_have("python3"))
        return true;
    printf("skip: python3 not on PATH, trace JSON not validated\n");
    return false;
}

/* Run the checker on `file` into `out`; returns its exit status. */
static int check(const char *file, StrBuf *out)
{
    char script[512], cmd[2048];
    obs_script(script, sizeof(script), "check_trace.py");
    snprintf(cmd, sizeof(cmd), "timeout %d python3 '%s' '%s'", OBS_TOOL_TIMEOUT,
             script, file);
    return obs_run(cmd, out);
}

static void check_ok(const char *file, StrBuf *out)
{
    if (check(file, out) != 0)
        fail_msg("check_trace.py %s:\n%s", file, out->data);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    StrBuf sb;
    sb_init(&sb);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        sb_append(&sb, buf, n);
    fclose(f);
    return sb_take(&sb);
}

static void test_trace_valid(void **state)
{
    QueryProfile qp = make_profile();
    char path[300];
    Err err;
    err_clear(&err);
    assert_rc(trace_write(&qp, obs_path(path, sizeof(path), "t.json"), &err),
              EMBER_OK);

    /* The text itself: exact microseconds, the display unit. */
    char *text = read_text(path);
    assert_true(strncmp(text, "{\"traceEvents\":[", 16) == 0);
    assert_contains(text, "\"displayTimeUnit\":\"ms\"");
    assert_contains(text, "\"ts\":3200.000,\"dur\":1234.567");
    assert_contains(text, "\"ph\":\"C\",\"pid\":1,\"tid\":1,\"ts\":5000.000,"
                          "\"id\":\"worker 1\",\"args\":{\"bytes\":8192}}");
    assert_contains(text, WEIRD_FILE);
    mem_free(text);

    if (!have_python())
        skip();
    StrBuf out;
    sb_init(&out);
    check_ok(path, &out);
    assert_contains(out.data, "\nok 28 events, 16 spans, 3 counters, 4 tids");
    assert_contains(out.data, "thread 0 main\n");
    assert_contains(out.data, "thread 1 worker 1\n");
    assert_contains(out.data, "thread 2 worker 2\n");
    assert_contains(out.data, "thread 1001 worker 1 locks\n");
    /* Phases laid end to end on thread 0 from 0. */
    assert_contains(out.data, "span 0 0 100000 \"parse\"\n");
    assert_contains(out.data, "span 0 100000 200000 \"bind\"\n");
    assert_contains(out.data, "span 0 300000 300000 \"optimize\"\n");
    assert_contains(out.data, "span 0 600000 400000 \"physical\"\n");
    assert_contains(out.data, "span 0 1000000 10000000 \"execute\"\n");
    assert_contains(out.data, "span 1 3200000 1234567 \"Filter#5\"\n");
    assert_contains(out.data, "span 1001 4900000 100000 \"sink.combine\"\n");
    assert_contains(out.data, "span 2 6000000 1000000 ");
    assert_contains(out.data, WEIRD_JSON);
    assert_contains(out.data, "counter 0 \"memory\" {\"bytes\": 4096}\n");
    assert_contains(out.data, "counter 2 \"memory\" {\"bytes\": 0}\n");
    assert_contains(out.data,
                    "\"sql\": \"SELECT \\\"weird\\\\name\\\"\\n\\tFROM t\"");
    assert_contains(out.data, "\"total_ns\": 11000000");
    assert_contains(out.data, "\"lock_contention_pct\": 0.5");
    sb_release(&out);
}

/* Every byte value, and UTF-8 edge cases: the file stays valid UTF-8
 * JSON; valid sequences survive, invalid ones become U+FFFD. */
static void test_escape_all_bytes(void **state)
{
    char name[400];
    size_t n = 0;
    for (int c = 1; c < 256; c++)
        name[n++] = (char)c;
    static const char edges[] = "|\xf0\x9f\x98\x80"    /* U+1F600 */
                                "|\xed\xa0\x80"        /* a surrogate */
                                "|\xe0\x80\x80"        /* overlong */
                                "|\xf4\x90\x80\x80"    /* > U+10FFFF */
                                "|\xc0\xaf|\xf8|\xc3"; /* bad lead, cut */
    memcpy(name + n, edges, sizeof(edges));
    QueryProfile qp = make_profile();
    TraceEvent ev = span(0, name, name, 2 * MS, 1 * MS, 0, 0);
    qp.events = &ev;
    qp.n_events = 1;
    qp.p.sql = name;
    char path[300];
    Err err;
    err_clear(&err);
    assert_rc(
        trace_write(&qp, obs_path(path, sizeof(path), "bytes.json"), &err),
        EMBER_OK);
    if (!have_python())
        skip();
    StrBuf out;
    sb_init(&out);
    check_ok(path, &out);
    assert_contains(out.data, "\\u0001\\u0002");
    assert_contains(out.data, "\\u001f !\\\"#");
    assert_contains(out.data, "}~\\u007f\\ufffd\\ufffd");
    assert_contains(out.data, "|\\ud83d\\ude00|\\ufffd\\ufffd\\ufffd|"
                              "\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd"
                              "\\ufffd\\ufffd|\\ufffd\\ufffd|\\ufffd|"
                              "\\ufffd\"\n");
    sb_release(&out);
}

/* With phase events of its own, the profile's are the only phases. */
static void test_phase_events_kept(void **state)
{
    QueryProfile qp = make_profile();
    TraceEvent evs[2] = {
        span(0, "parse", "phase", 0, 50 * US, 0, 0),
        span(0, "execute", "phase", 1 * MS, 10 * MS, 0, 0),
    };
    qp.events = evs;
    qp.n_events = 2;
    char path[300];
    Err err;
    err_clear(&err);
    assert_rc(trace_write(&qp, obs_path(path, sizeof(path), "ph.json"), &err),
              EMBER_OK);
    if (!have_python())
        skip();
    StrBuf out;
    sb_init(&out);
    check_ok(path, &out);
    assert_contains(out.data, "span 0 0 50000 \"parse\"\n");
    assert_null(strstr(out.data, "\"bind\""));
    assert_contains(out.data, "ok 5 events, 2 spans, 0 counters, 1 tids");
    sb_release(&out);
}

/* No events at all: metadata, phases and totals only. */
static void test_empty_trace(void **state)
{
    QueryProfile qp;
    memset(&qp, 0, sizeof(qp));
    char path[300];
    Err err;
    err_clear(&err);
    assert_rc(trace_write(&qp, obs_path(path, sizeof(path), "e.json"), &err),
              EMBER_OK);
    if (!have_python())
        skip();
    StrBuf out;
    sb_init(&out);
    check_ok(path, &out);
    assert_contains(out.data, "ok 3 events, 0 spans, 0 counters, 1 tids");
    assert_contains(out.data, "\"sql\": \"\"");
    sb_release(&out);
}

/* A path ending in .gz is written gzip-compressed. */
static void test_gzip_trace(void **state)
{
    QueryProfile qp = make_profile();
    char path[300];
    Err err;
    err_clear(&err);
    assert_rc(trace_write(&qp, obs_path(path, sizeof(path), "t.json.gz"), &err),
              EMBER_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char magic[2] = {0};
    assert_int_equal(fread(magic, 1, 2, f), 2);
    fclose(f);
    assert_int_equal(magic[0], 0x1f);
    assert_int_equal(magic[1], 0x8b);
    if (!have_python())
        skip();
    StrBuf out;
    sb_init(&out);
    check_ok(path, &out);
    assert_contains(out.data, "ok 28 events");
    sb_release(&out);
}

/* The checker catches spans that overlap without nesting, so its passing
 * above means something. */
static void test_checker_rejects_overlap(void **state)
{
    if (!have_python())
        skip();
    QueryProfile qp = make_profile();
    TraceEvent evs[2] = {
        span(3, "a", "operator", 2 * MS, 2 * MS, 0, 0),
        span(3, "b", "operator", 3 * MS, 2 * MS, 0, 0),
    };
    qp.events = evs;
    qp.n_events = 2;
    char path[300];
    Err err;
    err_clear(&err);
    assert_rc(trace_write(&qp, obs_path(path, sizeof(path), "bad.json"), &err),
              EMBER_OK);
    StrBuf out;
    sb_init(&out);
    assert_int_equal(check(path, &out), 1);
    assert_contains(out.data, "tid 3: span \"b\" [3000000, 5000000) overlaps "
                              "\"a\" [2000000, 4000000) without nesting");
    sb_release(&out);
}

/* Many events stream through a fixed buffer: the allocation count does
 * not grow with them. */
static void test_large_trace(void **state)
{
    int n = 200000;
    TraceEvent *evs = malloc(sizeof(TraceEvent) * (size_t)n);
    assert_non_null(evs);
    for (int i = 0; i < n; i++) {
        int tid = i % 4;
        uint64_t ts = (uint64_t)(i / 4) * 20 * US;
        evs[i] = i % 8 == 7
                     ? counter(tid, ts, i)
                     : span(tid, i % 3 ? "Scan#3" : "HashJoin#2", "operator",
                            ts, 15 * US + (uint64_t)i % 997, (uint64_t)i, 1);
    }
    QueryProfile qp = make_profile();
    qp.events = evs;
    qp.n_events = n;
    char path[300], gz[300];
    Err err;
    err_clear(&err);
    uint64_t before = mem_counters()->n_allocs;
    assert_rc(trace_write(&qp, obs_path(path, sizeof(path), "big.json"), &err),
              EMBER_OK);
    uint64_t allocs = mem_counters()->n_allocs - before;
    assert_true(allocs <= 3);
    assert_rc(trace_write(&qp, obs_path(gz, sizeof(gz), "big.json.gz"), &err),
              EMBER_OK);
    long long raw = obs_file_size(path);
    long long packed = obs_file_size(gz);
    printf("trace of %d events: %lld bytes of JSON, %lld gzip-compressed "
           "(%.2fx), %" PRIu64 " allocations\n",
           n, raw, packed, (double)raw / (double)packed, allocs);
    free(evs);
    if (!have_python())
        return;
    StrBuf out;
    sb_init(&out);
    check_ok(gz, &out);
    assert_contains(out.data, "ok 200014 events");
    sb_release(&out);
}

static void test_write_error(void **state)
{
    QueryProfile qp = make_profile();
    Err err;
    err_clear(&err);
    assert_rc(trace_write(&qp, "/nonexistent-ember-dir/t.json", &err),
              EMBER_IOERR);
    assert_string_equal(err.msg, "could not write "
                                 "\"/nonexistent-ember-dir/t.json\": No "
                                 "such file or directory");
    if (access("/dev/full", W_OK) == 0) {
        err_clear(&err);
        assert_rc(trace_write(&qp, "/dev/full", &err), EMBER_IOERR);
        assert_string_equal(err.msg, "could not write \"/dev/full\": No "
                                     "space left on device");
    }
}

static void test_fault_injection(void **state)
{
    QueryProfile qp = make_profile();
    char path[300];
    obs_path(path, sizeof(path), "fault.json.gz");
    int n_ok = 0;
    for (uint64_t n = 1; n <= 10; n++) {
        Err err;
        err_clear(&err);
        mem_fail_after(n);
        int rc = trace_write(&qp, path, &err);
        mem_fail_after(0);
        assert_true(rc == EMBER_OK || rc == EMBER_NOMEM);
        n_ok += rc == EMBER_OK;
    }
    assert_true(n_ok > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_valid),
        cmocka_unit_test(test_escape_all_bytes),
        cmocka_unit_test(test_phase_events_kept),
        cmocka_unit_test(test_empty_trace),
        cmocka_unit_test(test_gzip_trace),
        cmocka_unit_test(test_checker_rejects_overlap),
        cmocka_unit_test(test_large_trace),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_fault_injection),
    };
    return cmocka_run_group_tests(tests, obs_setup_dir, obs_remove_dir);
}
