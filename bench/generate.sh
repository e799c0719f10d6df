#!/usr/bin/env bash
# Side-by-side generation benchmark: nskit, cookiecutter and cargo-generate render the same
# synthetic template (bench/make_templates.py) in one run, beside the floor of the job: `cp -r`
# of the finished tree, and `cp -r` plus `git init && git add -A && git commit` with the git
# CLI. The floor is measured twice: on today's template (whose text files render alike) and
# on one whose files all differ (`--distinct`), where git stores every file. Each output is checked against
# the others before anything is timed; then hyperfine times each tool and the ratios are
# printed. Before each timed run the previous outputs are moved aside, not deleted: on
# ext4 mounted with `discard` (as here), creating files right after deleting thousands
# stalls for about a second, whichever tool runs, which would measure the disk rather than
# the tools. Everything is deleted once timing is over. Not a test: run it by hand.
#
#   bench/generate.sh [FILES=2000]        RUNS=5 by default
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FILES="${1:-2000}"
RUNS="${RUNS:-5}"
# Outputs go to bench/out (BENCH_DIR=/dev/shm/nskit-bench to measure on tmpfs instead).
OUT="${BENCH_DIR:-$ROOT/bench/out}"
TOOLS="$ROOT/bench/.tools"
export PATH="$TOOLS/bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

command -v hyperfine >/dev/null || { say "installing hyperfine"; apt-get install -y -qq hyperfine >/dev/null; }
if [ ! -x "$ROOT/.bench-venv/bin/cookiecutter" ]; then
  say "installing cookiecutter 2.7.1 in .bench-venv"
  python3 -m venv "$ROOT/.bench-venv"
  "$ROOT/.bench-venv/bin/pip" install -q cookiecutter==2.7.1
fi
if [ ! -x "$TOOLS/bin/cargo-generate" ]; then
  say "installing cargo-generate 0.23.7 (the last that builds with this rustc)"
  cargo install --quiet --locked cargo-generate --version 0.23.7 --root "$TOOLS"
fi
say "building nskit (release)"
cargo build --quiet --release -p nskit-cli --manifest-path "$ROOT/Cargo.toml"
NSKIT="$ROOT/target/release/nskit"
CC="$ROOT/.bench-venv/bin/cookiecutter"
CG="$TOOLS/bin/cargo-generate"

rm -rf "$OUT" && mkdir -p "$OUT/gen"
python3 "$ROOT/bench/make_templates.py" "$FILES" "$OUT/tpl" >&2
TPL="$OUT/tpl"

nskit_cmd="NSKIT_RECIPES_DIR=$TPL/nskit $NSKIT --backend local init --recipe bench --defaults --no-git --output-base-path $OUT/gen/nskit"
nskit_git_cmd="NSKIT_RECIPES_DIR=$TPL/nskit $NSKIT --backend local init --recipe bench --defaults --output-base-path $OUT/gen/nskit-git"
cc_cmd="$CC --no-input -o $OUT/gen/cc $TPL/cookiecutter project_name=demo author=Jane"
cg_cmd="mkdir -p $OUT/gen/cg && $CG generate --path $TPL/cargogen --name demo --destination $OUT/gen/cg --silent --vcs none -d author=Jane -d license=MIT"

say "checking that the outputs agree"
for c in "$nskit_cmd" "$cc_cmd" "$cg_cmd"; do env -i PATH="$PATH" HOME="$HOME" sh -c "$c" >/dev/null; done
python3 - "$OUT/gen" <<'PY'
import os, sys
gen = sys.argv[1]
def tree(root, rename=None):
    out = {}
    for d, _, fs in os.walk(root):
        if ".git" in d.split(os.sep) or ".recipe" in d.split(os.sep):
            continue
        for f in fs:
            p = os.path.relpath(os.path.join(d, f), root)
            if rename:
                p = p.replace(rename[0], rename[1], 1) if p.startswith(rename[0]) else p
            out[p] = open(os.path.join(d, f), "rb").read()
    return out
