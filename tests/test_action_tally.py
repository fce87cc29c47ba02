"""app.action.tally: the content writes an Action run leaves the next, across resets of the token's window."""

from __future__ import annotations

from app.action.tally import SLOTS, Tally, latest, made, slotted
from app.github.budget import ContentBudget

HOUR = 3600.0
SPAN = HOUR / SLOTS


def test_writes_of_the_window_before_a_reset_stay_until_they_leave_githubs_hour() -> None:
    at = 100 * HOUR + 10  # ten seconds into the token's new window
    tally = Tally(reset=int(100 * HOUR), used=900, at=int(at), slots=(5, 0, 7))
    writes = tally.writes(at + 30, reset=int(101 * HOUR), used=4, hour=HOUR)
    assert (at, 5) in writes  # the newest slot: as late as the tally
    assert (100 * HOUR - SPAN, 7) in writes  # two slots back: at that slot's end
    assert (at + 30 - HOUR / 60, 4) in writes  # the new window's requests: every one may have been a write
    later = tally.writes(100 * HOUR - SPAN + HOUR + 1, reset=int(101 * HOUR), used=4, hour=HOUR)
    assert [n for _, n in later if n == 7] == []  # an hour after its slot ended, gone


def test_in_the_same_window_only_the_requests_since_the_tally_may_be_writes() -> None:
    tally = Tally(reset=7200, used=300, at=5000, slots=(12,))
    writes = tally.writes(5100, reset=7200, used=340, hour=HOUR)
    assert sorted(n for _, n in writes) == [12, 40]


def test_counted_again_by_every_run_a_write_never_moves_past_its_slot() -> None:
    # A run every 10 s re-counts the writes it started from: they keep their slot, so they leave the hour.
    made = 1000 * SPAN + 5  # early in a slot
    tally = Tally(0, 0, int(made) + 1, slotted([made], made + 1, HOUR))
    now = made + 1
    for _ in range(int(HOUR / 10) + SLOTS * 10):
        now += 10
        times = [t for t, n in tally.writes(now, 0, 0, HOUR) for _ in range(n)]
        tally = Tally(0, 0, int(now), slotted(times, now, HOUR))
        if not times:
            break
    assert now <= (1000 + 1) * SPAN + HOUR + 10  # gone within an hour of its slot's end


def test_the_encoding_round_trips_and_refuses_what_it_did_not_write() -> None:
    tally = Tally(7200, 321, 5000, (3, 0, 0, 9))
    assert tally.encode() == "7200:321:5000:3...9"
    assert Tally.decode(tally.encode().split(":")) == tally
    assert Tally.decode(["7200", "321", "5000", ""]) == Tally(7200, 321, 5000, ())
    too_many = "1:2:3:" + ".".join(["999999999999"] * 3)  # a trillion writes: Window.add would run out of memory
    for bad in (
        "7200:321:5000",
        "x:1:2:3",
        "1:2:3:a.b",
        "1:2:3:" + "1." * (SLOTS + 1) + "1",
        "1:2:3:" + "9" * 5000,
        too_many,
    ):
        assert Tally.decode(bad.split(":")) is None


def test_a_stamp_on_a_check_run_round_trips_and_nothing_else_reads_as_one() -> None:
    tally = Tally(7200, 321, 5000, (3, 0, 9))
    assert tally.stamp() == "t2:7200:321:5000:3..9"
    assert Tally.unstamp(tally.stamp()) == tally
    for other in (None, "", 12, "v2:1:2:abc:7200:321:5000:3", "t2:7200:321", "t3:7200:321:5000:3", "t2:" + "1" * 50):
        assert Tally.unstamp(other) is None


def test_the_newest_tally_is_the_last_written_and_counts_most_within_its_second() -> None:
    older, newer = Tally(7200, 300, 5000, (40,)), Tally(7200, 20, 5001, (2,))
    assert latest([newer, older], 5002) == newer  # later: it started from the older (or from one after it)
    same = Tally(7200, 305, 5000, (42,))
    assert latest([older, same], 5002) == same == latest([same, older], 5002)
    assert latest([], 5002) == Tally()
    future = Tally(7200, 1, 5001 + 3600, (1,))  # not ours (or a clock an hour ahead): it would never leave
    assert latest([older, future], 5002) == older


def test_a_runs_tally_counts_its_writes_and_those_about_to_be_made() -> None:
    at = int(1000 * SPAN) + 7
    tally = made(7200, 12, at, [at - 1.0, at - SPAN - 1], HOUR, ahead=2)
    assert tally == Tally(7200, 12, at, (3, 1))


def test_an_action_runs_budget_starts_from_the_tally() -> None:
    budget = ContentBudget(1, 480.0, 75.0, HOUR, landing_wait=0.0)
    now = 50 * HOUR
    budget.clock = lambda: now
    tally = Tally(int(49 * HOUR), 800, int(now) - 120, (470,))
    budget.start = lambda: tally.writes(now, int(51 * HOUR), 2, HOUR)
    assert budget.used() == (0, 472)  # the window before's writes, two minutes ago: the hour, not the minute
    assert budget.level() == 8
