/*
 * tpch_gen_tables.c -- schemas and row generators of the eight TPC-H
 * tables.
 *
 * Each generator turns a range of keys into rows, following the column
 * rules of TPC-H Clause 4.2.3; the rule is quoted next to the code that
 * applies it. A row draws all its random numbers from the stream of its
 * entity key (an order and its lineitems share the order's stream, a part
 * and its partsupp rows the part's), in a fixed order, so its values do
 * not depend on which task generates it.
 *
 * Money and rates are DECIMAL(15,2), written as scaled int64 cents.
 */
#include "storage/tpch_int.h"

/* ------------------------------------------------------------------------
 * Schemas (the column types of tests/tpch/schema.sql)
 * ------------------------------------------------------------------------ */

enum { R_REGIONKEY, R_NAME, R_COMMENT, R__N };
enum { N_NATIONKEY, N_NAME, N_REGIONKEY, N_COMMENT, N__N };
enum {
    S_SUPPKEY,
    S_NAME,
    S_ADDRESS,
    S_NATIONKEY,
    S_PHONE,
    S_ACCTBAL,
    S_COMMENT,
    S__N
};
enum {
    C_CUSTKEY,
    C_NAME,
    C_ADDRESS,
    C_NATIONKEY,
    C_PHONE,
    C_ACCTBAL,
    C_MKTSEGMENT,
    C_COMMENT,
    C__N
};
enum {
    P_PARTKEY,
    P_NAME,
    P_MFGR,
    P_BRAND,
    P_TYPE,
    P_SIZE,
    P_CONTAINER,
    P_RETAILPRICE,
    P_COMMENT,
    P__N
};
enum { PS_PARTKEY, PS_SUPPKEY, PS_AVAILQTY, PS_SUPPLYCOST, PS_COMMENT, PS__N };
enum {
    O_ORDERKEY,
    O_CUSTKEY,
    O_ORDERSTATUS,
    O_TOTALPRICE,
    O_ORDERDATE,
    O_ORDERPRIORITY,
    O_CLERK,
    O_SHIPPRIORITY,
    O_COMMENT,
    O__N
};
enum {
    L_ORDERKEY,
    L_PARTKEY,
    L_SUPPKEY,
    L_LINENUMBER,
    L_QUANTITY,
    L_EXTENDEDPRICE,
    L_DISCOUNT,
    L_TAX,
    L_RETURNFLAG,
    L_LINESTATUS,
    L_SHIPDATE,
    L_COMMITDATE,
    L_RECEIPTDATE,
    L_SHIPINSTRUCT,
    L_SHIPMODE,
    L_COMMENT,
    L__N
};

#define I32                                                                    \
    {                                                                          \
        TYPE_INT32, 0, 0, 0, -1                                                \
    }
#define I64                                                                    \
    {                                                                          \
        TYPE_INT64, 0, 0, 0, -1                                                \
    }
#define DEC                                                                    \
    {                                                                          \
        TYPE_DECIMAL, 15, 2, 0, -1                                             \
    }
#define DAT                                                                    \
    {                                                                          \
        TYPE_DATE, 0, 0, 0, -1                                                 \
    }
#define STR                                                                    \
    {                                                                          \
        TYPE_VARCHAR, 0, 0, 0, -1                                              \
    }

static const Type region_types[R__N] = {I32, STR, STR};
static const Type nation_types[N__N] = {I32, STR, I32, STR};
static const Type supplier_types[S__N] = {I64, STR, STR, I32, STR, DEC, STR};
static const Type customer_types[C__N] = {I64, STR, STR, I32,
                                          STR, DEC, STR, STR};
static const Type part_types[P__N] = {I64, STR, STR, STR, STR,
                                      I32, STR, DEC, STR};
static const Type partsupp_types[PS__N] = {I64, I64, I64, DEC, STR};
static const Type orders_types[O__N] = {I64, I64, STR, DEC, DAT,
                                        STR, STR, I32, STR};
static const Type lineitem_types[L__N] = {I64, I64, I64, I64, DEC, DEC,
                                          DEC, DEC, STR, STR, DAT, DAT,
                                          DAT, STR, STR, STR};

static const char *const region_names[R__N] = {"r_regionkey", "r_name",
                                               "r_comment"};
static const char *const nation_names[N__N] = {"n_nationkey", "n_name",
                                               "n_regionkey", "n_comment"};
