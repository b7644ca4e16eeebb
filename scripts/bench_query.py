#!/usr/bin/env python3
"""Compares idcsh with Python's jmespath (what `aws --query` runs) on the
same document and expressions, in the same run.

Per query (steady state): idcsh runs each expression 15 times in one
process with `.timing on` (compile, evaluate, render to /dev/null), Python
compiles and searches the loaded document 15 times; medians are compared.
The engine-only figures of `cargo bench --bench query` (argv[3]) are shown
beside them."""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import jmespath

DATA, IDCSH, RUST_RESULTS = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
EXPRESSIONS = [l for l in open(os.path.join(HERE, "..", "benches", "expressions.txt")).read().splitlines() if l.strip()]


def median_of(fn, min_runs=5, budget=3.0):
    samples, start = [], time.perf_counter()
    while len(samples) < min_runs or (time.perf_counter() - start < budget and len(samples) < 200):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def run_child(argv):
    """Runs a command with stdout discarded; returns (seconds, peak RSS MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=True, text=True)
    elapsed = time.perf_counter() - t
    peak_kib = int(proc.stderr.strip().splitlines()[-1])
    return elapsed, peak_kib / 1024


def main():
    rust = {}
    for line in open(RUST_RESULTS):
        line = line.strip()
        if line.startswith("{"):
            row = json.loads(line)
            rust[row["expression"]] = row["median_us"] / 1e6
    with open(DATA, encoding="utf-8") as fh:
        data = json.load(fh)
    users = len(data["Users"])
    size_mb = os.path.getsize(DATA) / 1e6
    print(f"document: {DATA}: {users} users, {size_mb:.1f} MB\n")

    print("## Per query, data already loaded (median of 15)\n")
    print("| expression | python jmespath | idcsh (`.timing`) | speed-up | idcsh engine only |")
    print("|---|---:|---:|---:|---:|")
    for expr in EXPRESSIONS:
        samples = []
        for _ in range(15):
            t = time.perf_counter()
            jmespath.compile(expr).search(data)
            samples.append(time.perf_counter() - t)
        py = statistics.median(samples)
        argv = [IDCSH, "--data", DATA, "-o", "json", "-c", ".timing on"]
        for _ in range(15):
            argv += ["-c", expr]
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
        # `.timing` lines: "time: 5.1 ms, ..." or "1 row, time: 5.1 ms, ...".
        times = [float(l.split("time: ")[1].split(" ms")[0]) / 1e3
                 for l in proc.stderr.splitlines() if "time: " in l][1:]
        rs = statistics.median(times)
        print(f"| `{expr}` | {py*1e3:.1f} ms | {rs*1e3:.1f} ms | {py/rs:.1f}x | {rust[expr]*1e3:.1f} ms |")

    print("\n## One shot: load the file, query, print JSON (median of 5 processes)\n")
    print("| expression | python | idcsh | speed-up | python peak RSS | idcsh peak RSS |")
    print("|---|---:|---:|---:|---:|---:|")
    py_script = ("import json,sys,jmespath;d=json.load(open(sys.argv[1],encoding='utf-8'));"
                 "print(json.dumps(jmespath.search(sys.argv[2],d),indent=2,ensure_ascii=False))")
    for expr in EXPRESSIONS:
        py_runs = [run_child([sys.executable, "-c", py_script, DATA, expr]) for _ in range(5)]
        rs_runs = [run_child([IDCSH, "--data", DATA, "-o", "json", "-c", expr]) for _ in range(5)]
        py = statistics.median(r[0] for r in py_runs)
        rs = statistics.median(r[0] for r in rs_runs)
        print(f"| `{expr}` | {py*1e3:.0f} ms | {rs*1e3:.0f} ms | {py/rs:.1f}x | "
              f"{max(r[1] for r in py_runs):.0f} MiB | {max(r[1] for r in rs_runs):.0f} MiB |")

    print("\n## Start-up\n")
    demo = [run_child([IDCSH, "--demo", "-c", "length(Users)"]) for _ in range(20)]
    print(f"`idcsh --demo -c 'length(Users)'`: median {statistics.median(d[0] for d in demo)*1e3:.1f} ms "
          f"over 20 runs, peak RSS {max(d[1] for d in demo):.0f} MiB")


if __name__ == "__main__":
    main()
