/*
 * test_pprof.c -- the pprof writers (obs/pprof.c) and the gzip stream
 * under them (obs/gzip.c).
 *
 * A synthetic profile (Query -> Project#1 -> HashJoin#2 with a build ->
 * Scan#3, Scan#4; Scan#3 dominates time, HashJoin#2 allocation bytes; two
 * contended lock sites) is written as both profiles and read back with
 * `go tool pprof` (-raw, -top per sample type, -traces, -list,
 * -comments): the tool that users run is the decoder we trust. gzip(1)
 * checks the container and, for the compressor alone, the round trip of
 * inputs that exercise stored blocks, long matches and window slides.
 * Without go or gzip on PATH those checks skip with a message.
 */
#include "unit.h"

#include "../obs/obs_test.h"
#include "obs/obs_int.h"

static const char *const SQL = "SELECT o_orderkey, sum(l_extendedprice)\n"
                               "FROM orders\n"
                               "JOIN lineitem ON l_orderkey = o_orderkey\n"
                               "GROUP BY o_orderkey";

static ProfOp g_ops[4];
static ProfLock g_locks[3];

static ProfOp make_op(int id, int parent, int depth, const char *name,
                      const char *label, int line)
{
    ProfOp op;
    memset(&op, 0, sizeof(op));
    op.id = id;
    op.parent = parent;
    op.depth = depth;
    op.name = name;
    op.label = label;
    op.sql_line = line;
    return op;
}

/* Project#1 has all-zero values (no sample of its own), HashJoin#2 5 ms
 * + 8 ms build and 5 MB, Scan#3 40 ms, Scan#4 3 ms. */
static QueryProfile make_profile(void)
{
    g_ops[0] = make_op(1, 0, 0, "Project", "Project#1", 1);
    g_ops[0].rows_out = 100;
    g_ops[1] = make_op(2, 1, 1, "HashJoin Inner", "HashJoin#2", 3);
    g_ops[1].time_ns = 5000000;
    g_ops[1].build_ns = 8000000;
    g_ops[1].n_allocs = 50;
    g_ops[1].alloc_bytes = 5000000;
    g_ops[1].mem_bytes = 7000000;
    g_ops[1].rows_out = 100;
    g_ops[2] = make_op(3, 2, 2, "Scan lineitem", "Scan#3", 3);
    g_ops[2].time_ns = 40000000;
    g_ops[2].n_allocs = 20;
    g_ops[2].alloc_bytes = 200000;
    g_ops[2].mem_bytes = 30000;
    g_ops[2].rows_out = 60000;
    g_ops[3] = make_op(4, 2, 2, "Scan orders", "Scan#4", 2);
    g_ops[3].time_ns = 3000000;
    g_ops[3].n_allocs = 5;
    g_ops[3].alloc_bytes = 10000;
    g_ops[3].rows_out = 15000;

    g_locks[0] = (ProfLock){"sink.combine", 40, 7, 900000, 2};
    g_locks[1] = (ProfLock){"pool.queue", 100, 0, 0, 0};
    g_locks[2] = (ProfLock){"copy.chunk", 10, 2, 50000, 0};

    QueryProfile qp;
    memset(&qp, 0, sizeof(qp));
    qp.p.sql = SQL;
    qp.p.start_unix_ns = 1700000000000000000ull;
    qp.p.t_parse_ns = 100000;
    qp.p.t_bind_ns = 200000;
    qp.p.t_optimize_ns = 300000;
    qp.p.t_physical_ns = 400000;
    qp.p.t_exec_ns = 60000000;
    qp.p.t_total_ns = 61000000;
    qp.p.n_threads = 2;
    qp.p.rows = 100;
    qp.p.n_ops = 4;
    qp.p.ops = g_ops;
    qp.p.n_locks = 3;
    qp.p.locks = g_locks;
    return qp;
}

/* ------------------------------------------------------------------------
 * Reading pprof's output
 * ------------------------------------------------------------------------ */

static bool have_go(void)
{
    if (obs_have("go"))
        return true;
    printf("skip: go not on PATH (apt-get install golang-go), pprof "
           "files not checked with go tool pprof\n");
    return false;
}

