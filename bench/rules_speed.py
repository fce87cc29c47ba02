"""Speed of the rules on a 100,000-signature letter: lint the whole letter, verify a one-line PR.

Run: python -m bench.rules_speed   (targets: lint <= 0.3 s, verify < 20 ms on a 2-core machine)

Both wall time and CPU time are printed: on a shared machine the wall time also counts other processes.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from app.rules import Author, Snapshots, evaluate
from app.rules.lint import lint_letter
from config import Config, parse_config

SIGNATURES = 100_000
CONFIG = """version: 1
letter:
  file: README.md
  start_after: "Signed,"
  line: "-  {name} [@{login}](https://github.com/{login})"
  order: append
"""
FIRST = ["Ada", "Grace", "Anaïs", "Zoë", "José", "Chen", "Ola", "Léa", "Kofi", "Ivan", "朱", "Søren", "Mei"]
LAST = ["Lovelace", "Hopper", "Betts", "Núñez", "Nakamura", "Okafor", "Müller", "Verou", "承浩", "Ibrahim"]


def make_letter(n: int) -> str:
    rng = random.Random(42)
    lines = ["# A letter", "", "Its text. " * 40, "", "Signed,", ""]
    for i in range(n):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        login = f"user-{i}x{rng.randrange(10**6)}"
        lines.append(f"-  {name} [@{login}](https://github.com/{login})")
    return "\n".join(lines) + "\n"


def timeit(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def line(label: str, times: tuple[list[float], list[float]], target: str) -> str:
    wall, cpu = times
    return (
        f"{label} median {statistics.median(wall) * 1000:7.1f} ms   best {min(wall) * 1000:7.1f} ms   "
        f"cpu median {statistics.median(cpu) * 1000:7.1f} ms   ({target})"
    )


def main() -> None:
    cfg = parse_config(CONFIG)
    assert isinstance(cfg, Config)
    base = make_letter(SIGNATURES)
    head = base + "-  Ada Newcomer [@ada-new](https://github.com/ada-new)\n"
    now = datetime.now(UTC)

    def lint() -> None:
        report = lint_letter(cfg, {"README.md": base})
        assert report.signatures == SIGNATURES and report.clean

    def verify() -> None:
        verdict = evaluate(
            cfg, Snapshots({"README.md": base}, {"README.md": head}), ["README.md"], Author("ada-new"), now
        )
        assert verdict.kind == "sign", verdict.problems

    lint()  # warm the template cache
    lint_times = timeit(lint, 5)
    verify_times = timeit(verify, 30)
    print(f"letter: {SIGNATURES:,} signatures, {len(base) / 1e6:.1f} MB")
    print(line("lint:  ", lint_times, "target <= 300 ms"))
    print(line("verify:", verify_times, "target < 20 ms"))


if __name__ == "__main__":
    main()
