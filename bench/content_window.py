"""The peak hour on the content budget alone: a model on a simulated clock, with no GitHub and no service.

Run: python -m bench.content_window [--peak 1000] [--spam 300] [--hours 2]
PRs arrive evenly through the first hour (15% invalid), with `--spam` invalid PRs within its minutes 10 to 20.
Each invalid PR's failing check goes out as soon as app.github.budget lets it (5 s after arrival at the
earliest), then its comment; valid PRs land together at the gap the budget says (app.landing.lander), three
writes a landing; each landed PR is owed a thank-you, tried every 30 s. Every refused write comes back at the
time the budget named. It prints each kind's time to outcome (landing, or the failing check), what was written
and what still waits, the landing gaps, and the most writes in any minute and any hour (GitHub: 80 and 500).
Not a measure of undersigned (bench/launch_day.py is): only of what the budget's windows and priorities allow.
"""

from __future__ import annotations

import argparse
import bisect
import random
import statistics
from collections.abc import Callable

from app.github.budget import BudgetShortError, ContentBudget, Use

HOUR = 3600.0


def simulate(peak: int, spam: int, hours: float) -> dict[str, object]:
    clock = [0.0]
    budget = ContentBudget(1, 480, 75, HOUR, landing_wait=0.0)
    budget.clock = lambda: clock[0]
    rng = random.Random(2021)
    arrivals = sorted(
        [(rng.uniform(0, HOUR), "valid" if rng.random() > 0.15 else "invalid") for _ in range(peak)]
        + [(600 + rng.uniform(0, 600), "spam") for _ in range(spam)]
    )
    checks: list[list[float | str]] = []  # [due, arrived, kind]
    comments: list[float] = []  # due
    ready: list[float] = []  # valid PRs' arrival times
    waits: dict[str, list[float]] = {"valid": [], "invalid": [], "spam": []}
    writes: list[float] = []
    sent = {"comment": 0, "thanks": 0}
    owed, last, gaps, next_arrival = 0, -HOUR, list[float](), 0

    def spend(use: Use, n: int = 1) -> float:
        """0 when it went, else the seconds the budget named."""
        try:
            budget.take(use, n)
        except BudgetShortError as short:
            return short.retry_in
        writes.extend([clock[0]] * n)
        return 0.0

    for second in range(int(hours * HOUR)):
        now = clock[0] = float(second)
        while next_arrival < len(arrivals) and arrivals[next_arrival][0] <= now:
            at, kind = arrivals[next_arrival]
            next_arrival += 1
            (ready.append(at) if kind == "valid" else checks.append([at + 5, at, kind]))
        for check in sorted(checks, key=lambda c: float(c[0])):
            if float(check[0]) <= now:
                if retry := spend("check"):
                    check[0] = now + retry
                else:
                    checks.remove(check)
                    waits[str(check[2])].append(now - float(check[1]))
                    comments.append(now)
        for i, due in enumerate(comments):
            if due <= now:
                retry = spend("comment")
                comments[i] = now + retry if retry else -1.0
                sent["comment"] += not retry
        comments = [due for due in comments if due >= 0]
        gap = budget.landing_gap(30)
        if ready and now - last >= gap and not spend("landing", 3):
            waits["valid"] += [now - at for at in ready]
            owed, ready, last = owed + len(ready), [], now
            gaps.append(gap)
        while owed and second % 30 == 0 and not spend("thanks"):
            owed, sent["thanks"] = owed - 1, sent["thanks"] + 1
    return figures(waits, writes, gaps, sent, {"checks": len(checks), "comments": len(comments), "thanks": owed})


def figures(
    waits: dict[str, list[float]],
    writes: list[float],
    gaps: list[float],
    sent: dict[str, int],
    waiting: dict[str, int],
) -> dict[str, object]:
    def at(xs: list[float], p: float) -> float:
        return round(sorted(xs)[min(len(xs) - 1, int(len(xs) * p))], 1) if xs else 0.0

    def most(span: float) -> int:
        return max((bisect.bisect_left(writes, t + span) - i for i, t in enumerate(writes)), default=0)

    out: dict[str, object] = {
        f"{k}_outcome_p50_p99_max_s": (at(v, 0.5), at(v, 0.99), at(v, 1.0)) for k, v in waits.items()
    }
    out.update(sent=sent, still_waiting=waiting, landings=len(gaps))
    out["landing_gap_min_median_max_s"] = (round(min(gaps), 1), round(statistics.median(gaps), 1), round(max(gaps), 1))
    out["most_writes_in_a_minute_and_an_hour"] = (most(60), most(HOUR))
    return out


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--peak", type=int, default=1000, help="PRs in the hour")
    parser.add_argument("--spam", type=int, default=300, help="invalid PRs within minutes 10 to 20")
    parser.add_argument("--hours", type=float, default=2.0, help="simulated hours (arrivals in the first)")
    args = parser.parse_args(argv)
    result = simulate(args.peak, args.spam, args.hours)
    for key, value in result.items():
        out(f"{key}: {value}")
    return result


if __name__ == "__main__":
    main()
