#!/usr/bin/env bash
# `hookctl send --count` against `wrk` on the same local receiver, in one run.
# The receiver (examples/bare_receiver.rs, a bare hyper server) is pinned to one core,
# the load generator to the other. wrk replays one fixed request; hookctl builds,
# signs and sends a distinct event every time (own id, timestamp and signature).
# Target (issue: send): hookctl's rate at least 80 % of wrk's. Peak memory reported.
#
# The machine is shared and noisy (one run to the next varies by a third): the tools
# take turns, ROUNDS times, and each one's best run is compared.
#
#   bash bench/send.sh                 # COUNT=300000 STORE_COUNT=60000 CONN=32 DURATION=5 ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need taskset || [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && need apt-get; then
    apt-get update -qq && apt-get install -y -qq wrk util-linux time >/dev/null
  else
    echo "bench: needs wrk, taskset and GNU time (apt-get install wrk util-linux time)" >&2
    exit 2
  fi
fi
cores=$(nproc)
if [ "$cores" -ge 2 ]; then server_cpu=0; client_cpu=1; else server_cpu=0; client_cpu=0; fi

count=${COUNT:-300000}
conn=${CONN:-32}
duration=${DURATION:-5}
rounds=${ROUNDS:-3}
store_count=${STORE_COUNT:-60000}

cargo build --release --quiet --bin hookctl --example bare_receiver
bin=$PWD/target/release/hookctl
work=$(mktemp -d)
cleanup() { [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

THREADS=1 taskset -c "$server_cpu" target/release/examples/bare_receiver 127.0.0.1:0 > "$work/server.out" &
server_pid=$!
for _ in $(seq 50); do grep -q listening "$work/server.out" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/^listening //p' "$work/server.out")/hooks"

# The event data: 1 KiB of JSON, so both tools send bodies of the same size.
python3 - "$work/data.json" <<'PY'
import json, sys
json.dump({"note": "x" * 960}, open(sys.argv[1], "w"), separators=(",", ":"))
PY
"$bin" --no-store send --to "$url" -p hmac -e item.created --secret bench-secret --data "$work/data.json" --dry-run > "$work/request.txt"
bytes=$(sed -n '/^$/,/^$/p' "$work/request.txt" | tr -d '\n' | wc -c)
sig=$(sed -n 's/^X-Signature: //p' "$work/request.txt")
sed -n '/^$/,/^$/p' "$work/request.txt" | tr -d '\n' > "$work/body.json"
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
local f = io.open("$work/body.json", "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Signature"] = "$sig"
LUA

echo "receiver on cpu $server_cpu, load on cpu $client_cpu; $conn connections; body $bytes bytes; best of $rounds rounds" >&2
run_wrk() {
  taskset -c "$client_cpu" wrk -t1 -c"$conn" -d"${duration}s" -s "$work/post.lua" "$url" | awk '/Requests\/sec/ {print $2}'
}
run_hookctl() {
  taskset -c "$client_cpu" /usr/bin/time -f "%M" -o "$work/rss" "$bin" "$@" --json send --to "$url" -p hmac -e item.created \
    --secret bench-secret --data "$work/data.json" --count "$count" -c "$conn" > "$work/result.json"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; assert d["ok"]==d["sent"], d; print(d["rate"])' "$work/result.json"
}
best() { python3 -c 'import sys; print(max(float(a) for a in sys.argv[1:]))' "$@"; }
wrk_runs=(); hk_runs=(); hk_store_runs=(); hk_rss=0; hk_store_rss=0
for round in $(seq "$rounds"); do
  wrk_runs+=("$(run_wrk)")
  hk_runs+=("$(run_hookctl --no-store)"); hk_rss=$(( $(cat "$work/rss") > hk_rss ? $(cat "$work/rss") : hk_rss ))
  rm -f "$work"/store.db*
  hk_store_runs+=("$(count=$store_count run_hookctl --store "$work/store.db")")
  hk_store_rss=$(( $(cat "$work/rss") > hk_store_rss ? $(cat "$work/rss") : hk_store_rss ))
  echo "round $round: wrk ${wrk_runs[-1]}  hookctl ${hk_runs[-1]}  with the store ${hk_store_runs[-1]}" >&2
done
wrk_rps=$(best "${wrk_runs[@]}"); hk_rps=$(best "${hk_runs[@]}"); hk_store_rps=$(best "${hk_store_runs[@]}")
ratios=$(python3 -c 'import sys; n=len(sys.argv)//2; w=sys.argv[1:n+1]; h=sys.argv[n+1:]; print(" ".join(f"{float(b)/float(a):.2f}" for a,b in zip(w,h)))' "${wrk_runs[@]}" "${hk_runs[@]}")
echo "hookctl/wrk round by round: $ratios" >&2

python3 - "$wrk_rps" "$hk_rps" "$hk_rss" "$hk_store_rps" "$hk_store_rss" <<'PY'
import sys
wrk, hk, rss, hks, rsss = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print(f"wrk (one fixed request):                        {wrk:10.0f} req/s")
print(f"hookctl send --count, --no-store (signs each):   {hk:10.0f} req/s   peak RSS {rss/1024:.1f} MiB")
print(f"hookctl send --count, recording in the store:    {hks:10.0f} req/s   peak RSS {rsss/1024:.1f} MiB")
r = hk / wrk
print(f"ratio hookctl/wrk: {r:.2f} (target >= 0.80) -> {'met' if r >= 0.8 else 'NOT met'}; with the store: {hks/wrk:.2f}")
PY
