"""Time from start to the first prompt of `idcsh --demo` in a
pseudo-terminal, against the same binary's `--version` (process start
alone) in the same run. Usage: bench_prompt.py IDCSH [RUNS]"""
import os
import pty
import select
import statistics
import sys
import time


def until_output(argv, marker):
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    seen = b""
    elapsed = None
    while True:
        ready, _, _ = select.select([fd], [], [], 5)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if marker in seen:
            elapsed = time.perf_counter() - started
            break
    os.write(fd, b"\x04")
    os.waitpid(pid, 0)
    os.close(fd)
    if elapsed is None:
        sys.exit(f"{argv} never printed {marker!r}: {seen[-200:]!r}")
    return elapsed * 1000


def main():
    idcsh = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    home = os.environ.setdefault("HOME", "/tmp")
    os.environ["XDG_DATA_HOME"] = os.path.join(home, "bench-data-home")
    baseline = statistics.median(
        until_output([idcsh, "--version"], b"idcsh ") for _ in range(runs)
    )
    prompt = statistics.median(
        until_output([idcsh, "--demo"], b"idcsh demo> ") for _ in range(runs)
    )
    print("| start ({} runs, median) | time | vs `idcsh --version` |".format(runs))
    print("|---|---|---|")
    print(f"| baseline: `idcsh --version` | {baseline:.1f} ms | 1.00 |")
    print(f"| `idcsh --demo` to first prompt | {prompt:.1f} ms | {prompt / baseline:.2f} |")


main()
