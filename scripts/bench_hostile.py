"""A 1 GiB document of opening brackets through `idcsh --data`: the exit
status, the error line, the time and the peak memory of the idcsh process.
Usage: bench_hostile.py IDCSH"""
import os
import resource
import subprocess
import sys
import tempfile
import time

idcsh = sys.argv[1]
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "deep.json")
    with open(path, "wb") as out:
        chunk = b"[" * (1 << 20)
        for _ in range(1024):
            out.write(chunk)
    started = time.perf_counter()
    run = subprocess.run([idcsh, "--data", path, "-c", "length(@)"], capture_output=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"exit {run.returncode}: {run.stderr.decode().strip()}")
    print(f"1 GiB of nesting: {elapsed * 1000:.0f} ms, peak RSS {peak:.1f} MiB")