static const char *const supplier_names[S__N] = {
    "s_suppkey", "s_name",    "s_address", "s_nationkey",
    "s_phone",   "s_acctbal", "s_comment"};
static const char *const customer_names[C__N] = {
    "c_custkey", "c_name",    "c_address",    "c_nationkey",
    "c_phone",   "c_acctbal", "c_mktsegment", "c_comment"};
static const char *const part_names[P__N] = {
    "p_partkey", "p_name",      "p_mfgr",        "p_brand",  "p_type",
    "p_size",    "p_container", "p_retailprice", "p_comment"};
static const char *const partsupp_names[PS__N] = {
    "ps_partkey", "ps_suppkey", "ps_availqty", "ps_supplycost", "ps_comment"};
static const char *const orders_names[O__N] = {
    "o_orderkey",   "o_custkey",      "o_orderstatus",
    "o_totalprice", "o_orderdate",    "o_orderpriority",
    "o_clerk",      "o_shippriority", "o_comment"};
static const char *const lineitem_names[L__N] = {
    "l_orderkey",    "l_partkey",       "l_suppkey",  "l_linenumber",
    "l_quantity",    "l_extendedprice", "l_discount", "l_tax",
    "l_returnflag",  "l_linestatus",    "l_shipdate", "l_commitdate",
    "l_receiptdate", "l_shipinstruct",  "l_shipmode", "l_comment"};

typedef struct TableDef {
    const char *name;
    int n_cols;
    const char *const *names;
    const Type *types;
} TableDef;

static const TableDef tables[TPCH__N] = {
    {"region", R__N, region_names, region_types},
    {"nation", N__N, nation_names, nation_types},
    {"supplier", S__N, supplier_names, supplier_types},
    {"customer", C__N, customer_names, customer_types},
    {"part", P__N, part_names, part_types},
    {"partsupp", PS__N, partsupp_names, partsupp_types},
    {"orders", O__N, orders_names, orders_types},
    {"lineitem", L__N, lineitem_names, lineitem_types},
};

const char *tpch_table_name(int t)
{
    return t >= 0 && t < TPCH__N ? tables[t].name : NULL;
}

void tpch_schema(int t, int *n_cols, const char *const **names,
                 const Type **types)
{
    assert(t >= 0 && t < TPCH__N);
    *n_cols = tables[t].n_cols;
    if (names)
        *names = tables[t].names;
    if (types)
        *types = tables[t].types;
}

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static Str word(const char *s)
{
    return str_make(s, (uint32_t)strlen(s));
}

/* P_RETAILPRICE in cents: (90000 + ((P_PARTKEY / 10) modulo 20001) + 100
 * * (P_PARTKEY modulo 1000)) / 100 dollars. */
static int64_t retail_cents(int64_t pk)
{
    return 90000 + (pk / 10) % 20001 + 100 * (pk % 1000);
}

/* The i-th supplier (i in 0..3) of part pk, S suppliers in all:
 * (pk + (i * ((S/4) + (int)(pk - 1) / S))) modulo S + 1. */
static int64_t part_supplier(int64_t pk, int i, int64_t n_supp)
{
    return (pk + i * (n_supp / 4 + (pk - 1) / n_supp)) % n_supp + 1;
}

/* ------------------------------------------------------------------------
 * REGION and NATION: fixed rows, text comments
 * ------------------------------------------------------------------------ */

void tpch_gen_region(const TpchCtx *g, TpchSink *out)
{
    for (int k = 0; k < 5; k++) {
        uint32_t i;
        Chunk *c = tpch_sink_next(out, &i);
        if (c == NULL)
            return;
        TpchRng r = tpch_rng(TPCH_STREAM_REGION, (uint64_t)k);
        VEC_I32(&c->cols[R_REGIONKEY])[i] = k;
        VEC_STR(&c->cols[R_NAME])[i] = word(tpch_regions[k]);
        VEC_STR(&c->cols[R_COMMENT])[i] = tpch_text(g, &r, 31, 115);
    }
}

void tpch_gen_nation(const TpchCtx *g, TpchSink *out)
{
    for (int k = 0; k < 25; k++) {
        uint32_t i;
        Chunk *c = tpch_sink_next(out, &i);
        if (c == NULL)
            return;
        TpchRng r = tpch_rng(TPCH_STREAM_NATION, (uint64_t)k);
        VEC_I32(&c->cols[N_NATIONKEY])[i] = k;
        VEC_STR(&c->cols[N_NAME])[i] = word(tpch_nations[k]);
        VEC_I32(&c->cols[N_REGIONKEY])[i] = tpch_nation_region[k];
        VEC_STR(&c->cols[N_COMMENT])[i] = tpch_text(g, &r, 31, 114);
    }
}