/* Run `go tool pprof ARGS FILE` into `out`; fails the test on exit != 0. */
static void pprof_run(const char *args, const char *file, StrBuf *out)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && HOME='%s' GOCACHE='%s/gocache' GOFLAGS= "
             "timeout %d go tool pprof %s '%s'",
             g_dir, g_dir, g_dir, OBS_TOOL_TIMEOUT, args, file);
    int rc = obs_run(cmd, out);
    if (rc != 0)
        fail_msg("%s: exit %d\n%s", cmd, rc, out->data);
}

/* The name in the first row of a -top table, in buf. */
static const char *top_entry(const char *out, char *buf, size_t cap)
{
    const char *h = strstr(out, "flat  flat%");
    if (h == NULL)
        fail_msg("no -top table in:\n%s", out);
    const char *row = strchr(h, '\n');
    if (row == NULL)
        fail_msg("empty -top table in:\n%s", out);
    row++;
    /* flat flat% sum% cum cum% name... */
    const char *p = row;
    for (int field = 0; field < 5; field++) {
        while (*p == ' ')
            p++;
        while (*p && *p != ' ' && *p != '\n')
            p++;
    }
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, "\n");
    snprintf(buf, cap, "%.*s", (int)n, p);
    return buf;
}

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

static void write_both(const QueryProfile *qp, char *cpu, char *lock, char *sql,
                       size_t cap)
{
    obs_path(sql, cap, "query.sql");
    FILE *f = fopen(sql, "w");
    assert_non_null(f);
    fputs(SQL, f);
    fclose(f);
    Err err;
    err_clear(&err);
    assert_rc(pprof_write(qp, obs_path(cpu, cap, "cpu.pb.gz"), sql, &err),
              EMBER_OK);
    assert_rc(pprof_write_contention(qp, obs_path(lock, cap, "lock.pb.gz"), sql,
                                     &err),
              EMBER_OK);
}

static void test_gzip_container(void **state)
{
    QueryProfile qp = make_profile();
    char cpu[300], lock[300], sql[300];
    write_both(&qp, cpu, lock, sql, sizeof(cpu));
    const char *files[2] = {cpu, lock};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(files[i], "rb");
        assert_non_null(f);
        unsigned char magic[3] = {0};
        assert_int_equal(fread(magic, 1, 3, f), 3);
        fclose(f);
        assert_int_equal(magic[0], 0x1f);
        assert_int_equal(magic[1], 0x8b);
        assert_int_equal(magic[2], 8);
    }
    if (!obs_have("gzip")) {
        printf("skip: gzip not on PATH\n");
        return;
    }
    StrBuf out;
    sb_init(&out);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "gzip -t '%s' '%s'", cpu, lock);
    if (obs_run(cmd, &out) != 0)
        fail_msg("%s:\n%s", cmd, out.data);
    snprintf(cmd, sizeof(cmd), "gzip -dc '%s' | wc -c", cpu);
    assert_rc(obs_run(cmd, &out), 0);
    long long raw = atoll(out.data);
    long long packed = obs_file_size(cpu);
    printf("cpu profile: %lld bytes of protobuf, %lld gzip-compressed "
           "(%.2fx)\n",
           raw, packed, (double)raw / (double)packed);
    assert_true(raw > 0 && packed > 0);
    sb_release(&out);
}

