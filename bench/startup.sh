#!/usr/bin/env bash
# Start-up of the release binary: `hookctl verify` as a whole process, with
# `--profile` and without (auto-detection), against `/bin/true` (the cost of any
# process at all), in one hyperfine run; then the binary's size and the page faults
# of each command (minor faults of the child, by getrusage; median of RUNS).
# Target (issue 23, item 8): the start-up above the /bin/true floor halved from
# about 2 ms, with about 230 page faults.
#
#   bash bench/startup.sh                      # builds the release binary first
#   BEFORE=/path/to/old/hookctl bash bench/startup.sh
#   BEFORE_REV=main bash bench/startup.sh      # builds that revision to compare
#   RUNS=500 bash bench/startup.sh
#
# With BEFORE or BEFORE_REV the older binary is measured in the same hyperfine run,
# so the two are compared on the same machine at the same moment.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hyperfine; then
  if [ "$(id -u)" = 0 ] && need apt-get; then
    apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
  else
    echo "bench: needs hyperfine (apt-get install hyperfine)" >&2
    exit 2
  fi
fi

work=$(mktemp -d)
cleanup() {
  if [ -n "${before_tree:-}" ]; then git worktree remove --force "$before_tree" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet
after=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/hookctl
before=${BEFORE:+$(realpath "$BEFORE")}
if [ -z "$before" ] && [ -n "${BEFORE_REV:-}" ]; then
  before_tree=$work/before-tree
  git worktree add --detach --quiet "$before_tree" "$BEFORE_REV"
  # A target dir of its own, so the two builds do not undo each other.
  (cd "$before_tree" && cargo build --release --quiet --target-dir "$OLDPWD/target/startup-before")
  before=$PWD/target/startup-before/release/hookctl
fi

# A 1 KiB JSON body, signed as GitHub signs it; the headers as `sign` prints them.
python3 - "$work/body.json" <<'PY'
import json, sys
body = {"action": "opened", "padding": ""}
text = json.dumps(body, separators=(",", ":"))
body["padding"] = "x" * (1024 - len(text))
open(sys.argv[1], "w").write(json.dumps(body, separators=(",", ":")))
PY
secret=bench-secret-0123456789
"$after" sign --profile github --event push --secret "$secret" --body "$work/body.json" >"$work/headers.txt"

# Each binary must verify, both ways, before it is timed.
bins=("$after")
[ -n "$before" ] && bins=("$before" "$after")
names=()
cmds=()
for bin in "${bins[@]}"; do
  tag=after
  [ "$bin" = "$before" ] && tag=before
  p="$bin verify --profile github --secret $secret -H @$work/headers.txt --body $work/body.json"
  a="$bin verify --secret $secret -H @$work/headers.txt --body $work/body.json"
  (cd "$work" && $p >/dev/null 2>&1 && $a >/dev/null 2>&1) || {
    echo "bench: $bin does not verify the signed body" >&2
    exit 1
  }
  names+=("$tag: verify -p github" "$tag: verify (auto-detect)")
  cmds+=("$p" "$a")
done

runs=${RUNS:-300}
args=(-n "/bin/true" "/bin/true")
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
printf '%s\n' "/bin/true" "${cmds[@]}" >"$work/commands.txt"
(cd "$work" && hyperfine --style basic -N --warmup 30 --runs "$runs" --export-json "$work/result.json" "${args[@]}") >&2

cd "$work"
python3 - "$work/result.json" "$work/commands.txt" "$runs" "$before" "$after" <<'PY'
import json, os, shlex, statistics, sys
results, commands, runs, before, after = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
r = json.load(open(results))["results"]
# hyperfine names each result; the commands themselves, in the same order:
for x, cmd in zip(r, open(commands).read().splitlines()):
    x["run"] = cmd
floor = next(x for x in r if x["command"] == "/bin/true")
def faults(cmd):
    """Median minor page faults of the child, as getrusage counts them (posix_spawn,
    so none of this script's own pages are counted)."""
    out = []
    argv = shlex.split(cmd)
    null = [(os.POSIX_SPAWN_OPEN, n, os.devnull, os.O_RDWR, 0) for n in (0, 1, 2)]
    for _ in range(min(runs, 100)):
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=null)
        _, _, ru = os.wait4(pid, 0)
        out.append(ru.ru_minflt)
    return int(statistics.median(out))
ms = lambda s: s * 1000
cpu = lambda x: x["user"] + x["system"]
# Wall time is what a script waits; CPU time (user + system, as the kernel accounts
# the child) is what the process costs, and moves less when the machine is busy.
print(f"{'command':30} {'mean':>8} {'median':>8} {'above floor':>12} {'cpu':>8} {'cpu above':>10} {'faults':>7}")
for x in r:
    above = "" if x is floor else f"{ms(x['mean'] - floor['mean']):.2f} ms"
    cabove = "" if x is floor else f"{ms(cpu(x) - cpu(floor)):.2f} ms"
    print(f"{x['command']:30} {ms(x['mean']):5.2f} ms {ms(x['median']):5.2f} ms {above:>12} "
          f"{ms(cpu(x)):5.2f} ms {cabove:>10} {faults(x['run']):>7}")
for tag, path in (("before", before), ("after", after)):
    if path:
        print(f"{tag}: release binary {os.path.getsize(path) / 1e6:.2f} MB ({path})")
if before:
    by = {x["command"]: x for x in r}
    for what in ("verify -p github", "verify (auto-detect)"):
        b, a = by[f"before: {what}"], by[f"after: {what}"]
        for label, f in (("wall", lambda x: x["mean"]), ("cpu", cpu)):
            db, da = f(b) - f(floor), f(a) - f(floor)
            print(f"{what}, {label} above the floor: {ms(db):.2f} ms -> {ms(da):.2f} ms "
                  f"({da / db:.2f} of before; target <= 0.50)")
PY
