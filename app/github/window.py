"""GitHub's content windows as a log of writes: what fits the last minute and hour, each use leaving a reserve.

GitHub counts content-creating requests in any minute (80) and any hour (500), each window sliding:
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
A write of a use fits when, for every moment x seconds ahead within the window, the writes still in the window
then, plus this one, plus the use's reserve, stay within the limit. The reserve is RESERVE now (a share of the
minute's limit) plus PACE per hour for the rest of the window (a share of the hour's limit): what the uses
before it may still need. A write stays in the window for a whole window, so a burst now leaves the later
landings' room only if the window's older writes leave soon enough; and a reserve that was not used as time
passed is free again. No I/O here: app.github.budget keeps the log in the shared store.

The shares, at GitHub's limits less a margin (75 a minute, 480 an hour):
- check: 3 now (one landing: tree, commit, ref) and 120 an hour, a landing every 90 s (the lander's longest gap,
  so valid signers hear within 2 minutes). In a fresh hour, 357 failing checks may go at once.
- comment: 6 now and 264 an hour: the check's, plus 144 failing checks (the real peak hour's 15% of 1,000).
- labels: 9 now and 408 an hour: the comment's, plus as many comments.
- thanks: 12 now and 456 an hour: a thank-you goes only where the window's writes leave at nearly the hour's
  whole pace (a quiet hour). At 1,000 PRs an hour the reports and landings fill the hour, so the thank-yous,
  which no signer waits for (the PR shows merged), wait. The issue's order names the other four; the
  thank-you comes after them all, and never while a report waits (`waiting`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

Use = Literal["landing", "check", "comment", "labels", "thanks"]
ORDER: tuple[Use, ...] = ("landing", "check", "comment", "labels", "thanks")
REPORTS: tuple[Use, ...] = ("check", "comment", "labels")
LANDING_WRITES = 3  # a landing: the tree, the commit, the ref
PER_HOUR, BURST = 480.0, 75.0  # the default limits: GitHub's 500 an hour and 80 a minute, less a margin
LANDING_GAP = 30.0  # the default seconds between two landings of a letter (the App's and the Action's)
# The share of the minute's limit each use leaves now for the uses before it (3 of 75 is one landing).
RESERVE: dict[Use, float] = {"landing": 0.0, "check": 0.04, "comment": 0.08, "labels": 0.12, "thanks": 0.16}
# The share of the hour's limit each use leaves them per hour, for the rest of the window.
PACE: dict[Use, float] = {"landing": 0.0, "check": 0.25, "comment": 0.55, "labels": 0.85, "thanks": 0.95}


def longest_gap(hour: float, per_hour: float, floor: float) -> float:
    """The gap between landings that the check's PACE keeps room for, whatever the reports take."""
    return max(floor, LANDING_WRITES * hour / (PACE["check"] * per_hour))


@dataclass
class Window:
    """The writes of the last hour (time, use), and per use the comeback times handed to writes that wait."""

    log: list[tuple[float, str]] = field(default_factory=list)
    turns: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def load(cls, data: dict[str, Any], burst: float) -> Window:
        if "log" not in data:  # a token bucket's state (before the windows): its spent tokens, as of then
            spent = max(0, round(burst - float(data.get("tokens", burst))))
            return cls([(float(data.get("at", 0.0)), "landing")] * spent)
        turns = {k: list(v) for k, v in data.get("turns", {}).items()}
        return cls([(float(t), str(u)) for t, u in data["log"]], turns)

    def dump(self) -> dict[str, Any]:
        return {"log": [[round(t, 3), u] for t, u in self.log], "turns": self.turns}

    def add(self, at: float, use: Use, n: int) -> None:
        self.log.extend([(at, use)] * n)

    def prune(self, now: float, hour: float) -> None:
        self.log = [(t, u) for t, u in self.log if t > now - hour]
        self.turns = {u: kept for u, ts in self.turns.items() if (kept := [t for t in ts if t > now])}

    def count(self, now: float, span: float) -> int:
        return sum(1 for t, _ in self.log if t > now - span)

    def waiting(self, now: float, use: Use) -> bool:
        """Whether a write of a use before `use` (landing aside: it waits in place) waits for its turn."""
        return any(t > now for u in ORDER[1 : ORDER.index(use)] for t in self.turns.get(u, ()))

    def line(self, now: float, use: Use) -> int:
        """Writes of `use` waiting for their turn (those of the uses before it come back first: `turn`)."""
        return sum(1 for t in self.turns.get(use, ()) if t > now)

    def turn(self, now: float, use: Use, short: float, spacing: float) -> float:
        """Hand a waiting write its comeback time, `short` from now and at least `spacing` after the last one
        handed to its use or a use before it (so that they come back one by one, in order); the seconds until
        then."""
        last = max((t for u in ORDER[1 : ORDER.index(use) + 1] for t in self.turns.get(u, ())), default=0.0)
        at = max(now + short, last + spacing)
        self.turns.setdefault(use, []).append(at)
        return at - now

    def wait(self, now: float, span: float, limit: float, reserve: float, rate: float, n: int) -> float:
        """Seconds until n more writes fit the window of `span` seconds: for every x in [0, span), the writes
        still in it at now + d + x, plus n, plus `reserve` + `rate` * x, within `limit`. With no more writes,
        each term only falls as d grows, so the first such d is found going through the expiries in order."""
        cap = limit - reserve - rate * span  # what fits an empty window
        if n > cap:
            return span if cap < 1 else span * n / cap  # more than one window's worth: later windows
        ends = sorted(t + span - now for t, _ in self.log if t > now - span)
        # best[j]: the most that the writes alive after j expiries and the reserve ahead of them ask, less
        # rate * d: just before the i-th expiry, len(ends) - i writes are alive and x = ends[i] - d.
        best = [-math.inf] * (len(ends) + 1)
        for i in range(len(ends) - 1, -1, -1):
            best[i] = max(best[i + 1], len(ends) - i + rate * ends[i])
        low = 0.0
        for j, most in enumerate(best):
            high = ends[j] if j < len(ends) else math.inf
            excess = most + n + reserve - limit  # d fits when rate * d >= excess
            if excess <= rate * low + 1e-9:  # (rounding: a write that exactly fits, fits)
                return low
            if rate > 0 and excess / rate < high:
                return excess / rate
            low = high
        return low

    def landing_gap(self, now: float, hour: float, per_hour: float, floor: float) -> float:
        """The least gap, from `floor` up to `longest_gap`, at which landings from now on fit the hour beside
        the writes in it and reports at the pace of the last hour (those waiting included)."""
        longest = longest_gap(hour, per_hour, floor)
        alive = sorted(t + hour - now for t, _ in self.log if t > now - hour)
        waiting = sum(self.line(now, use) for use in REPORTS)
        reports = sum(1 for t, u in self.log if t > now - hour and u in REPORTS) + waiting
        rate = reports / hour
        gap = floor
        for x, count in [*((x, len(alive) - i) for i, x in enumerate(alive)), (hour, 0)]:
            room = per_hour - count - LANDING_WRITES - rate * x  # what landings after this one may take by x
            if room <= 0:
                return longest
            gap = max(gap, LANDING_WRITES * x / room)
        return min(longest, gap)