/* ------------------------------------------------------------------------
 * SUPPLIER and CUSTOMER
 * ------------------------------------------------------------------------ */

/* S_COMMENT: SF * 5 rows carry "Customer%Complaints" and SF * 5 others
 * "Customer%Recommends". Each supplier is picked for either with
 * probability 5 / 10,000 (SF * 10,000 suppliers), which gives the spec's
 * counts in expectation; small scale factors may have none, as with
 * official data at SF 0.01. */
#define BBB_PER_10000 5

void tpch_gen_supplier(const TpchCtx *g, int64_t first, int64_t end,
                       TpchSink *out)
{
    for (int64_t k = first; k < end; k++) {
        uint32_t i;
        Chunk *c = tpch_sink_next(out, &i);
        if (c == NULL)
            return;
        TpchRng r = tpch_rng(TPCH_STREAM_SUPPLIER, (uint64_t)k);
        Vector *v = c->cols;
        VEC_I64(&v[S_SUPPKEY])[i] = k;
        VEC_STR(&v[S_NAME])[i] = tpch_key_name(out, "Supplier#", k);
        VEC_STR(&v[S_ADDRESS])[i] = tpch_vstring(out, &r, 10, 40);
        int nation = (int)tpch_range(&r, 0, 24);
        VEC_I32(&v[S_NATIONKEY])[i] = nation;
        VEC_STR(&v[S_PHONE])[i] = tpch_phone(out, &r, nation);
        VEC_I64(&v[S_ACCTBAL])[i] = tpch_range(&r, -99999, 999999);
        Str comment = tpch_text(g, &r, 25, 100);
        int64_t bbb = tpch_range(&r, 1, 10000);
        if (bbb <= 2 * BBB_PER_10000)
            comment = tpch_bbb_comment(out, &r, comment, bbb <= BBB_PER_10000);
        VEC_STR(&v[S_COMMENT])[i] = comment;
    }
}

void tpch_gen_customer(const TpchCtx *g, int64_t first, int64_t end,
                       TpchSink *out)
{
    Str segments[5];
    for (int s = 0; s < 5; s++)
        segments[s] = word(tpch_segments[s]);
    for (int64_t k = first; k < end; k++) {
        uint32_t i;
        Chunk *c = tpch_sink_next(out, &i);
        if (c == NULL)
            return;
        TpchRng r = tpch_rng(TPCH_STREAM_CUSTOMER, (uint64_t)k);
        Vector *v = c->cols;
        VEC_I64(&v[C_CUSTKEY])[i] = k;
        VEC_STR(&v[C_NAME])[i] = tpch_key_name(out, "Customer#", k);
        VEC_STR(&v[C_ADDRESS])[i] = tpch_vstring(out, &r, 10, 40);
        int nation = (int)tpch_range(&r, 0, 24);
        VEC_I32(&v[C_NATIONKEY])[i] = nation;
        VEC_STR(&v[C_PHONE])[i] = tpch_phone(out, &r, nation);
        VEC_I64(&v[C_ACCTBAL])[i] = tpch_range(&r, -99999, 999999);
        VEC_STR(&v[C_MKTSEGMENT])[i] = segments[tpch_range(&r, 0, 4)];
        VEC_STR(&v[C_COMMENT])[i] = tpch_text(g, &r, 29, 116);
    }
}

/* ------------------------------------------------------------------------
 * PART and PARTSUPP
 * ------------------------------------------------------------------------ */

static void gen_partsupp(const TpchCtx *g, TpchRng *r, int64_t pk,
                         TpchSink *out)
{
    for (int s = 0; s < 4; s++) {
        uint32_t i;
        Chunk *c = tpch_sink_next(out, &i);
        if (c == NULL)
            return;
        Vector *v = c->cols;
        VEC_I64(&v[PS_PARTKEY])[i] = pk;
        VEC_I64(&v[PS_SUPPKEY])[i] = part_supplier(pk, s, g->n_supp);
        VEC_I64(&v[PS_AVAILQTY])[i] = tpch_range(r, 1, 9999);
        VEC_I64(&v[PS_SUPPLYCOST])[i] = tpch_range(r, 100, 100000);
        VEC_STR(&v[PS_COMMENT])[i] = tpch_text(g, r, 49, 198);
    }
}

