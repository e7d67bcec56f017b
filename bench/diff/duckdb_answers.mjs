// Prints DuckDB's answers to the TPC-H queries over a folder of .tbl files,
// one JSON array per row under a "-- qNN" line, for bench/diff/tpch_vs_duckdb.sh.
// Usage: node duckdb_answers.mjs DATA_DIR QUERIES_DIR
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [data, queries] = process.argv.slice(2).map((p) => resolve(p));
const TABLES = {
  region: 'r_regionkey INTEGER, r_name VARCHAR, r_comment VARCHAR',
  nation: 'n_nationkey INTEGER, n_name VARCHAR, n_regionkey INTEGER, n_comment VARCHAR',
  supplier: 's_suppkey BIGINT, s_name VARCHAR, s_address VARCHAR, s_nationkey INTEGER, s_phone VARCHAR, s_acctbal DECIMAL(15,2), s_comment VARCHAR',
  customer: 'c_custkey BIGINT, c_name VARCHAR, c_address VARCHAR, c_nationkey INTEGER, c_phone VARCHAR, c_acctbal DECIMAL(15,2), c_mktsegment VARCHAR, c_comment VARCHAR',
  part: 'p_partkey BIGINT, p_name VARCHAR, p_mfgr VARCHAR, p_brand VARCHAR, p_type VARCHAR, p_size INTEGER, p_container VARCHAR, p_retailprice DECIMAL(15,2), p_comment VARCHAR',
  partsupp: 'ps_partkey BIGINT, ps_suppkey BIGINT, ps_availqty BIGINT, ps_supplycost DECIMAL(15,2), ps_comment VARCHAR',
  orders: 'o_orderkey BIGINT, o_custkey BIGINT, o_orderstatus VARCHAR, o_totalprice DECIMAL(15,2), o_orderdate DATE, o_orderpriority VARCHAR, o_clerk VARCHAR, o_shippriority INTEGER, o_comment VARCHAR',
  lineitem: 'l_orderkey BIGINT, l_partkey BIGINT, l_suppkey BIGINT, l_linenumber BIGINT, l_quantity DECIMAL(15,2), l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), l_tax DECIMAL(15,2), l_returnflag VARCHAR, l_linestatus VARCHAR, l_shipdate DATE, l_commitdate DATE, l_receiptdate DATE, l_shipinstruct VARCHAR, l_shipmode VARCHAR, l_comment VARCHAR',
};
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
for (const [t, cols] of Object.entries(TABLES)) {
  await con.run(`CREATE TABLE ${t} (${cols})`);
  const spec = cols.split(', ').map((c) => { const [n, ...ty] = c.split(' '); return `'${n}': '${ty.join(' ')}'`; }).join(', ');
  await con.run(`INSERT INTO ${t} SELECT * FROM read_csv('${join(data, t + '.tbl')}', delim='|', header=false, quote='', columns={${spec}}, strict_mode=false)`);
}
for (const file of readdirSync(queries).filter((f) => /^q\d+\.sql$/.test(f)).sort()) {
  const r = await con.runAndReadAll(readFileSync(join(queries, file), 'utf8'));
  console.log(`-- ${file.replace('.sql', '')}`);
  for (const row of r.getRowsJson()) console.log(JSON.stringify(row));
}
