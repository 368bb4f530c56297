#!/usr/bin/env bash
# The store's write path alone: what recording one delivery costs, against the floor of
# SQLite itself on the same disk. hookctl's `Store::insert_batch` writes a `listen`-like
# record (a deliveries row with 1 KiB body and headers, an attempts row, three
# indexes) in batches of 1, 32 and 256 per transaction; the peer, Python's sqlite3,
# inserts one row of the same size into a one-index table in batches of 32, with the
# same WAL settings; and SQLite's own floor through rusqlite: one bare row of the same
# size, no index, no checkpoint during the run. One core. Lower is better.
#
#   bash bench/store.sh                # RECORDS=20000
set -euo pipefail
cd "$(dirname "$0")/.."
records=${RECORDS:-20000}
cargo build --release --quiet --example store_bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for batch in 1 32 256; do
  rm -f "$work"/s.db*
  us=$(taskset -c 0 target/release/examples/store_bench "$work/s.db" "$batch" "$records" | awk '{print $2}')
  printf 'hookctl store, %3d records per commit:   %6.1f us/record\n' "$batch" "$us"
  [ "$batch" = 32 ] && hk32=$us
done
rm -f "$work"/p.db*
py=$(taskset -c 0 python3 - "$work/p.db" "$records" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("pragma journal_mode=wal"); c.execute("pragma synchronous=normal")
c.execute("pragma wal_autocheckpoint=16384")
c.execute("create table t(id integer primary key, delivery_id text, headers text, body blob)")
c.execute("create index t_by_delivery_id on t(delivery_id)")
body, headers, n = b"x" * 1024, "h" * 400, int(sys.argv[2])
start = time.perf_counter()
for _ in range(0, n, 32):
    c.execute("begin")
    for _ in range(32):
        c.execute("insert into t(delivery_id, headers, body) values (?, ?, ?)",
                  ("72d3162e-cc78-11e3-81ab-4c9367dc0958", headers, body))
    c.execute("commit")
print(f"{(time.perf_counter() - start) * 1e6 / n:.1f}")
PY
)
printf 'python sqlite3, one row, 32 per commit: %6.1f us/record\n' "$py"
rm -f "$work"/f.db*
floor=$(taskset -c 0 target/release/examples/store_bench "$work/f.db" floor "$records" | awk '{print $2}')
printf 'rusqlite, bare row, no index, no checkpoint, 32 per commit: %6.1f us/record\n' "$floor"
python3 -c 'import sys; hk, py, floor = map(float, sys.argv[1:]); print(f"at 32 per commit, hookctl/python: {hk / py:.2f}, hookctl/SQLite floor: {hk / floor:.2f}")' "$hk32" "$py" "$floor"