static void test_cpu_profile(void **state)
{
    if (!have_go())
        skip();
    QueryProfile qp = make_profile();
    char cpu[300], lock[300], sql[300], name[200];
    write_both(&qp, cpu, lock, sql, sizeof(cpu));
    StrBuf out, tr;
    sb_init(&out);
    sb_init(&tr);

    pprof_run("-raw", cpu, &out);
    assert_contains(out.data, "PeriodType: cpu nanoseconds");
    assert_contains(out.data, "Period: 1\n");
    assert_contains(out.data, "Duration: 61ms");
    assert_contains(out.data, "cpu/nanoseconds[dflt] alloc_objects/count "
                              "alloc_space/bytes inuse_space/bytes");
    /* pprof numbers locations anew, so match the values only. */
    assert_contains(out.data, "   40000000         20     200000      30000: ");
    assert_contains(out.data, "    8000000          0          0          0: ");
    assert_contains(out.data, "    5000000         50    5000000    7000000: ");
    assert_contains(out.data, "    3000000          5      10000          0: ");
    assert_contains(out.data, "op:[Scan lineitem]");
    assert_contains(out.data, "rows:[60000 rows]");
    /* Project#1's all-zero sample is left out: four samples remain. */
    const char *samples = strstr(out.data, "Samples:");
    const char *locations = strstr(out.data, "Locations");
    assert_true(samples && locations && samples < locations);
    int n_samples = 0;
    for (const char *p = samples; (p = strstr(p, "op:[")) && p < locations; p++)
        n_samples++;
    assert_int_equal(n_samples, 4);

    pprof_run("-top -sample_index=cpu", cpu, &out);
    printf("go tool pprof -top -sample_index=cpu:\n%s", out.data);
    assert_string_equal(top_entry(out.data, name, sizeof(name)), "Scan#3");
    assert_contains(out.data, "Type: cpu");
    assert_contains(out.data, "HashJoin#2 build");

    pprof_run("-top -sample_index=alloc_space", cpu, &out);
    assert_string_equal(top_entry(out.data, name, sizeof(name)), "HashJoin#2");
    assert_contains(out.data, "Type: alloc_space");
    pprof_run("-top -sample_index=alloc_objects", cpu, &out);
    assert_string_equal(top_entry(out.data, name, sizeof(name)), "HashJoin#2");
    pprof_run("-top -sample_index=inuse_space", cpu, &out);
    assert_string_equal(top_entry(out.data, name, sizeof(name)), "HashJoin#2");
    assert_contains(out.data, "Type: inuse_space");

    pprof_run("-traces", cpu, &out);
    traces_normalize(out.data, &tr);
    assert_contains(tr.data, "Scan#3 <- HashJoin#2 <- Project#1 <- Query\n");
    assert_contains(tr.data,
                    "HashJoin#2 build <- HashJoin#2 <- Project#1 <- Query\n");
    assert_contains(tr.data, "Scan#4 <- HashJoin#2 <- Project#1 <- Query\n");

    /* Function file and line point into the SQL file. */
    pprof_run("-list 'Scan#3'", cpu, &out);
    assert_contains(out.data, sql);
    assert_contains(out.data, "JOIN lineitem ON l_orderkey = o_orderkey");

    pprof_run("-comments", cpu, &out);
    assert_contains(out.data, "SQL: SELECT o_orderkey, sum(l_extendedprice) "
                              "FROM orders JOIN lineitem ON l_orderkey = "
                              "o_orderkey GROUP BY o_orderkey\n");
    assert_contains(out.data, "ember query: total 61.000 ms");
    sb_release(&out);
    sb_release(&tr);
}

static void test_contention_profile(void **state)
{
    if (!have_go())
        skip();
    QueryProfile qp = make_profile();
    char cpu[300], lock[300], sql[300], name[200];
    write_both(&qp, cpu, lock, sql, sizeof(cpu));
    StrBuf out, tr;
    sb_init(&out);
    sb_init(&tr);

    pprof_run("-raw", lock, &out);
    assert_contains(out.data, "PeriodType: contentions count");
    assert_contains(out.data, "contentions/count delay/nanoseconds");
    assert_null(strstr(out.data, "pool.queue")); /* never contended */

    pprof_run("-top", lock, &out);
    printf("go tool pprof -top (contention):\n%s", out.data);
    assert_contains(out.data, "Type: delay");
    assert_string_equal(top_entry(out.data, name, sizeof(name)),
                        "lock sink.combine");
    pprof_run("-top -sample_index=contentions", lock, &out);
    assert_string_equal(top_entry(out.data, name, sizeof(name)),
                        "lock sink.combine");
    assert_contains(out.data, "lock copy.chunk");

    pprof_run("-traces", lock, &out);
    traces_normalize(out.data, &tr);
    assert_contains(tr.data,
                    "lock sink.combine <- HashJoin#2 <- Project#1 <- Query\n");
    assert_contains(tr.data, "lock copy.chunk <- Query\n");
    sb_release(&out);
    sb_release(&tr);
}

