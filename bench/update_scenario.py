#!/usr/bin/env python3
"""The update scenario of the side-by-side benchmark, for nskit, copier and cruft.

    update_scenario.py setup FILES OUT     templates v1.0.0 and v1.1.0 in each tool's form
    update_scenario.py edit PROJECT_PKG FILES
                                           the user's edits, in a generated package folder
    update_scenario.py check PROJECT_PKG FILES
                                           is the updated package folder right? prints the
                                           conflicted files; exits 1 when something is wrong

Version 1.1.0 of the template changes line 05 of every 10th file, adds 5 files and deletes 2.
The user edits line 21 of every 10th file, and line 05 (the template's line) of every 100th:
those are the expected conflicts. Templates come from make_templates.py; copier's and
cookiecutter's versions are git tags of a template repository, nskit's are folders of a local
backend.
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ADDED = 5
DELETED = (1, 2)
TEMPLATE_LINE = "05 changed in v1.1.0"
USER_LINE_21 = "21 user edit"
USER_LINE_05 = "05 user edit"


def replace_line(path, number, text):
    with open(path) as f:
        lines = f.read().split("\n")
    prefix = f"{number:02d} "
    hits = [i for i, l in enumerate(lines) if l.startswith(prefix)]
    assert len(hits) == 1, (path, number)
    lines[hits[0]] = text
    with open(path, "w") as f:
        f.write("\n".join(lines))


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.com",
                        "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.com"})


def new_version(pkg_root, files, suffix):
    """Turns the template files under pkg_root into version 1.1.0."""
    for i in range(files):
        f = os.path.join(pkg_root, f"mod{i % 20:02d}", f"file{i:04d}.txt{suffix}")
        if i in DELETED:
            os.remove(f)
        elif i % 10 == 0:
            replace_line(f, 5, TEMPLATE_LINE)
    os.makedirs(os.path.join(pkg_root, "new"), exist_ok=True)
    for k in range(ADDED):
        with open(os.path.join(pkg_root, "new", f"added{k}.txt{suffix}"), "w") as f:
            f.write(f"added in v1.1.0: {k}\n")


def setup(files, out):
    subprocess.run([sys.executable, os.path.join(HERE, "make_templates.py"), str(files), out],
                   check=True, stdout=subprocess.DEVNULL)
    # nskit: a second version folder.
    v1 = os.path.join(out, "nskit/bench/1.0.0")
    v2 = os.path.join(out, "nskit/bench/1.1.0")
    shutil.copytree(v1, v2)
    manifest = os.path.join(v2, "recipe.yaml")
    with open(manifest) as f:
        text = f.read().replace("version: 1.0.0", "version: 1.1.0")
    with open(manifest, "w") as f:
        f.write(text)
    new_version(os.path.join(v2, "template", "{{ project_name }}"), files, "")
    # copier: a git repository with tags; the answers file copier's updates need.
    cp = os.path.join(out, "copier")
    with open(os.path.join(cp, "{{ _copier_conf.answers_file }}.jinja"), "w") as f:
        f.write("# Changes here will be overwritten by Copier\n{{ _copier_answers|to_nice_yaml -}}\n")
    # cookiecutter (for cruft): the same.
    cc = os.path.join(out, "cookiecutter")
    for repo, pkg, suffix in ((cp, "{{ project_name }}", ".jinja"),
                              (cc, "{{cookiecutter.project_name}}/{{cookiecutter.project_name}}", "")):
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "v1.0.0")
        git(repo, "tag", "v1.0.0")
        new_version(os.path.join(repo, pkg), files, suffix)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "v1.1.0")
        git(repo, "tag", "v1.1.0")


def edit(pkg, files):
    for i in range(files):
        f = os.path.join(pkg, f"mod{i % 20:02d}", f"file{i:04d}.txt")
        if i % 10 == 0:
            replace_line(f, 21, USER_LINE_21)
        if i % 100 == 0:
            replace_line(f, 5, USER_LINE_05)


MARKER = re.compile(r"^(<{7}|={7}|>{7})", re.M)


def check(pkg, files):
    problems = []
    conflicted = []
    for i in range(files):
        f = os.path.join(pkg, f"mod{i % 20:02d}", f"file{i:04d}.txt")
        if i in DELETED:
            if os.path.exists(f):
                problems.append(f"file{i:04d} should have been deleted")
            continue
        if not os.path.exists(f):
            problems.append(f"file{i:04d} is missing")
            continue
        text = open(f).read()
        markers = bool(MARKER.search(text))
        if markers:
            conflicted.append(i)
        if i % 10 == 0 and USER_LINE_21 not in text:
            problems.append(f"file{i:04d} lost the user's line 21")
        if i % 100 == 0:
            if not markers or USER_LINE_05 not in text or TEMPLATE_LINE not in text:
                problems.append(f"file{i:04d} should be a conflict showing both line 05s")
        elif i % 10 == 0:
            if markers or TEMPLATE_LINE not in text:
                problems.append(f"file{i:04d} should have merged cleanly with the template's line 05")
        elif markers:
            problems.append(f"file{i:04d} has conflict markers")
    for k in range(ADDED):
        if not os.path.exists(os.path.join(pkg, "new", f"added{k}.txt")):
            problems.append(f"new/added{k}.txt is missing")
    expected = [i for i in range(files) if i % 100 == 0]
    print(f"conflicts: {len(conflicted)} files ({', '.join(f'file{i:04d}' for i in conflicted[:5])}"
          f"{', ...' if len(conflicted) > 5 else ''}); expected {len(expected)}")
    if conflicted != expected:
        problems.append("the conflicts are not the expected ones")
    for p in problems[:10]:
        print("  wrong:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "setup":
        setup(int(sys.argv[2]), sys.argv[3])
    elif cmd == "edit":
        edit(sys.argv[2], int(sys.argv[3]))
    elif cmd == "check":
        sys.exit(check(sys.argv[2], int(sys.argv[3])))
    else:
        sys.exit(__doc__)
