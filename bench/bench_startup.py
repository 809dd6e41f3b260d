"""Benchmark start-up: how long each command line takes to print its `--help`, against a bare
Python (`python -c pass`) and one that imports argparse (the floor any CLI pays).

Every command runs `--runs` times in a fresh process, the commands interleaved so a change in the
machine's load touches all of them alike. Prints a markdown table of medians, each with its ratio
to the argparse floor (the target is 1.5× or less), and exits 1 when a command misses the target.

    .venv/bin/python bench/bench_startup.py [--runs 15] [--target 1.5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BARE, FLOOR = "python -c pass", "python -c 'import argparse'"
COMMANDS = {
    BARE: ["-c", "pass"],
    FLOOR: ["-c", "import argparse"],
    **{
        f"python -m {module} --help": ["-m", module, "--help"]
        for module in (
            "indexer",
            "retriever",
            "assistant",
            "retriever.eval",
            "assistant.eval",
            "assistant.fit",
        )
    },
}


def seconds(arguments: list[str]) -> float:
    """Wall time of one fresh `python ARGUMENTS` run from the repo root (which must succeed)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *arguments],
        cwd=REPO_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    return time.perf_counter() - started


def medians(runs: int) -> dict[str, float]:
    """Median wall seconds per command over `runs` interleaved rounds (after one unmeasured round
    that warms the file cache)."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for round_ in range(runs + 1):
        for name, arguments in COMMANDS.items():
            took = seconds(arguments)
            if round_:
                times[name].append(took)
    return {name: statistics.median(values) for name, values in times.items()}


def table(timed: dict[str, float], target: float) -> str:
    """
    >>> print(table({BARE: 0.02, FLOOR: 0.025, "python -m x --help": 0.05}, 1.5))
    | command | median | × argparse floor |
    |---|---|---|
    | python -c pass | 20 ms | 0.80 |
    | python -c 'import argparse' | 25 ms | 1.00 |
    | python -m x --help | 50 ms | 2.00 (over 1.5) |
    """
    floor = timed[FLOOR]
    lines = ["| command | median | × argparse floor |", "|---|---|---|"]
    for name, took in timed.items():
        ratio = took / floor
        over = f" (over {target})" if ratio > target else ""
        lines.append(f"| {name} | {took * 1000:.0f} ms | {ratio:.2f}{over} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=15, help="fresh processes per command (default 15)"
    )
    parser.add_argument(
        "--target", type=float, default=1.5, help="largest ratio to the argparse floor"
    )
    args = parser.parse_args()
    timed = medians(args.runs)
    print(table(timed, args.target))
    print(f"\n{args.runs} runs each; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    return 0 if all(took <= args.target * timed[FLOOR] for took in timed.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