/* No operators, no locks, no SQL file: still a profile pprof reads. */
static void test_empty_profile(void **state)
{
    QueryProfile qp;
    memset(&qp, 0, sizeof(qp));
    char cpu[300], lock[300];
    Err err;
    err_clear(&err);
    assert_rc(
        pprof_write(&qp, obs_path(cpu, sizeof(cpu), "empty.pb.gz"), NULL, &err),
        EMBER_OK);
    assert_rc(
        pprof_write_contention(
            &qp, obs_path(lock, sizeof(lock), "empty_lock.pb.gz"), NULL, &err),
        EMBER_OK);
    if (!have_go())
        return;
    StrBuf out;
    sb_init(&out);
    pprof_run("-raw", cpu, &out);
    assert_contains(out.data, "cpu/nanoseconds");
    pprof_run("-raw", lock, &out);
    assert_contains(out.data, "contentions/count");
    sb_release(&out);
}

/* A long statement is one comment line, cut with "...". */
static void test_long_sql_comment(void **state)
{
    if (!have_go())
        skip();
    StrBuf sql;
    sb_init(&sql);
    sb_puts(&sql, "SELECT\n");
    for (int i = 0; i < 40; i++)
        sb_printf(&sql, "    c%d \xc3\xa9,\n", i);
    sb_puts(&sql, "    0\nFROM t");
    QueryProfile qp = make_profile();
    qp.p.sql = sql.data;
    char cpu[300];
    Err err;
    err_clear(&err);
    assert_rc(
        pprof_write(&qp, obs_path(cpu, sizeof(cpu), "long.pb.gz"), NULL, &err),
        EMBER_OK);
    StrBuf out;
    sb_init(&out);
    pprof_run("-comments", cpu, &out);
    assert_contains(out.data, "SQL: SELECT c0 \xc3\xa9, c1 \xc3\xa9, c2");
    assert_contains(out.data, " ...\n");
    assert_null(strstr(out.data, "FROM t"));
    /* With no SQL file, the functions' file is the statement itself:
     * pprof names it in the ROUTINE header. */
    pprof_run("-list 'Scan#3'", cpu, &out);
    assert_contains(out.data, "c39 \xc3\xa9,");
    sb_release(&out);
    sb_release(&sql);
}

static void test_write_error(void **state)
{
    QueryProfile qp = make_profile();
    Err err;
    err_clear(&err);
    const char *path = "/nonexistent-ember-dir/cpu.pb.gz";
    assert_rc(pprof_write(&qp, path, NULL, &err), EMBER_IOERR);
    assert_string_equal(err.msg, "could not write "
                                 "\"/nonexistent-ember-dir/cpu.pb.gz\": No "
                                 "such file or directory");
    err_clear(&err);
    assert_rc(pprof_write_contention(&qp, path, NULL, &err), EMBER_IOERR);
    if (access("/dev/full", W_OK) == 0) {
        err_clear(&err);
        assert_rc(pprof_write(&qp, "/dev/full", NULL, &err), EMBER_IOERR);
        assert_string_equal(err.msg, "could not write \"/dev/full\": No "
                                     "space left on device");
    }
}

/* Failing the n-th allocation gives EMBER_NOMEM or success, never a
 * crash or a leak (ASan checks the latter). */
static void test_fault_injection(void **state)
{
    QueryProfile qp = make_profile();
    char cpu[300];
    obs_path(cpu, sizeof(cpu), "fault.pb.gz");
    int n_ok = 0;
    for (uint64_t n = 1; n <= 200; n++) {
        Err err;
        err_clear(&err);
        mem_fail_after(n);
        int rc = pprof_write(&qp, cpu, NULL, &err);
        int rc2 = pprof_write_contention(&qp, cpu, NULL, &err);
        mem_fail_after(0);
        assert_true(rc == EMBER_OK || rc == EMBER_NOMEM);
        assert_true(rc2 == EMBER_OK || rc2 == EMBER_NOMEM);
        if (rc == EMBER_NOMEM)
            assert_string_equal(err.msg, "out of memory");
        n_ok += rc == EMBER_OK;
    }
    assert_true(n_ok > 0);
}

/* ------------------------------------------------------------------------
 * The gzip stream on its own
 * ------------------------------------------------------------------------ */

