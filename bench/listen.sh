#!/usr/bin/env bash
# `hookctl listen` (verifying and recording every delivery) against a bare hyper
# server (no verification, no store), the same server serving as `listen` does but
# doing no work (examples/bare_receiver.rs, AS_LISTEN=1) and a plain Node.js receiver that verifies the
# same way, all under the same wrk load with a 1 KiB signed body, in one run.
# Each receiver is pinned to one core and wrk to the other.
# Targets (issue: listen ahead of every peer): `listen` with the store >= 1.5x Node and
# >= 0.5x bare hyper; `listen --no-store` >= 0.8x bare hyper; peak RSS under 50 MiB.
# Node's figure is checked for plausibility first: a plain Node receiver does about a
# third of bare hyper on one core; one measured far below that means the benchmark
# (not Node) is broken, and the script says so and exits 1 instead of comparing.
#
# The machine is shared and noisy: the receivers take turns, ROUNDS times, and each
# one's best run is compared.
#
#   bash bench/listen.sh               # CONN=32 DURATION=5 ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need taskset || [ ! -x /usr/bin/time ] || ! need node; then
  if [ "$(id -u)" = 0 ] && need apt-get; then
    apt-get update -qq && apt-get install -y -qq wrk util-linux time nodejs >/dev/null
  else
    echo "bench: needs wrk, taskset, GNU time and node" >&2
    exit 2
  fi
fi
if [ "$(nproc)" -ge 2 ]; then server_cpu=0; client_cpu=1; else server_cpu=0; client_cpu=0; fi
conn=${CONN:-32}
duration=${DURATION:-5}
rounds=${ROUNDS:-3}

cargo build --release --quiet --bin hookctl --example bare_receiver
bin=$PWD/target/release/hookctl
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && pkill -P "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

secret=bench-secret
python3 - "$work/body.json" <<'PY'
import json, sys
json.dump({"action": "opened", "padding": "x" * 990}, open(sys.argv[1], "w"), separators=(",", ":"))
PY
sig=$("$bin" sign -p github --event push --secret "$secret" --body "$work/body.json" | sed -n 's/^X-Hub-Signature-256: //p')
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
local f = io.open("$work/body.json", "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-GitHub-Event"] = "push"
wrk.headers["X-GitHub-Delivery"] = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
wrk.headers["X-Hub-Signature-256"] = "$sig"
LUA

# start CMD...: runs a receiver pinned to the server core, waits for its URL.
start() {
  taskset -c "$server_cpu" /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$work/out" 2>/dev/null &
  pid=$!
  for _ in $(seq 100); do grep -q "listening\|\"url\"" "$work/out" 2>/dev/null && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*/\?' "$work/out" | head -1)
}
# Background jobs of a script ignore SIGINT, and GNU time does not pass signals on:
# send SIGTERM to the receiver itself, the child of time.
stop() { pkill -TERM -P "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }
load() {
  taskset -c "$client_cpu" wrk -t1 -c"$conn" -d"${duration}s" -s "$work/post.lua" "$url" > "$work/wrk"
  non2xx=$(awk '/Non-2xx/ {print $4}' "$work/wrk")
  [ -z "$non2xx" ] || { echo "bench: $1 answered $non2xx non-2xx responses" >&2; exit 1; }
  awk '/Requests\/sec/ {print $2}' "$work/wrk"
}

best() { python3 -c 'import sys; print(max(float(a) for a in sys.argv[1:]))' "$@"; }
bare_runs=(); shell_runs=(); hk_runs=(); hkn_runs=(); node_runs=(); hk_rss=0; stored=0
for round in $(seq "$rounds"); do
  start env THREADS=1 target/release/examples/bare_receiver 127.0.0.1:0
  bare_runs+=("$(load "bare hyper")"); stop
  start env THREADS=1 AS_LISTEN=1 target/release/examples/bare_receiver 127.0.0.1:0
  shell_runs+=("$(load "hyper shell")"); stop
  rm -f "$work"/store.db*
  start "$bin" --store "$work/store.db" --json listen --port 0 -p github --secret "$secret"
  hk_runs+=("$(load "hookctl listen")"); stop
  answered=$(awk '/requests in/ {print $1}' "$work/wrk")
  hk_rss=$(( $(tail -1 "$work/rss") > hk_rss ? $(tail -1 "$work/rss") : hk_rss ))
  # What `listen` committed to its journal and had not indexed when it stopped is
  # indexed by the next command that opens the store: how long that takes.
  t0=$(date +%s.%N)
  "$bin" --store "$work/store.db" deliveries list --limit 1 > /dev/null
  catchup=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$t0" "$(date +%s.%N)")
  # Every delivery wrk saw answered must be in the store.
  stored=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from deliveries").fetchone()[0])' "$work/store.db")
  [ "$stored" -ge "$answered" ] || { echo "bench: wrk saw $answered answers, the store holds $stored" >&2; exit 1; }
  start "$bin" --no-store --json listen --port 0 -p github --secret "$secret"
  hkn_runs+=("$(load "hookctl listen --no-store")"); stop
  start env SECRET="$secret" node bench/node_receiver.js
  node_runs+=("$(load "node")"); stop
  echo "round $round: bare ${bare_runs[-1]}  shell ${shell_runs[-1]}  listen ${hk_runs[-1]} ($stored recorded; the rest indexed in ${catchup} s after it stopped)  --no-store ${hkn_runs[-1]}  node ${node_runs[-1]}" >&2
done
bare=$(best "${bare_runs[@]}"); shell=$(best "${shell_runs[@]}"); hk=$(best "${hk_runs[@]}"); hk_nostore=$(best "${hkn_runs[@]}"); nodejs=$(best "${node_runs[@]}")

python3 - "$bare" "$hk" "$hk_rss" "$stored" "$hk_nostore" "$nodejs" "$shell" <<'PY'
import sys
bare, hk, rss, stored, hkn, node, shell = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
print(f"bare hyper (no verification, no store):     {bare:10.0f} req/s")
print(f"hyper as listen serves (timeouts, graceful shutdown, JSON answer; no work): {shell:.0f} req/s = {shell/bare:.2f} of bare")
print(f"hookctl listen (verify + store, all 2xx):    {hk:10.0f} req/s   peak RSS {rss/1024:.1f} MiB   {stored} deliveries recorded")
print(f"hookctl listen --no-store (verify only):     {hkn:10.0f} req/s")
print(f"node http + crypto (verify only):            {node:10.0f} req/s")
if node < 0.2 * bare:
    print(f"node measured at {node/bare:.2f} of bare hyper: not plausible for a plain Node receiver (about 0.3 to 0.4 here); the benchmark is broken, nothing is compared")
    sys.exit(1)
def verdict(ok): return "met" if ok else "NOT met"
print(f"listen (store) / node:   {hk/node:.2f}  (target >= 1.50) {verdict(hk/node >= 1.5)}")
print(f"listen (store) / bare:   {hk/bare:.2f}  (target >= 0.50) {verdict(hk/bare >= 0.5)}")
print(f"listen --no-store / bare: {hkn/bare:.2f}  (target >= 0.80) {verdict(hkn/bare >= 0.8)}")
print(f"node / bare:             {node/bare:.2f}")
print(f"peak RSS under load:     {rss/1024:.1f} MiB (target < 50) {verdict(rss < 50 * 1024)}")
PY
