#!/usr/bin/env bash
# Times `hookctl verify` on a 1 KiB body as a whole process against
# `openssl dgst -sha256 -hmac` on the same input, in one hyperfine run, and prints
# the ratio. Target (issue: core): hookctl at most half of openssl's time.
#
#   bash bench/verify.sh            # builds the release binary first
#   RUNS=500 bash bench/verify.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hyperfine || ! need openssl; then
  if [ "$(id -u)" = 0 ] && need apt-get; then
    apt-get update -qq && apt-get install -y -qq hyperfine openssl >/dev/null
  else
    echo "bench: needs hyperfine and openssl (apt-get install hyperfine openssl)" >&2
    exit 2
  fi
fi

cargo build --release --quiet
bin=$PWD/target/release/hookctl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A 1 KiB JSON body and its GitHub-style signature.
python3 - "$work/body.json" <<'PY'
import json, sys
body = {"action": "opened", "padding": ""}
text = json.dumps(body, separators=(",", ":"))
body["padding"] = "x" * (1024 - len(text))
open(sys.argv[1], "w").write(json.dumps(body, separators=(",", ":")))
PY
secret=bench-secret-0123456789
sig=$("$bin" sign --profile github --event push --secret "$secret" --body "$work/body.json" | sed -n 's/^X-Hub-Signature-256: //p')
"$bin" verify --profile github --secret "$secret" -H "X-Hub-Signature-256: $sig" --body "$work/body.json" >/dev/null

runs=${RUNS:-300}
hyperfine --style basic -N --warmup 30 --runs "$runs" --export-json "$work/result.json" \
  -n "hookctl verify" "$bin verify --profile github --secret $secret -H 'X-Hub-Signature-256: $sig' --body $work/body.json" \
  -n "openssl dgst -hmac" "openssl dgst -sha256 -hmac $secret $work/body.json" >&2

python3 - "$work/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
h, o = r["hookctl verify"], r["openssl dgst -hmac"]
ms = lambda x: x * 1000
print(f"hookctl verify (1 KiB, whole process): mean {ms(h['mean']):.2f} ms  median {ms(h['median']):.2f} ms")
print(f"openssl dgst -sha256 -hmac (same body): mean {ms(o['mean']):.2f} ms  median {ms(o['median']):.2f} ms")
ratio = h["mean"] / o["mean"]
print(f"ratio hookctl/openssl: {ratio:.2f} (target <= 0.50) -> {'met' if ratio <= 0.5 else 'NOT met'}")
PY