static void test_crc32(void **state)
{
    assert_i64_equal(gz_crc32(0, "123456789", 9), 0xcbf43926u);
    assert_i64_equal(gz_crc32(0, "", 0), 0);
    /* Continued over pieces, as the writer feeds it. */
    uint32_t c = gz_crc32(0, "1234", 4);
    assert_i64_equal(gz_crc32(c, "56789", 5), 0xcbf43926u);
}

/* Write `data` compressed in pieces of `step` bytes; check that gzip
 * restores it; return the compressed size. */
static long long gzip_round_trip(const char *name, const uint8_t *data,
                                 size_t n, size_t step)
{
    char gz[300], raw[320], cmd[2048];
    obs_path(gz, sizeof(gz), name);
    snprintf(raw, sizeof(raw), "%s.orig", gz);
    FILE *f = fopen(raw, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    OutFile o;
    Err err;
    err_clear(&err);
    assert_rc(out_open(&o, gz, true, &err), EMBER_OK);
    for (size_t at = 0; at < n; at += step)
        out_write(&o, data + at, MIN(step, n - at));
    assert_i64_equal(o.n_in, n);
    assert_rc(out_close(&o, &err), EMBER_OK);
    StrBuf out;
    sb_init(&out);
    snprintf(cmd, sizeof(cmd), "gzip -t '%s' && gzip -dc '%s' | cmp - '%s'", gz,
             gz, raw);
    if (obs_run(cmd, &out) != 0)
        fail_msg("%s (%zu bytes in steps of %zu):\n%s", name, n, step,
                 out.data);
    sb_release(&out);
    return obs_file_size(gz);
}

static void test_gzip_round_trip(void **state)
{
    if (!obs_have("gzip")) {
        printf("skip: gzip not on PATH\n");
        skip();
    }
    size_t cap = 3u << 20;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);

    /* Empty, one byte, a few bytes shorter than a match. */
    assert_true(gzip_round_trip("empty.gz", buf, 0, 1) <= 20 + 2);
    gzip_round_trip("one.gz", (const uint8_t *)"x", 1, 1);
    gzip_round_trip("abab.gz", (const uint8_t *)"abababab", 8, 3);

    /* Text with repeats near and far (window slides: > 64 KiB). */
    size_t n = 0;
    uint64_t seed = 1;
    while (n + 200 < cap) {
        n += (size_t)snprintf(
            (char *)buf + n, 200,
            "{\"name\":\"HashJoin#%d\",\"ph\":\"X\","
            "\"ts\":%llu.%03d,\"tid\":%d},\n",
            (int)(unit_rand(&seed) % 20), (unsigned long long)(n * 7),
            (int)(unit_rand(&seed) % 1000), (int)(unit_rand(&seed) % 4));
    }
    long long text = gzip_round_trip("text.gz", buf, n, 4093);
    printf("trace-like text: %zu -> %lld bytes (%.2fx)\n", n, text,
           (double)n / (double)text);
    assert_true(text * 4 < (long long)n);

    /* Incompressible: stored blocks keep the overhead to a few bytes per
     * 64 KiB block. */
    for (size_t i = 0; i < cap; i++)
        buf[i] = (uint8_t)unit_rand(&seed);
    long long rnd = gzip_round_trip("random.gz", buf, cap, 100000);
    assert_true(rnd <= (long long)cap + (long long)(cap / 1000));

    /* Long runs: maximal matches, distance 1. */
    memset(buf, 'z', 300000);
    long long run = gzip_round_trip("run.gz", buf, 300000, 300000);
    assert_true(run < 300000 / 100);

    /* Mixed: random stretches between repeats, byte-at-a-time writes. */
    for (size_t i = 0; i < 200000; i++)
        buf[i] = (i / 5000) % 2 ? (uint8_t)unit_rand(&seed)
                                : (uint8_t)("profile"[i % 7]);
    gzip_round_trip("mixed.gz", buf, 200000, 1);
    gzip_round_trip("mixed2.gz", buf, 200000, 65536);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_gzip_round_trip),
        cmocka_unit_test(test_gzip_container),
        cmocka_unit_test(test_cpu_profile),
        cmocka_unit_test(test_contention_profile),
        cmocka_unit_test(test_empty_profile),
        cmocka_unit_test(test_long_sql_comment),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_fault_injection),
    };
    return cmocka_run_group_tests(tests, obs_setup_dir, obs_remove_dir);
}