ours = tree(os.path.join(gen, "nskit/demo"))
cc = tree(os.path.join(gen, "cc/demo"))
cg = tree(os.path.join(gen, "cg/demo"), ("pkg/", "demo/"))
for name, other in (("cookiecutter", cc), ("cargo-generate", cg)):
    missing = sorted(set(ours) ^ set(other))
    differ = sorted(p for p in set(ours) & set(other) if ours[p] != other[p])
    if missing or differ:
        sys.exit(f"nskit and {name} disagree: {len(missing)} files only on one side (e.g. {missing[:3]}), {len(differ)} differ (e.g. {differ[:3]})")
    print(f"nskit and {name} agree on {len(ours)} files", file=sys.stderr)
PY

# The floor: the same trees copied, and copied then committed with the git CLI, against
# nskit without and with its commit, for both templates.
python3 "$ROOT/bench/make_templates.py" "$FILES" "$OUT/tpl-distinct" --distinct >&2
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
for kind in alike distinct; do
  tpl="$TPL"; [ "$kind" = distinct ] && tpl="$OUT/tpl-distinct"
  ref="$OUT/ref-$kind"
  rm -rf "$ref" && NSKIT_RECIPES_DIR="$tpl/nskit" "$NSKIT" --backend local init --recipe bench \
    --defaults --no-git --output-base-path "$ref" >/dev/null
  o="$OUT/floor-$kind"
  hyperfine --style basic --warmup 2 --runs "$((RUNS * 4))" --export-json "$OUT/floor-$kind.json" \
    --prepare "mkdir -p $OUT/trash; [ -e $o ] && mv $o $OUT/trash/floor-\$(date +%s%N); true" \
    -n "cp -r" "cp -r $ref/demo $o" \
    -n "cp -r + git" "cp -r $ref/demo $o && cd $o && git init -q && git add -A && git commit -qm x" \
    -n "nskit" "NSKIT_RECIPES_DIR=$tpl/nskit $NSKIT --backend local init --recipe bench --defaults --no-git --output-override-path $o" \
    -n "nskit+git" "NSKIT_RECIPES_DIR=$tpl/nskit $NSKIT --backend local init --recipe bench --defaults --output-override-path $o" >&2
done
rm -rf "$OUT/trash"

say "timing $FILES files, $RUNS runs each"
mkdir -p "$OUT/trash"
hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$OUT/generate.json" \
  --prepare "for d in nskit nskit-git cc cg; do [ -e $OUT/gen/\$d ] && mv $OUT/gen/\$d $OUT/trash/\$d-\$(date +%s%N); done; true" \
  -n nskit "$nskit_cmd" -n "nskit+git" "$nskit_git_cmd" -n cookiecutter "$cc_cmd" -n cargo-generate "$cg_cmd" >&2
rm -rf "$OUT/trash"
hyperfine --style basic --warmup 3 --runs 30 --export-json "$OUT/startup.json" -N \
  -n "nskit --version" "$NSKIT --version" -n "cookiecutter --version" "$CC --version" -n "cargo-generate --version" "$CG --version" >&2

python3 - "$OUT" "$FILES" <<'PY'
import json, sys
out, files = sys.argv[1], sys.argv[2]
gen = {r["command"]: r for r in json.load(open(f"{out}/generate.json"))["results"]}
start = {r["command"]: r for r in json.load(open(f"{out}/startup.json"))["results"]}
ours = gen["nskit"]["mean"]
print(f"\ngenerate {files} files (mean of runs, seconds):")
for name, r in gen.items():
    print(f"  {name:16s} {r['mean']:8.3f} ± {r['stddev']:.3f}   {r['mean'] / ours:6.1f}x nskit")
print(f"  cookiecutter / nskit = {gen['cookiecutter']['mean'] / ours:.1f}x (target 20x)")
print(f"  cargo-generate / nskit = {gen['cargo-generate']['mean'] / ours:.1f}x (target 10x)")
for kind in ("alike", "distinct"):
    f = {r["command"]: r["median"] for r in json.load(open(f"{out}/floor-{kind}.json"))["results"]}
    print(f"the floor, {kind} files (median): cp -r {f['cp -r']:.3f} s, nskit {f['nskit']:.3f} s "
          f"= {f['nskit'] / f['cp -r']:.2f}x (target 2x); cp -r + git {f['cp -r + git']:.3f} s, "
          f"nskit+git {f['nskit+git']:.3f} s = {f['nskit+git'] / f['cp -r + git']:.2f}x (target 1.2x)")
print("start-up (--version, mean):")
for name, r in start.items():
    print(f"  {name:24s} {r['mean'] * 1000:7.2f} ms")
PY