void tpch_gen_part(const TpchCtx *g, int64_t first, int64_t end, TpchSink *part,
                   TpchSink *partsupp)
{
    for (int64_t pk = first; pk < end; pk++) {
        uint32_t i;
        Chunk *c = tpch_sink_next(part, &i);
        if (c == NULL)
            return;
        TpchRng r = tpch_rng(TPCH_STREAM_PART, (uint64_t)pk);
        Vector *v = c->cols;
        VEC_I64(&v[P_PARTKEY])[i] = pk;
        VEC_STR(&v[P_NAME])[i] = tpch_part_name(part, &r);
        /* P_MFGR "Manufacturer#M", M in [1, 5]; P_BRAND "Brand#MN",
         * N in [1, 5]. */
        int m = (int)tpch_range(&r, 0, 4);
        VEC_STR(&v[P_MFGR])[i] = g->mfgrs[m];
        VEC_STR(&v[P_BRAND])[i] = g->brands[m * 5 + tpch_range(&r, 0, 4)];
        VEC_STR(&v[P_TYPE])[i] = g->types[tpch_range(&r, 0, TPCH_N_TYPES - 1)];
        VEC_I32(&v[P_SIZE])[i] = (int32_t)tpch_range(&r, 1, 50);
        VEC_STR(&v[P_CONTAINER])
        [i] = g->containers[tpch_range(&r, 0, TPCH_N_CONTAINERS - 1)];
        VEC_I64(&v[P_RETAILPRICE])[i] = retail_cents(pk);
        VEC_STR(&v[P_COMMENT])[i] = tpch_text(g, &r, 5, 22);
        gen_partsupp(g, &r, pk, partsupp);
    }
}

/* ------------------------------------------------------------------------
 * ORDERS and LINEITEM
 * ------------------------------------------------------------------------ */

/* Strings of lineitem and orders columns, made once per task. */
typedef struct OrderWords {
    Str priority[5];
    Str instruct[4];
    Str mode[7];
    Str flag_r, flag_a, flag_n; /* L_RETURNFLAG */
    Str status_o, status_f, status_p;
} OrderWords;

static void order_words(OrderWords *w)
{
    for (int k = 0; k < 5; k++)
        w->priority[k] = word(tpch_priorities[k]);
    for (int k = 0; k < 4; k++)
        w->instruct[k] = word(tpch_instructions[k]);
    for (int k = 0; k < 7; k++)
        w->mode[k] = word(tpch_modes[k]);
    w->flag_r = word("R");
    w->flag_a = word("A");
    w->flag_n = word("N");
    w->status_o = word("O");
    w->status_f = word("F");
    w->status_p = word("P");
}

/* What an order needs to know of its lines. */
typedef struct LineSums {
    int64_t total; /* sum of ext * (100+tax) * (100-disc), in
                      units of 1/10,000 cent */
    int n_open;    /* lines with L_LINESTATUS 'O' */
    int n_lines;
} LineSums;

