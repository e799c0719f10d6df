#!/usr/bin/env python3
"""Write one synthetic template in four dialects: nskit, cookiecutter, cargo-generate, copier.

    make_templates.py FILES OUT [--distinct]

FILES text files of about 2 KB (every fourth line has two substitutions), spread over 20
folders, plus 5 binary files of 64 KiB that must be copied verbatim. All dialects render
to the same tree for project_name=demo, author=Jane (cargo-generate names its package
folder `pkg`, as its dialect cannot template folder names from a variable inside the
project folder the same way).
"""
import json
import os
import random
import shutil
import sys

FOLDERS = 20
BINARIES = 5
LINES = 30
TEXT = "The quick brown fox jumps over the lazy dog while the template engine waits. " * 2


def body(var, n=None):
    out = []
    for i in range(LINES):
        if i == 1 and n is not None:
            # --distinct: every file's text differs (git stores each one).
            out.append(f"{i:02d} file {n} {TEXT}")
        elif i % 4 == 0:
            out.append(f"{i:02d} project={var('project_name')} author={var('author')}")
        else:
            out.append(f"{i:02d} {TEXT}")
    return "\n".join(out) + "\n"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)


def main():
    args = [a for a in sys.argv[1:] if a != "--distinct"]
    distinct = "--distinct" in sys.argv[1:]
    files = int(args[0]) if args else 200
    out = args[1] if len(args) > 1 else "templates"
    shutil.rmtree(out, ignore_errors=True)
    rng = random.Random(7)
    blobs = [bytes(rng.getrandbits(8) for _ in range(64 * 1024)) for _ in range(BINARIES)]

    dialects = {
        # name: (project root inside the template, package folder, variable syntax, file suffix)
        "nskit": ("nskit/bench/1.0.0/template", "{{ project_name }}", lambda n: "{{ " + n + " }}", ""),
        "cookiecutter": ("cookiecutter/{{cookiecutter.project_name}}", "{{cookiecutter.project_name}}",
                         lambda n: "{{ cookiecutter." + n + " }}", ""),
        # cargo-generate calls the project name `project-name`.
        "cargogen": ("cargogen", "pkg", lambda n: "{{" + ("project-name" if n == "project_name" else n) + "}}", ""),
        "copier": ("copier", "{{ project_name }}", lambda n: "{{ " + n + " }}", ".jinja"),
    }
    for name, (root, pkg, var, suffix) in dialects.items():
        base = os.path.join(out, root)
        text = body(var)
        for i in range(files):
            write(os.path.join(base, pkg, f"mod{i % FOLDERS:02d}", f"file{i:04d}.txt{suffix}"),
                  body(var, i) if distinct else text)
        for j, blob in enumerate(blobs):
            write(os.path.join(base, "assets", f"blob{j}.bin"), blob)

    write(os.path.join(out, "nskit/bench/1.0.0/recipe.yaml"),
          "name: bench\nversion: 1.0.0\ndescription: synthetic benchmark template\n"
          "fields:\n  - name: project_name\n    default: demo\n  - name: author\n    default: Jane\n"
          "  - name: license\n    type: choice\n    choices: [MIT, Apache-2.0]\n    default: MIT\n"
          "copy_only: ['assets/**']\n")
    write(os.path.join(out, "cookiecutter/cookiecutter.json"), json.dumps({
        "project_name": "demo", "author": "Jane", "license": ["MIT", "Apache-2.0"],
        "_copy_without_render": ["assets/*"]}))
    write(os.path.join(out, "cargogen/cargo-generate.toml"),
          '[template]\ncargo_generate_version = ">=0.20.0"\nexclude = ["assets/*"]\n\n[placeholders]\n'
          'author = { type = "string", prompt = "Author?", default = "Jane" }\n'
          'license = { type = "string", prompt = "License?", choices = ["MIT", "Apache-2.0"], default = "MIT" }\n')
    write(os.path.join(out, "copier/copier.yml"),
          "project_name:\n  type: str\n  default: demo\nauthor:\n  type: str\n  default: Jane\n"
          "license:\n  type: str\n  choices: [MIT, Apache-2.0]\n  default: MIT\n")
    print(f"wrote {files} text + {BINARIES} binary files per dialect under {out}")


if __name__ == "__main__":
    main()
