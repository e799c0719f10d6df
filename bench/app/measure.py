#!/usr/bin/env python3
"""Launch time and memory of the nskit app, side by side with the smallest Tauri window
built the same way (bench/app/baseline), under Xvfb, through WebDriver (tauri-driver in
front of WebKitWebDriver, as the end-to-end tests use).

For each app and each run: the time from asking WebDriver for a session (which starts the
app) to the first recipe card being in the page, then the memory of the app and of its web
processes (WebKitWebProcess, WebKitNetworkProcess): resident set (RSS) and proportional set
(PSS, shared pages split between the processes that map them).

    bench/app/measure.py [--runs N] [--debug]

Builds both in release mode first (unless --debug). Prints a table and the ratios.
Needs: xvfb-run, tauri-driver, WebKitWebDriver (scripts/test installs them).
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method="GET", body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"{}")


def children(pid):
    """Every descendant of `pid`."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            kids = []
        out.extend(kids)
        todo.extend(kids)
    return out


def memory(pid):
    """RSS and PSS in KiB of `pid` and its descendants, and their names."""
    rss = pss = 0
    names = []
    for p in [pid] + children(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            with open(f"/proc/{p}/comm") as f:
                names.append(f.read().strip())
        except OSError:
            pass
    return rss, pss, names


def find_app(exe):
    """The pid of the process running `exe`."""
    real = os.path.realpath(exe)
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            if os.path.realpath(f"/proc/{p}/exe") == real:
                return int(p)
        except OSError:
            continue
    return None


def run_once(exe, home, env):
    port, native = free_port(), free_port()
    driver = subprocess.Popen(
        ["tauri-driver", "--port", str(port), "--native-port", str(native)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                call(f"{base}/status", timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("tauri-driver did not answer")
                time.sleep(0.05)
        caps = {"capabilities": {"alwaysMatch": {"tauri:options": {"application": exe}}}}
        start = time.perf_counter()
        session = call(f"{base}/session", "POST", caps)["value"]["sessionId"]
        find = {"using": "css selector", "value": "[data-testid^=recipe-card-]"}
        while True:
            try:
                call(f"{base}/session/{session}/element", "POST", find, timeout=5)
                break
            except urllib.error.HTTPError:
                if time.perf_counter() - start > 60:
                    raise RuntimeError("no recipe card within 60 s")
                time.sleep(0.01)
        drawn = time.perf_counter() - start
        time.sleep(1.0)  # let the page settle before reading the memory
        pid = find_app(exe)
        rss, pss, names = memory(pid) if pid else (0, 0, [])
        call(f"{base}/session/{session}", "DELETE")
        return drawn, rss, pss, len(names), ",".join(sorted(names))
    finally:
        driver.terminate()
        try:
            driver.wait(5)
        except subprocess.TimeoutExpired:
            driver.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--debug", action="store_true", help="measure the debug builds")
    a = ap.parse_args()
    for tool in ["tauri-driver", "WebKitWebDriver", "xvfb-run"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (scripts/test installs it)")
    if not os.environ.get("DISPLAY"):
        # Run again under a virtual display.
        os.execvp("xvfb-run", ["xvfb-run", "-a", "-s", "-screen 0 1280x900x24", sys.executable] + sys.argv)
    profile = "debug" if a.debug else "release"
    flags = [] if a.debug else ["--release"]
    subprocess.run(["npm", "--prefix", "ui", "run", "--silent", "build"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--quiet", *flags, "-p", "nskit-app"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--quiet", *flags, "-p", "nskit-bench-baseline"], cwd=ROOT, check=True)
    apps = {
        "nskit app": os.path.join(ROOT, "target", profile, "nskit-app"),
        "baseline": os.path.join(ROOT, "target", profile, "nskit-bench-baseline"),
    }
    results = {}
    for name, exe in apps.items():
        rows = []
        for _ in range(a.runs + 1):
            home = tempfile.mkdtemp(prefix="nskit-bench-")
            env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config", XDG_DATA_HOME=f"{home}/.local/share",
                       NSKIT_CONFIG=f"{home}/config.yaml")
            rows.append(run_once(exe, home, env))
            shutil.rmtree(home, ignore_errors=True)
        results[name] = rows[1:]  # the first run warms the caches
    print(f"{a.runs} runs each ({profile} builds), median:")
    print(f"{'':12} {'drawn (s)':>10} {'RSS (MiB)':>10} {'PSS (MiB)':>10} {'processes':>10}")
    med = {}
    for name, rows in results.items():
        m = [statistics.median(col) for col in list(zip(*rows))[:4]]
        med[name] = m
        print(f"{name:12} {m[0]:10.3f} {m[1] / 1024:10.1f} {m[2] / 1024:10.1f} {m[3]:10.0f}  {rows[-1][4]}")
    app, base = med["nskit app"], med["baseline"]
    print(f"ratio (app / baseline): drawn {app[0] / base[0]:.2f}x, RSS {app[1] / base[1]:.2f}x, PSS {app[2] / base[2]:.2f}x")


if __name__ == "__main__":
    main()
