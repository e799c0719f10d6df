#!/usr/bin/env python3
"""Compare `nskit merge-file` with `git merge-file` on real 3-way cases taken from the merge
commits of a git repository's history.

    merge_corpus.py REPO [--max-merges N] [--nskit PATH] [--keep DIR]
    merge_corpus.py --trees BASE OURS THEIRS [--nskit PATH] [--keep DIR]

For every merge commit with two parents, the merge base of the parents is found; each file
changed on both sides (present in all three, text, under 1 MB) is one case: base, ours (the
first parent) and theirs (the second). Both tools merge it in merge style and in diff3
style; the outputs and the exit statuses (the number of conflicts) are compared. Cases are
written to a temporary folder (or DIR with --keep), never into this project.

With --trees, the cases are the files changed on both sides of three folders: the releases
of two maintenance lines of a real project and their fork point (say a stable branch's
first and latest releases, and the main line's next release), for when no clone with the
merge history can be had.

Prints how many cases are identical, how many differ, and for the differences a reason:
`clean in both, different text`, `conflict count differs`, `markers placed differently`.
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git(repo, *args, binary=False):
    out = subprocess.run(["git", "-c", "safe.directory=*", "-C", repo, *args], check=True, capture_output=True)
    return out.stdout if binary else out.stdout.decode()


def cases(repo, max_merges):
    merges = git(repo, "rev-list", "--merges", "--parents", f"--max-count={max_merges}", "HEAD").split("\n")
    for line in merges:
        ids = line.split()
        if len(ids) != 3:
            continue
        merge, ours, theirs = ids
        try:
            base = git(repo, "merge-base", ours, theirs).strip()
        except subprocess.CalledProcessError:
            continue
        if not base:
            continue
        changed_ours = set(git(repo, "diff", "--name-only", "--no-renames", "--diff-filter=M", base, ours).split())
        changed_theirs = set(git(repo, "diff", "--name-only", "--no-renames", "--diff-filter=M", base, theirs).split())
        for path in sorted(changed_ours & changed_theirs):
            sides = []
            for rev in (base, ours, theirs):
                try:
                    sides.append(git(repo, "show", f"{rev}:{path}", binary=True))
                except subprocess.CalledProcessError:
                    break
            if len(sides) != 3 or any(b"\0" in s[:8000] or len(s) > 1_000_000 for s in sides):
                continue
            yield merge[:10], path, sides


def tree_cases(base, ours, theirs):
    for d, _, fs in os.walk(base):
        for f in sorted(fs):
            rel = os.path.relpath(os.path.join(d, f), base)
            paths = [os.path.join(t, rel) for t in (base, ours, theirs)]
            if not all(os.path.isfile(p) for p in paths):
                continue
            sides = [open(p, "rb").read() for p in paths]
            if sides[1] == sides[0] or sides[2] == sides[0] or sides[1] == sides[2]:
                continue
            if any(b"\0" in x[:8000] or len(x) > 1_000_000 for x in sides):
                continue
            yield "trees", rel, sides


def run_merge(cmd, files, diff3):
    args = [*cmd, "-p", "-L", "ours", "-L", "base", "-L", "theirs"]
    if diff3:
        args.append("--diff3")
    r = subprocess.run([*args, *files], capture_output=True)
    return r.returncode, r.stdout


def reason(git_out, nskit_out):
    (gc, _), (nc, _) = git_out, nskit_out
    if gc == 0 and nc == 0:
        return "both clean, different text"
    if gc == 0:
        return "git clean, nskit conflicts"
    if nc == 0:
        return "git conflicts, nskit clean"
    if gc != nc:
        return "both conflict, a different number of conflicts"
    return "both conflict as often, markers placed differently"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("repo", nargs="?")
    ap.add_argument("--trees", nargs=3, metavar=("BASE", "OURS", "THEIRS"))
    ap.add_argument("--max-merges", type=int, default=2000)
    ap.add_argument("--nskit", default=os.path.join(ROOT, "target/release/nskit"))
    ap.add_argument("--keep")
    a = ap.parse_args()
    if a.trees:
        source = tree_cases(*a.trees)
        a.repo = " / ".join(a.trees)
    elif a.repo:
        try:
            git(a.repo, "rev-parse", "--git-dir")
        except subprocess.CalledProcessError as e:
            sys.exit(f"{a.repo} is not a git repository: {e.stderr.decode().strip()}")
        source = cases(a.repo, a.max_merges)
    else:
        ap.error("give a repository, or --trees BASE OURS THEIRS")
    if not os.path.exists(a.nskit):
        subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "nskit-cli",
                        "--manifest-path", os.path.join(ROOT, "Cargo.toml")], check=True)
    work = a.keep or tempfile.mkdtemp(prefix="nskit-corpus-")
    os.makedirs(work, exist_ok=True)
    totals = {False: [0, 0, 0, 0], True: [0, 0, 0, 0]}  # style → [cases, identical, git clean, of those identical]
    reasons = {}
    examples = []
    n = 0
    for merge, path, sides in source:
        n += 1
        d = os.path.join(work, f"{n:05d}")
        os.makedirs(d, exist_ok=True)
        files = []
        for name, data in zip(("ours", "base", "theirs"), (sides[1], sides[0], sides[2])):
            f = os.path.join(d, name)
            with open(f, "wb") as fh:
                fh.write(data)
            files.append(f)
        for diff3 in (False, True):
            g = run_merge(["git", "merge-file"], files, diff3)
            s = run_merge([a.nskit, "merge-file"], files, diff3)
            t = totals[diff3]
            t[0] += 1
            t[2] += g[0] == 0
            if g == s:
                t[1] += 1
                t[3] += g[0] == 0
            else:
                r = reason(g, s)
                reasons[(diff3, r)] = reasons.get((diff3, r), 0) + 1
                if len(examples) < 10:
                    where = d if a.keep else f"{merge} {path}"
                    examples.append(f"{where} ({'diff3' if diff3 else 'merge'} style): {r}")
        if not a.keep:
            for f in files:
                os.remove(f)
            os.rmdir(d)
    if not a.keep:
        os.rmdir(work)
    if n == 0:
        print(f"{a.repo}: no merge commit with a file changed on both sides")
        return 0
    print(f"{a.repo}: {n} three-way cases")
    for diff3 in (False, True):
        cases_n, same, clean, clean_same = totals[diff3]
        print(f"  {'diff3' if diff3 else 'merge'} style: {same}/{cases_n} identical to git merge-file "
              f"({100.0 * same / cases_n:.1f}%), {cases_n - same} differ; where git merges cleanly, "
              f"{clean_same}/{clean} identical")
        for (d3, r), k in sorted(reasons.items()):
            if d3 == diff3:
                print(f"    {k}: {r}")
    for e in examples:
        print("  e.g.", e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
