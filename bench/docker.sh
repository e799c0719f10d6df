#!/usr/bin/env bash
# Docker benchmarks (not tests; run by hand). Needs a Docker engine: DOCKER_HOST if it
# answers, else a private dockerd started here (as scripts/test does) and stopped on exit.
#
# 1. Init overhead: the same recipe (the synthetic template of make_templates.py, FILES
#    files) created from a local folder, from a template image (copy-out through the engine
#    API, then rendering here), and, for scale, the cost of one sandboxed container run.
#    Target: under 0.5 s of overhead per init.
# 2. Listing a registry of RECIPES recipes x TAGS tags (a private registry filled over the
#    Registry API by populate_registry.py), cold (no cache) and cached.
#    Targets: under 1 s cold, under 50 ms cached.
#
#   bench/docker.sh            FILES=200 RECIPES=100 TAGS=20 RUNS=10
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FILES="${FILES:-200}"
RECIPES="${RECIPES:-100}"
TAGS="${TAGS:-20}"
RUNS="${RUNS:-10}"
OUT="${BENCH_DIR:-$ROOT/bench/out}/docker"
PORT="${BENCH_REGISTRY_PORT:-5050}"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/services.sh"

command -v hyperfine >/dev/null || { say "installing hyperfine"; apt-get install -y -qq hyperfine >/dev/null; }
ensure_test_packages
rm -rf "$OUT" && mkdir -p "$OUT"
trap stop_services EXIT
if ! docker info >/dev/null 2>&1; then start_docker; fi
say "building nskit (release)"
cargo build --quiet --release -p nskit-cli --manifest-path "$ROOT/Cargo.toml"
NSKIT="$ROOT/target/release/nskit"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
export XDG_CACHE_HOME="$OUT/cache"

say "1. init: local folder vs template image ($FILES files)"
python3 "$ROOT/bench/update_scenario.py" setup "$FILES" "$OUT/tpl" >/dev/null
"$NSKIT" recipe build "$OUT/tpl/nskit/bench/1.0.0" --tag nskit-bench/bench:1.0.0 >/dev/null

hyperfine --runs "$RUNS" --warmup 1 --export-json "$OUT/init.json" \
  --prepare "rm -rf $OUT/run" \
  -n local "NSKIT_RECIPES_DIR=$OUT/tpl/nskit $NSKIT --backend local init --recipe bench --version 1.0.0 --defaults --no-git --output-override-path $OUT/run" \
  -n docker-local "$NSKIT --backend docker-local init --recipe bench --version 1.0.0 --defaults --no-git --output-override-path $OUT/run"

say "2. listing $RECIPES recipes x $TAGS tags from a registry"
d="$SERVICES_DIR/bench-registry"
mkdir -p "$d"
printf 'version: 0.1\nlog: {level: warn}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' "$d/data" "$PORT" >"$d/config.yml"
docker-registry serve "$d/config.yml" >"$d/log" 2>&1 &
echo $! >"$d/pid"
SERVICE_PIDFILES+=("$d/pid")
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
python3 "$ROOT/bench/populate_registry.py" "http://127.0.0.1:$PORT" bench "$RECIPES" "$TAGS"
printf 'backend:\n  type: docker\n  registry_url: http://127.0.0.1:%s\n  image_prefix: bench\n' "$PORT" >"$OUT/registry.yaml"
count="$("$NSKIT" --config "$OUT/registry.yaml" list --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r), sum(len(x["versions"]) for x in r))')"
say "listed (recipes, versions): $count"
[ "$count" = "$RECIPES $((RECIPES * TAGS))" ] || { echo "expected $RECIPES recipes and $((RECIPES * TAGS)) versions" >&2; exit 1; }
hyperfine --runs "$RUNS" --warmup 1 --export-json "$OUT/list.json" \
  --prepare "rm -rf $XDG_CACHE_HOME/nskit/registry" --prepare true \
  -n cold "$NSKIT --config $OUT/registry.yaml list" \
  -n cached "$NSKIT --config $OUT/registry.yaml list"

python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
def means(name):
    return {r["command"]: r["mean"] for r in json.load(open(f"{out}/{name}.json"))["results"]}
i = means("init"); l = means("list")
print(f"init: local {i['local']:.3f} s, docker-local {i['docker-local']:.3f} s: "
      f"overhead {i['docker-local'] - i['local']:.3f} s ({i['docker-local'] / i['local']:.1f}x; target < 0.5 s)")
print(f"list: cold {l['cold']:.3f} s (target < 1 s), cached {l['cached'] * 1000:.1f} ms (target < 50 ms), "
      f"cold/cached {l['cold'] / l['cached']:.0f}x")
PY