/* One lineitem of order okey placed on date odate. */
static void gen_line(const TpchCtx *g, const OrderWords *w, TpchRng *r,
                     int64_t okey, int32_t odate, int number, TpchSink *out,
                     LineSums *sums)
{
    uint32_t i;
    Chunk *c = tpch_sink_next(out, &i);
    if (c == NULL)
        return;
    Vector *v = c->cols;
    int64_t pk = tpch_range(r, 1, g->n_part);
    int supp = (int)tpch_range(r, 0, 3);
    int64_t qty = tpch_range(r, 1, 50);
    int64_t disc = tpch_range(r, 0, 10);
    int64_t tax = tpch_range(r, 0, 8);
    int64_t ext = qty * retail_cents(pk);
    /* L_SHIPDATE = O_ORDERDATE + [1, 121], L_COMMITDATE = O_ORDERDATE +
     * [30, 90], L_RECEIPTDATE = L_SHIPDATE + [1, 30]. */
    int32_t ship = odate + (int32_t)tpch_range(r, 1, 121);
    int32_t commit = odate + (int32_t)tpch_range(r, 30, 90);
    int32_t receipt = ship + (int32_t)tpch_range(r, 1, 30);
    int64_t ra = tpch_range(r, 0, 1);
    VEC_I64(&v[L_ORDERKEY])[i] = okey;
    VEC_I64(&v[L_PARTKEY])[i] = pk;
    VEC_I64(&v[L_SUPPKEY])[i] = part_supplier(pk, supp, g->n_supp);
    VEC_I64(&v[L_LINENUMBER])[i] = number;
    VEC_I64(&v[L_QUANTITY])[i] = qty * 100;
    VEC_I64(&v[L_EXTENDEDPRICE])[i] = ext;
    VEC_I64(&v[L_DISCOUNT])[i] = disc;
    VEC_I64(&v[L_TAX])[i] = tax;
    /* L_RETURNFLAG: 'R' or 'A' at random once received by CURRENTDATE,
     * else 'N'. L_LINESTATUS: 'O' when shipped after CURRENTDATE. */
    VEC_STR(&v[L_RETURNFLAG])
    [i] =
        receipt <= g->dates.current ? (ra ? w->flag_r : w->flag_a) : w->flag_n;
    bool open = ship > g->dates.current;
    VEC_STR(&v[L_LINESTATUS])[i] = open ? w->status_o : w->status_f;
    VEC_I32(&v[L_SHIPDATE])[i] = ship;
    VEC_I32(&v[L_COMMITDATE])[i] = commit;
    VEC_I32(&v[L_RECEIPTDATE])[i] = receipt;
    VEC_STR(&v[L_SHIPINSTRUCT])[i] = w->instruct[tpch_range(r, 0, 3)];
    VEC_STR(&v[L_SHIPMODE])[i] = w->mode[tpch_range(r, 0, 6)];
    VEC_STR(&v[L_COMMENT])[i] = tpch_text(g, r, 10, 43);
    sums->total += ext * (100 + tax) * (100 - disc);
    sums->n_open += open;
    sums->n_lines++;
}

/* O_CUSTKEY: uniform over the customers whose key is not a multiple of
 * three (a third of the customers never order). */
static int64_t order_customer(TpchRng *r, int64_t n_cust)
{
    int64_t n_eligible = n_cust - n_cust / 3;
    int64_t k = tpch_range(r, 0, n_eligible - 1);
    return k / 2 * 3 + k % 2 + 1;
}

void tpch_gen_orders(const TpchCtx *g, int64_t first, int64_t end,
                     TpchSink *orders, TpchSink *lineitem)
{
    OrderWords w;
    order_words(&w);
    /* O_ORDERDATE uniform in [STARTDATE, ENDDATE - 151 days]. */
    int32_t last_date = g->dates.end - 151;
    for (int64_t n = first; n < end; n++) {
        uint32_t i;
        Chunk *c = tpch_sink_next(orders, &i);
        if (c == NULL)
            return;
        TpchRng r = tpch_rng(TPCH_STREAM_ORDER, (uint64_t)n);
        Vector *v = c->cols;
        int64_t okey = tpch_order_key(n);
        int32_t odate = (int32_t)tpch_range(&r, g->dates.start, last_date);
        VEC_I64(&v[O_ORDERKEY])[i] = okey;
        VEC_I64(&v[O_CUSTKEY])[i] = order_customer(&r, g->n_cust);
        VEC_I32(&v[O_ORDERDATE])[i] = odate;
        VEC_STR(&v[O_ORDERPRIORITY])[i] = w.priority[tpch_range(&r, 0, 4)];
        VEC_STR(&v[O_CLERK])[i] = g->clerks[tpch_range(&r, 0, g->n_clerks - 1)];
        VEC_I32(&v[O_SHIPPRIORITY])[i] = 0;
        VEC_STR(&v[O_COMMENT])[i] = tpch_text(g, &r, 19, 78);
        int n_lines = (int)tpch_range(&r, 1, 7);
        LineSums sums = {0, 0, 0};
        for (int l = 1; l <= n_lines; l++)
            gen_line(g, &w, &r, okey, odate, l, lineitem, &sums);
        /* O_TOTALPRICE: sum(L_EXTENDEDPRICE * (1 + L_TAX) *
         * (1 - L_DISCOUNT)) rounded to cents; O_ORDERSTATUS 'F' when every
         * line is 'F', 'O' when every line is 'O', else 'P'. */
        VEC_I64(&v[O_TOTALPRICE])[i] = (sums.total + 5000) / 10000;
        VEC_STR(&v[O_ORDERSTATUS])
        [i] = sums.n_open == 0         ? w.status_f
              : sums.n_open == n_lines ? w.status_o
                                       : w.status_p;
    }
}
