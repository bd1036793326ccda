"""Timing shared by the Python-vs-Rust model comparisons: the same loop for the Python
side, and the Rust side's rate read from its criterion estimate."""
import json
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def items_per_second(run, items: int) -> float:
    """Calls `run` (which handles `items` inputs) after one warm-up, for at least 10 s
    and 5 calls."""
    run()
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < 10 or runs < 5:
        run()
        runs += 1
    return runs * items / (time.perf_counter() - start)


def criterion_items_per_second(bench: str, bench_id: str, items: int) -> float:
    """Runs `cargo bench --bench BENCH` and turns the mean time of BENCH_ID into a rate."""
    subprocess.run(["cargo", "bench", "--bench", bench], cwd=ROOT, check=True)
    estimates = ROOT / "target/criterion" / bench_id / "new/estimates.json"
    seconds = json.loads(estimates.read_text())["mean"]["point_estimate"] / 1e9
    return items / seconds
