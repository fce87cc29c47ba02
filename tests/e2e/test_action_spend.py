"""The Action's reads on launch day: our check runs learnt in bulk, and the hour's last requests spent on landing.

Labels are off (issue 21), so nothing but the check runs themselves tells a decided head from a new one."""

from __future__ import annotations

import time
from itertools import pairwise
from typing import cast

from github.Requester import Requester

from app.action.hourly import RestFigures
from app.action.tally import Tally
from app.action.watermark import STATE_NAME, Watermark
from app.review.render import CHECK_NAME
from tests.e2e.action_support import REPO, ActionWorld, letter_world
from tests.github_sim import Simulator, person
from tests.github_sim.faults import Call
from tests.github_sim.models import CheckRun
from tests.helpers import SEED_CONFIG_YAML

NO_LABELS = SEED_CONFIG_YAML + "report:\n  labels:\n    invalid: null\n"


def _calls(sim: Simulator) -> list[Call]:
    return sim.faults.calls(actor="installation:")


def _spent(w: ActionWorld, used: int, tally: Tally | None = None) -> None:
    """The repository's token made `used` requests this hour, reads all: an earlier run's watermark says so (its
    tally: app.action.tally), as a run of this hour would have left it; or says `tally`."""
    world = w.sim.world
    window = int(world.now() // 3600)
    w.sim.used[f"actions:{REPO.lower()}:{window}"] = used
    tip = w.repo.git.ref("refs/heads/main")
    assert tip is not None
    tally = tally or Tally((window + 1) * 3600, used, int(time.time()))
    state = Watermark(0.0, 0.0, "", tally).encode()
    suite = world.check_suite(w.repo, w.runner.app, tip)
    output = {"title": "Caught up", "summary": "", "text": None}
    run = CheckRun(world.next_id(), w.repo, w.runner.app, tip, STATE_NAME, "completed", "neutral", output,
                   world.now(), suite, completed_at=world.now(), external_id=state)  # fmt: skip
    world.check_runs[run.id] = run


def test_no_check_run_is_read_before_a_report_and_each_stays_one_edited_in_place(sim: Simulator) -> None:
    w = letter_world(sim, ["s1", "s2", "s3", "ada", "grace"], config=NO_LABELS)
    invalid = [w.sign(login, login.upper(), as_login="someone") for login in ("s1", "s2", "s3")]
    w.settle()
    valid = [w.sign(login) for login in ("ada", "grace")]
    w.settle()
    w.runner.schedule(w.repo)  # a catch-up over everything open: decided heads are not evaluated again
    w.settle()
    heads = {w.pull(n).head_sha for n in invalid + valid}
    read = [c for c in _calls(sim) if c.method == "GET" and "/check-runs" in c.path and any(h in c.path for h in heads)]
    assert read == []  # learnt in one GraphQL query per run, never one REST read per head
    assert any(c.path == "/graphql" for c in _calls(sim))
    for number in invalid:
        [check] = w.runs_on(w.pull(number).head_sha)
        assert check.conclusion == "failure"
        assert len(w.comments(number)) == 1
    assert all(w.pull(n).merged for n in valid)
    assert sim.limits.tally.primary == 0


def test_a_recheck_finds_the_check_learnt_in_bulk_and_repeats_nothing(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"], config=NO_LABELS)
    number = w.sign("ada", "Ada Lovelace", as_login="someone")
    w.settle()
    [comment] = w.comments(number)
    [check] = w.runs_on(w.pull(number).head_sha)
    before = len(_calls(sim))
    person(sim, "ada").comment(REPO, number, "/recheck")  # the same head, evaluated again by its own run
    runs = w.settle()
    assert runs[-1].event == "issue_comment" and runs[-1].conclusion == "success"
    assert [r.id for r in w.runs_on(w.pull(number).head_sha)] == [check.id]
    assert [c.id for c in w.comments(number)] == [comment.id]
    head = w.pull(number).head_sha
    calls = [f"{c.method} {c.path}" for c in _calls(sim)[before:] if "/check-runs" in c.path]
    touched = [c for c in calls if head in c or c.endswith(f"/{check.id}")]
    assert touched == [], touched  # neither read nor written again: what the bulk read showed is what it says
    assert check.conclusion == "failure"


def test_the_hours_last_requests_land_what_is_valid_before_more_spam_is_read(sim: Simulator) -> None:
    w = letter_world(sim, [f"spam{i}" for i in range(20)] + ["ada"], config=NO_LABELS)
    w.runner.paused = True  # the runs of these PRs never happen (cancelled while pending, say)
    spam = [w.sign(f"spam{i}", f"Spam {i}", as_login="someone") for i in range(20)]
    ada = w.sign("ada", "Ada Lovelace")  # the newest: the catch-up evaluates it first
    w.runner.paused = False
    sim.world.to_top_of_hour()
    _spent(w, 1000 - 70)  # 70 left: not enough to read every PR and land
    [run] = w.runner.schedule(w.repo)
    w.settle()
    assert w.pull(ada).merged and w.letter().count("[@ada]") == 1  # landed within this hour
    assert sim.limits.tally.primary == 0
    undecided = [n for n in spam if not w.runs_on(w.pull(n).head_sha)]
    assert undecided  # the spam that did not fit waits for the next hour
    sim.world.offset += 3600  # the next hour: the scheduled run decides the rest, once each
    w.runner.schedule(w.repo)
    w.settle()
    for number in spam:
        assert [r.conclusion for r in w.runs_on(w.pull(number).head_sha)] == ["failure"]
        assert len(w.comments(number)) == 1
    assert sim.limits.tally.primary == 0 and run.requests <= 70


def test_a_catch_up_reads_its_prs_diffs_in_one_graphql_batch_not_a_compare_each(sim: Simulator) -> None:
    w = letter_world(sim, ["s1", "s2", "s3", "ada", "grace"], config=NO_LABELS)
    w.runner.paused = True  # their own runs never happen: one scheduled run finds them all
    invalid = [w.sign(login, login.upper(), as_login="someone") for login in ("s1", "s2", "s3")]
    valid = [w.sign(login) for login in ("ada", "grace")]
    w.runner.paused = False
    [run] = w.runner.schedule(w.repo)
    w.settle()
    assert run.conclusion == "success" and all(w.pull(n).merged for n in valid)
    assert all([r.conclusion for r in w.runs_on(w.pull(n).head_sha)] == ["failure"] for n in invalid)
    compares = [c.path for c in _calls(sim) if "/compare/" in c.path]
    assert compares == [] and run.graphql <= 4  # the tip, the check runs, the PRs and the letters they need


class _Answers:
    """A Requester whose answers carry rate-limit headers: REST's bucket, then GraphQL's own."""

    graphql_url = "http://sim.invalid/graphql"

    def __init__(self) -> None:
        self.rate_limiting, self.rate_limiting_resettime = (500, 1000), 1

    def requestJsonAndCheck(self, verb: str, url: str, **kwargs: object) -> object:
        self.rate_limiting, self.rate_limiting_resettime = (
            ((990, 1000), 2) if url == self.graphql_url else ((499, 1000), 1)
        )
        return {}, {}


def test_a_graphql_answer_leaves_the_hours_rest_figures_as_they_were() -> None:
    answers = _Answers()
    req = RestFigures(cast(Requester, answers))
    req.requestJsonAndCheck("GET", "/repos/o/r")
    req.requestJsonAndCheck("POST", answers.graphql_url, input={})
    assert (req.rate_limiting, req.rate_limiting_resettime) == ((499, 1000), 1)  # not GraphQL's 990


def test_with_graphqls_hour_nearly_spent_a_run_reads_over_rest_and_is_never_refused(sim: Simulator) -> None:
    w = letter_world(sim, ["ada"], config=NO_LABELS)
    sim.world.to_top_of_hour()
    window = int(sim.world.now() // 3600)
    sim.used[f"graphql:actions:{REPO.lower()}:{window}"] = 1000 - 10  # GET /rate_limit says so, for free
    number = w.sign("ada", "Ada Lovelace")
    [run] = w.settle()
    assert run.conclusion == "success" and w.pull(number).merged
    assert run.graphql == 0 and sim.limits.tally.primary == 0


def test_a_run_that_lands_nothing_moves_its_watermark_without_reading_the_tip(sim: Simulator) -> None:
    signers = [f"s{i}" for i in range(8)]
    w = letter_world(sim, signers, config=NO_LABELS)
    for login in signers[:4]:
        w.sign(login, login.upper(), as_login="someone")
    w.settle()
    [state] = [r for r in sim.world.check_runs.values() if r.name == STATE_NAME]
    before, mark = len(_calls(sim)), state.external_id
    sim.world.offset += 5  # later on: the next PRs are newer than the watermark
    for login in signers[4:]:
        w.sign(login, login.upper(), as_login="someone")
    w.settle()
    later = [f"{c.method} {c.path}" for c in _calls(sim)[before:]]
    assert state.external_id != mark and f"PATCH /repos/{REPO}/check-runs/{state.id}" in later
    assert not [c for c in later if "/git/ref" in c], later  # nothing landed: the tip was not read


def test_an_events_run_reads_its_own_pr_and_what_it_catches_up_in_one_batch(sim: Simulator) -> None:
    w = letter_world(sim, ["s1", "s2", "s3", "ada"], config=NO_LABELS)
    w.runner.paused = True  # their own runs never happen: the next event's run finds them
    invalid = [w.sign(login, login.upper(), as_login="someone") for login in ("s1", "s2", "s3")]
    w.runner.paused = False
    ada = w.sign("ada", "Ada Lovelace")
    [run] = w.settle()
    assert run.conclusion == "success" and w.pull(ada).merged
    assert all([r.conclusion for r in w.runs_on(w.pull(n).head_sha)] == ["failure"] for n in invalid)
    assert not [c.path for c in _calls(sim) if "/compare/" in c.path]
    assert run.graphql <= 4  # the tip; the check runs; the four PRs at once; the letters they need


def test_a_run_reads_the_config_and_the_watermark_in_its_first_graphql_query(sim: Simulator) -> None:
    signers = [f"s{i}" for i in range(5)]
    w = letter_world(sim, signers, config=NO_LABELS)
    for login in signers[:4]:
        w.sign(login, login.upper(), as_login="someone")
    w.settle()  # the watermark is on the tip now
    before = len(_calls(sim))
    sim.world.offset += 5
    number = w.sign("s4", "S4", as_login="someone")
    [run] = w.settle()[-1:]
    later = [f"{c.method} {c.path}" for c in _calls(sim)[before:]]
    assert run.conclusion == "success" and [r.conclusion for r in w.runs_on(w.pull(number).head_sha)] == ["failure"]
    assert not [c for c in later if "/contents/.github/undersigned.yml" in c or "/commits/main/" in c], later
    assert not [c for c in later if c == f"GET /repos/{REPO}"], later  # nor the repository, for its default branch


def test_a_head_our_check_shows_valid_is_evaluated_before_newer_spam_when_the_hour_is_short(sim: Simulator) -> None:
    w = letter_world(sim, [f"spam{i}" for i in range(20)] + ["ada"], config=NO_LABELS)
    w.runner.paused = True
    ada = w.sign("ada", "Ada Lovelace")  # the oldest: listed last
    head = w.pull(ada).head_sha
    world = sim.world
    output = {"title": "Valid signature", "summary": "Lands shortly.", "text": None}
    valid = CheckRun(world.next_id(), w.repo, w.runner.app, head, CHECK_NAME, "completed", "success", output,
                     world.now(), world.check_suite(w.repo, w.runner.app, head), completed_at=world.now())  # fmt: skip
    world.check_runs[valid.id] = valid  # a run found it valid, and its landing did not happen (the run died)
    spam = [w.sign(f"spam{i}", f"Spam {i}", as_login="someone") for i in range(20)]
    w.runner.paused = False
    sim.world.to_top_of_hour()
    _spent(w, 1000 - 60)  # room for a few evaluations and a landing
    w.runner.schedule(w.repo)
    w.settle()
    assert w.pull(ada).merged and sim.limits.tally.primary == 0  # it only had to land: it went first
    assert [n for n in spam if not w.runs_on(w.pull(n).head_sha)]  # newer spam waits for the next hour


def test_a_landing_waits_out_the_gap_after_the_last(sim: Simulator) -> None:
    """A landing is three content writes whatever its size: a run lands no sooner than the landing gap after the
    tip's commit (the last landing), so what arrives meanwhile lands with it (app.action.run.wait_for_gap)."""
    gap = 4
    w = letter_world(sim, ["ada", "grace", "lea"])
    w.runner.extra_env["UNDERSIGNED_LANDING_GAP"] = str(gap)
    numbers = [w.sign("ada", "Ada Lovelace")]
    w.settle()
    numbers += [w.sign("grace", "Grace Hopper"), w.sign("lea", "Lea Verou")]
    runs = w.settle()
    assert all(w.pull(n).merged for n in numbers), [r.output for r in runs]
    letter = w.letter()
    assert [letter.count(f"[@{login}]") for login in ("ada", "grace", "lea")] == [1, 1, 1]
    # The landings' commit dates (whole seconds, as git keeps them), oldest first, the seed's left out.
    log = w.repo.git.git("log", "--first-parent", "--format=%ct", "refs/heads/main")
    dates = [int(d) for d in log.split()][::-1][1:]
    assert len(dates) >= 2
    assert all(later - earlier >= gap for earlier, later in pairwise(dates)), dates


def test_a_reset_of_the_tokens_window_forgets_no_content_write_of_the_hour(sim: Simulator) -> None:
    """GitHub's content hour slides while GITHUB_TOKEN's window resets: the writes the last run's tally shows
    (app.action.tally) still count after a reset. The hour's writes all made a minute ago, a new window's run
    sends no report: it waits for room, and the run after it reports."""
    w = letter_world(sim, ["eve"], config=NO_LABELS)
    sim.world.to_top_of_hour()  # the token's window has just reset
    window = int(sim.world.now() // 3600)
    _spent(w, 0, Tally(window * 3600, 900, int(time.time()) - 60, (479,)))  # the window before, its last minute
    number = w.sign("eve", "Eve", as_login="someone")  # invalid: a check run and a comment
    w.settle()
    assert w.runs_on(w.pull(number).head_sha) == [] and w.comments(number) == []
    _spent(w, 0)  # an hour on: those writes have left GitHub's hour
    w.runner.schedule(w.repo)
    w.settle()
    assert [r.conclusion for r in w.runs_on(w.pull(number).head_sha)] == ["failure"]
    assert len(w.comments(number)) == 1


def test_a_run_that_writes_no_watermark_leaves_its_tally_on_its_check_run_across_a_reset(sim: Simulator) -> None:
    """A lone invalid PR's run writes its report (2 writes) and no watermark: its check run's stamp carries
    the hour's writes (app.action.tally). The token's window resets; the next run counts them from the stamp,
    where the watermark's tally, older, does not have them."""
    w = letter_world(sim, ["eve", "mal"], config=NO_LABELS)
    sim.world.offset += 3600 - sim.world.now() % 3600 - 100  # 100 s before the token's window resets
    window = int(sim.world.now() // 3600)
    _spent(w, 0, Tally((window + 1) * 3600, 0, int(time.time()) - 300, (100,)))  # 100 writes 5 minutes ago
    first = w.sign("eve", "Eve", as_login="someone")
    w.settle()
    [run] = w.runs_on(w.pull(first).head_sha)
    before = Tally.unstamp(run.external_id)
    assert before is not None and sum(before.slots) >= 100 + 2  # the hour's, its check run and its comment
    assert len(w.comments(first)) == 1 and _watermark(w).tally.at < before.at  # no watermark written
    sim.world.offset += 3600 - sim.world.now() % 3600 + 10  # the next window
    second = w.sign("mal", "Mal", as_login="someone-else")
    w.settle()
    [run] = w.runs_on(w.pull(second).head_sha)
    after = Tally.unstamp(run.external_id)
    assert after is not None and after.reset == before.reset + 3600
    assert sum(after.slots) == sum(before.slots) + 2  # the run before's writes, and its own report's


def _watermark(w: ActionWorld) -> Watermark:
    [run] = [r for r in w.sim.world.check_runs.values() if r.name == STATE_NAME]
    mark = Watermark.decode(run.external_id)
    assert mark is not None
    return mark


def test_a_run_that_writes_past_its_last_stamp_writes_its_tally(sim: Simulator) -> None:
    """With labels on, an invalid PR's report is 3 writes, and its check run's stamp counts 2 of them: the run
    writes its tally (one write more), so that a reset forgets nothing it made."""
    w = letter_world(sim, ["eve"], config=SEED_CONFIG_YAML + "report:\n  labels:\n    invalid: needs-changes\n")
    _spent(w, 0)
    number = w.sign("eve", "Eve", as_login="someone")
    w.settle()
    [run] = w.runs_on(w.pull(number).head_sha)
    stamp, mark = Tally.unstamp(run.external_id), _watermark(w)
    assert stamp is not None and w.pull(number).labels != []
    assert mark.tally.at >= stamp.at and sum(mark.tally.slots) == sum(stamp.slots) + 2  # the label, the tally
