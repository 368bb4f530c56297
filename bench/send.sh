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
#   PROFILE=stripe bash bench/send.sh  # another profile (EVENT=name, else its first event)
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

profile=${PROFILE:-hmac}
# Raw text, hex and base64 alike: every profile's secret encoding takes it.
secret=00112233445566778899aabbccddeeff
count=${COUNT:-300000}
conn=${CONN:-32}
duration=${DURATION:-5}
rounds=${ROUNDS:-3}
store_count=${STORE_COUNT:-60000}

cargo build --release --quiet --bin hookctl --example bare_receiver
bin=$PWD/target/release/hookctl
if [ "$profile" = hmac ]; then default_event=item.created; else
  default_event=$("$bin" --json events -p "$profile" | head -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["event"])')
fi
event=${EVENT:-$default_event}
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
"$bin" --no-store send --to "$url" -p "$profile" -e "$event" --secret "$secret" --data "$work/data.json" --dry-run > "$work/request.txt"
# wrk sends that request, every header of it, over and over.
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
head, rest = open(f"{work}/request.txt").read().split("\n\n", 1)
body = rest.split("\n\n# the same request with curl:", 1)[0]
open(f"{work}/body.json", "w").write(body)
with open(f"{work}/post.lua", "w") as lua:
    lua.write('wrk.method = "POST"\n')
    lua.write(f'local f = io.open("{work}/body.json", "rb"); wrk.body = f:read("*a"); f:close()\n')
    for line in head.splitlines()[1:]:
        name, value = line.split(": ", 1)
        lua.write(f'wrk.headers["{name}"] = "{value}"\n')
PY
bytes=$(wc -c < "$work/body.json")

echo "profile $profile ($event); receiver on cpu $server_cpu, load on cpu $client_cpu; $conn connections; body $bytes bytes; best of $rounds rounds" >&2
# Each run prints its rate and the load generator's CPU time (user + system) per request.
run_wrk() {
  taskset -c "$client_cpu" /usr/bin/time -f "%U %S" -o "$work/cpu" wrk -t1 -c"$conn" -d"${duration}s" -s "$work/post.lua" "$url" > "$work/wrk.txt"
  python3 - "$work" <<'PY'
import re, sys
out = open(f"{sys.argv[1]}/wrk.txt").read()
n = int(re.search(r"(\d+) requests in", out).group(1))
rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
user, system = map(float, open(f"{sys.argv[1]}/cpu").read().split()[-2:])
print(rate, (user + system) * 1e6 / n)
PY
}
run_hookctl() {
  taskset -c "$client_cpu" /usr/bin/time -f "%M %U %S" -o "$work/cpu" "$bin" "$@" --json send --to "$url" -p "$profile" -e "$event" \
    --secret "$secret" --data "$work/data.json" --count "$count" -c "$conn" > "$work/result.json"
  python3 - "$work" <<'PY'
import json, sys
d = json.load(open(f"{sys.argv[1]}/result.json"))["data"]
assert d["ok"] == d["sent"], d
rss, user, system = open(f"{sys.argv[1]}/cpu").read().split()[-3:]
open(f"{sys.argv[1]}/rss", "w").write(rss)
print(d["rate"], (float(user) + float(system)) * 1e6 / d["sent"])
PY
}
wrk_runs=(); hk_runs=(); hk_store_runs=(); hk_rss=0; hk_store_rss=0
for round in $(seq "$rounds"); do
  wrk_runs+=("$(run_wrk)")
  hk_runs+=("$(run_hookctl --no-store)"); hk_rss=$(( $(cat "$work/rss") > hk_rss ? $(cat "$work/rss") : hk_rss ))
  rm -f "$work"/store.db*
  hk_store_runs+=("$(count=$store_count run_hookctl --store "$work/store.db")")
  hk_store_rss=$(( $(cat "$work/rss") > hk_store_rss ? $(cat "$work/rss") : hk_store_rss ))
  echo "round $round: wrk ${wrk_runs[-1]% *}  hookctl ${hk_runs[-1]% *}  with the store ${hk_store_runs[-1]% *}" >&2
done

python3 - "$hk_rss" "$hk_store_rss" "${wrk_runs[@]}" "${hk_runs[@]}" "${hk_store_runs[@]}" <<'PY'
import sys
rss, rsss = int(sys.argv[1]), int(sys.argv[2])
runs = [tuple(map(float, a.split())) for a in sys.argv[3:]]
n = len(runs) // 3
wrk, hk, hks = runs[:n], runs[n:2 * n], runs[2 * n:]
print("hookctl/wrk round by round: " + " ".join(f"{h[0] / w[0]:.2f}" for w, h in zip(wrk, hk)))
best = lambda rs: max(r[0] for r in rs)
cpu = lambda rs: f"{min(r[1] for r in rs):.1f}-{max(r[1] for r in rs):.1f} us CPU/request"
print(f"wrk (one fixed request):                        {best(wrk):10.0f} req/s   {cpu(wrk)}")
print(f"hookctl send --count, --no-store (signs each):   {best(hk):10.0f} req/s   {cpu(hk)}   peak RSS {rss/1024:.1f} MiB")
print(f"hookctl send --count, recording in the store:    {best(hks):10.0f} req/s   {cpu(hks)}   peak RSS {rsss/1024:.1f} MiB")
r = best(hk) / best(wrk)
print(f"ratio hookctl/wrk, best against best: {r:.2f} (target >= 0.80) -> {'met' if r >= 0.8 else 'NOT met'}; with the store: {best(hks) / best(wrk):.2f}")
PY
