"""Whose a launch day's requests were: each of the App's requests, per kind of PR it served (bench/launch_day.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from bench.landing_burst import _shape
from tests.github_sim.limits import is_content
from tests.github_sim.server import Simulator


class Named(Protocol):
    """A replayed PR: its number, its kind ("valid", "invalid", "spam"), its heads and their letter blobs."""

    number: int
    kind: str
    heads: list[str]
    blobs: list[str]


Tally = defaultdict[str, float]  # "requests", "content", "comments" (or "<kind> <endpoint>") -> how many


def attribute(sim: Simulator, arrivals: Sequence[Named]) -> dict[str, Tally]:
    """The App's requests and content-creating requests, per kind of PR (by the PR number or head in the
    call, or the check run or comment it names); what names no PR (config, landing) counts as valid. A GraphQL
    query's one request is shared among the PRs it names (tests/github_sim/graphql.named: their numbers, or
    their heads' letter blobs), in equal fractions. Also per kind and endpoint ("valid GET /compare/BASE...HEAD"),
    and a valid PR's comment writes (its thank-you)."""
    by_number = {a.number: a.kind for a in arrivals}
    by_head = {h: by_number[a.number] for a in arrivals for h in a.heads}
    by_object = {**{b: by_number[a.number] for a in arrivals for b in a.blobs}, **by_head}
    runs = {str(r.id): by_head.get(r.head_sha, "valid") for r in list(sim.world.check_runs.values())}
    comments = {str(c.id): by_number.get(c.number, "valid") for c in list(sim.world.comments.values())}
    tally: dict[str, Tally] = {k: defaultdict(float) for k in ("valid", "invalid", "spam", "endpoints")}
    for call in sim.faults.calls(actor="installation:"):
        parts, kind = call.path.split("/"), "valid"
        for i, part in enumerate(parts[:-1]):
            nxt = parts[i + 1]
            if part in ("pulls", "issues") and nxt.isdigit():
                kind = by_number.get(int(nxt), "valid")
            elif part == "check-runs" and nxt in runs:
                kind = runs[nxt]
            elif part == "comments" and nxt in comments:
                kind = comments[nxt]
            elif part in ("commits", "compare"):
                kind = next((k for h, k in by_head.items() if h in nxt), kind)
        if "ref=" in call.query:
            kind = next((k for h, k in by_head.items() if h in call.query), kind)
        if call.method == "POST" and call.path.endswith("/check-runs") and call.status < 400:
            continue  # the log has no body: counted below from the runs themselves
        if call.status == 304 or call.path == "/rate_limit":
            continue  # a conditional request answered "not modified" costs nothing, nor does GET /rate_limit
        for share, whose in _shares(call.names, by_number, by_object) if call.names else [(1.0, kind)]:
            tally[whose]["requests"] += share
            tally["endpoints"][f"{whose} {call.method} {_shape(call.path)}"] += share
        if is_content(call.method, call.path) and call.status < 400:
            tally[kind]["content"] += 1
            if kind == "valid" and "/issues/" in call.path and "/comments" in call.path:
                tally[kind]["comments"] += 1  # on a valid PR: the thank-you (report.thank_you, issue 22)
    for run in list(sim.world.check_runs.values()):
        kind = by_head.get(run.head_sha, "valid")
        tally[kind]["requests"] += 1
        tally[kind]["content"] += 1
        tally["endpoints"][f"{kind} POST /check-runs"] += 1
    for key, n in list(tally["endpoints"].items()):
        if key.startswith("spam "):
            tally["endpoints"]["invalid " + key.split(" ", 1)[1]] += n  # the figures per invalid PR count spam
    tally["signers"] = _plus(tally["valid"], tally["invalid"])  # the letter's own PRs, without the spam wave
    tally["invalid"] = _plus(tally["invalid"], tally["spam"])
    return tally


def _shares(names: tuple[str, ...], by_number: dict[int, str], by_object: dict[str, str]) -> list[tuple[float, str]]:
    """A GraphQL query's request, shared equally among the PRs it names ("number:12"; "oid:<sha>" or
    "expression:<sha>:<path>" of a PR's head or letter blob); a query that names none (the tip's or a merge
    base's blob, shared by many PRs) counts as valid, as REST's reads that name no PR do."""
    kinds = []
    for name in names:
        what, _, value = name.partition(":")
        if what == "number" and value.isdigit() and int(value) in by_number:
            kinds.append(by_number[int(value)])
        elif what in ("oid", "expression") and value.split(":", 1)[0] in by_object:
            kinds.append(by_object[value.split(":", 1)[0]])
    return [(1 / len(kinds), k) for k in kinds] if kinds else [(1.0, "valid")]


def _plus(a: Tally, b: Tally) -> Tally:
    return defaultdict(float, {k: a.get(k, 0.0) + b.get(k, 0.0) for k in {*a, *b}})
