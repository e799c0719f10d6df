#!/usr/bin/env bash
# Side-by-side update benchmark: nskit, copier and cruft update the same project (the
# synthetic template of make_templates.py, with the same user edits) from v1.0.0 to v1.1.0
# (bench/update_scenario.py). Each tool's outcome is checked first: every user edit kept,
# the template's changes applied, and the same files in conflict. Then hyperfine times each
# update from a fresh copy of the edited project, and the ratios are printed. Not a test:
# run it by hand.
#
#   bench/update.sh [FILES=2000]        RUNS=3 by default
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FILES="${1:-2000}"
RUNS="${RUNS:-3}"
OUT="${BENCH_DIR:-$ROOT/bench/out}/update-$FILES"
VENV="$ROOT/.bench-venv"
SCENARIO="$ROOT/bench/update_scenario.py"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

command -v hyperfine >/dev/null || { say "installing hyperfine"; apt-get install -y -qq hyperfine >/dev/null; }
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if [ ! -x "$VENV/bin/copier" ] || [ ! -x "$VENV/bin/cruft" ]; then
  say "installing copier 9.19.1 and cruft 2.16.0 in .bench-venv"
  "$VENV/bin/pip" install -q copier==9.19.1 cruft==2.16.0
fi
say "building nskit (release)"
cargo build --quiet --release -p nskit-cli --manifest-path "$ROOT/Cargo.toml"
NSKIT="$ROOT/target/release/nskit"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com

rm -rf "$OUT" && mkdir -p "$OUT/pristine" "$OUT/trash"
TPL="$OUT/tpl"
python3 "$SCENARIO" setup "$FILES" "$TPL"

commit() { git -C "$1" add -A && git -C "$1" commit -qm "$2"; }

say "generating v1.0.0 with each tool, then the user's edits"
NSKIT_RECIPES_DIR="$TPL/nskit" "$NSKIT" --backend local init --recipe bench --version 1.0.0 \
  --defaults --output-base-path "$OUT/pristine/nskit" >/dev/null
"$VENV/bin/copier" copy --quiet --defaults --vcs-ref v1.0.0 "$TPL/copier" "$OUT/pristine/copier/demo" >/dev/null
git -C "$OUT/pristine/copier/demo" init -q -b main && commit "$OUT/pristine/copier/demo" v1
(cd "$OUT/pristine" && mkdir -p cruft && "$VENV/bin/cruft" create --no-input --checkout v1.0.0 \
  --output-dir cruft "$TPL/cookiecutter" >/dev/null)
git -C "$OUT/pristine/cruft/demo" init -q -b main && commit "$OUT/pristine/cruft/demo" v1
for t in nskit copier cruft; do
  python3 "$SCENARIO" edit "$OUT/pristine/$t/demo/demo" "$FILES"
  commit "$OUT/pristine/$t/demo" "my edits"
done

nskit_cmd="NSKIT_RECIPES_DIR=$TPL/nskit $NSKIT --backend local update --project-path $OUT/run/nskit/demo --target-version 1.1.0 --defaults"
copier_cmd="$VENV/bin/copier update --quiet --defaults --vcs-ref v1.1.0 --conflict inline $OUT/run/copier/demo"
cruft_cmd="cd $OUT/run/cruft/demo && $VENV/bin/cruft update --skip-apply-ask --checkout v1.1.0"
# A fresh copy of each project, its git index refreshed as a working copy's is after any git
# command (a copy changes every file's inode, which would otherwise make each tool's first
# status re-read every file).
fresh="for t in nskit copier cruft; do [ -e $OUT/run/\$t ] && mv $OUT/run/\$t $OUT/trash/\$t-\$(date +%s%N); done; mkdir -p $OUT/run && cp -a $OUT/pristine/. $OUT/run/ && for t in nskit copier cruft; do git -C $OUT/run/\$t/demo update-index -q --refresh >/dev/null || true; done"

say "checking each tool's outcome"
bad=0
sh -c "$fresh"
for t in nskit copier cruft; do
  cmd_var="${t}_cmd"
  sh -c "${!cmd_var}" >/dev/null 2>&1 || true
  printf '%s: ' "$t" >&2
  python3 "$SCENARIO" check "$OUT/run/$t/demo/demo" "$FILES" >&2 || bad=1
done
[ "$bad" = 0 ] || { echo "the tools disagree on the outcome; not timing" >&2; exit 1; }

say "timing the update of $FILES files, $RUNS runs each"
hyperfine --style basic --runs "$RUNS" -i --export-json "$OUT/update.json" --prepare "$fresh" \
  -n nskit "$nskit_cmd" -n copier "$copier_cmd" -n cruft "$cruft_cmd" >&2
rm -rf "$OUT/trash" "$OUT/run"

python3 - "$OUT/update.json" "$FILES" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
n = r["nskit"]
print(f"update {sys.argv[2]} files: nskit {n:.3f} s, cruft {r['cruft']:.3f} s ({r['cruft']/n:.1f}x), "
      f"copier {r['copier']:.3f} s ({r['copier']/n:.1f}x)")
PY
