"""What an Action run leaves the next of its content writes: GitHub's hour slides, the token's window resets.

GitHub allows 500 content-creating requests in any hour, a sliding window, while GITHUB_TOKEN's requests count
in a fixed window that resets (x-ratelimit-reset).
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
A run keeps nothing, so the watermark's check run carries a tally: the token's requests when it was written,
and the content writes of the hour before, counted in slots of a twentieth of the hour, aligned on the clock
(so that a write counted again by the next run stays in its slot). A write is taken to be as late as its slot
allows, never before it was made: it leaves the budget's hour no sooner than it leaves GitHub's. Every request
made since the tally may have been a write. A reset of the token's window forgets nothing of the hour: the
writes of the window before stay where they were made.

A run that writes no watermark still leaves its tally: each check run of ours it writes carries one in its
`external_id` (a stamp, counting that run's writes so far and the comment that follows its report), and the
next run takes the newest tally among the watermark's and the stamps on the heads it surveys. So what a reset
forgets is at most the writes after a run's last stamp, and a run that makes more writes its tally. No I/O here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

SLOTS = 20  # slots of the hour: each a twentieth (3 minutes of a real hour); a tally keeps 21 (see slotted)
DIGITS = 12  # the longest number a tally holds: epoch seconds have 10 digits
MOST = 20_000  # writes a tally may hold: more than GITHUB_TOKEN's requests in an hour (1,000; 15,000 on Enterprise)
SKEW = 300  # seconds a tally may seem to come from the future (another runner's clock)
STAMP = "t2"  # a check run's external_id that holds a tally: "t2:<Tally.encode()>"


def _slot(t: float, span: float) -> int:
    """The slot of time t: slot k holds (k * span, (k + 1) * span], so a write placed at its slot's end stays in it."""
    return math.ceil(t / span) - 1


@dataclass(frozen=True)
class Tally:
    """`reset`: the token's window when written (its x-ratelimit-reset), `used`: its requests then, `at`:
    when written (epoch seconds), `slots`: content writes per slot, the newest (the one holding `at`) first."""

    reset: int = 0
    used: int = 0
    at: int = 0
    slots: tuple[int, ...] = ()

    def writes(self, now: float, reset: int, used: int, hour: float) -> list[tuple[float, int]]:
        """The content writes that may be in GitHub's hour at `now`, as (latest time made, count), the token
        having used `used` requests of the window that resets at `reset`."""
        span = hour / SLOTS
        first = _slot(self.at, span)
        found = []
        for i, count in enumerate(self.slots):
            latest = min(self.at, (first - i + 1) * span)  # the slot's end, or the tally itself
            if count > 0 and latest > now - hour:
                found.append((float(latest), count))
        # Since the tally, every request of the window may have been a write (a later window: all of its own;
        # what the tally's window made after the tally is not known). They count against the hour, not the
        # minute: a run's minute is its own (the runs of a group go one at a time).
        since = used - self.used if reset == self.reset and used >= self.used else used
        if since > 0:
            found.append((now - hour / 60, since))
        return found

    def encode(self) -> str:
        counts = ".".join(str(n) if n else "" for n in self.slots)
        return f"{self.reset}:{self.used}:{self.at}:{counts}"

    @staticmethod
    def decode(parts: list[str]) -> Tally | None:
        """From encode's four fields; None if they are not (a foreign or older format)."""
        if len(parts) != 4 or not all(_number(p) for p in parts[:3]):
            return None
        counts = parts[3].split(".") if parts[3] else []
        if len(counts) > SLOTS + 1 or not all(_number(c) or not c for c in counts):
            return None
        slots = tuple(int(c or 0) for c in counts)
        if sum(slots) > MOST:
            return None  # more than any token makes in an hour: not a tally of ours
        return Tally(int(parts[0]), int(parts[1]), int(parts[2]), slots)

    def stamp(self) -> str:
        """The tally as a check run's external_id (see the module's docstring)."""
        return f"{STAMP}:{self.encode()}"

    @staticmethod
    def unstamp(text: object) -> Tally | None:
        """The tally a check run's external_id holds; None for anything else (none, or not ours)."""
        parts = text.split(":") if isinstance(text, str) else []
        return Tally.decode(parts[1:]) if parts[:1] == [STAMP] else None


def _number(text: str) -> bool:
    """Digits, few enough for a count or a time (int() refuses very long ones with an error)."""
    return text.isdigit() and len(text) <= DIGITS


def latest(tallies: Iterable[Tally], now: float) -> Tally:
    """The newest tally: the last written, which started from the one before (the runs of a group go one at a
    time, each from the newest it found); of two written in the same second, the one that counts more. One
    written after `now` (past a runner's clock skew) is no tally of ours: its writes would never leave."""
    found = (t for t in tallies if t.at <= now + SKEW)
    return max(found, key=lambda t: (t.at, t.reset, t.used, sum(t.slots)), default=Tally())


def made(reset: int, used: int, at: int, writes: Iterable[float], hour: float, ahead: int = 0) -> Tally:
    """The tally of a run at `at` whose token's window (resetting at `reset`) has used `used` requests,
    counting `writes` (when each was made) and `ahead` more at `at` (about to be made)."""
    return Tally(reset, used, at, slotted([*writes, *[float(at)] * ahead], at, hour))


def slotted(writes: Iterable[float], at: float, hour: float) -> tuple[int, ...]:
    """Content writes made at the given times, counted in the slots of the hour before `at` (newest first),
    as Tally.slots: those older than the hour are left out. The oldest slot is partly older than the hour, so
    an hour spans 21 of them; a write is never moved to a later slot (counted again, it would never leave)."""
    span = hour / SLOTS
    first = _slot(at, span)
    counts = [0] * (SLOTS + 1)
    for t in writes:
        if t > at - hour:
            counts[min(max(first - _slot(t, span), 0), SLOTS)] += 1
    while counts and not counts[-1]:
        counts.pop()
    return tuple(counts)
