"""Pathological input: a 100 KB line and a YAML alias bomb for every README gallery template.

Run: python -m bench.pathological [--seconds 8]   (goal: verdict <= 50 ms; intake p99 <= 10 ms, unaffected)

1. Verdict time: each hostile PR through the pure rules (app.rules.evaluate), in a child process that is
   stopped after 30 s (on a build whose regexes backtrack, a 100 KB line takes hours). Also the template
   alone on the same lines, with no length cap, to show the reading is linear.
2. Intake p99 while they are evaluated: `undersigned serve` as its own process, with workers, against the
   GitHub simulator; signers open the hostile PRs, and bench.loadgen drives webhook intake meanwhile (one
   keep-alive connection, closed loop), as bench.intake_speed does on an idle service. Its deliveries are the
   first PR's own `opened` delivery, sent again with a new `updated_at` each time: real jobs on the
   simulator's installation, so the workers fetch a token and re-evaluate that PR throughout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.intake_vs_probot import ROOT, SECRET, load
from bench.service_process import ServiceProcess

if TYPE_CHECKING:
    from tests.github_sim import Simulator

LINE_KB = 100
BOMB = textwrap.dedent(
    """\
    name: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    link: *f
    """
)
# Repeated pieces that make a backtracking free field try every split: delimiters of the gallery's templates.
PIECES = ["a (", " (", "| a ", " [@", "a, ", ") (", "a ) [@ (", " "]

VERDICTS = """
import json, sys, time
from datetime import UTC, datetime
from app.rules import Author, Snapshots, evaluate
from app.template import Template
from bench.pathological import hostile_prs
now, worst, parse = datetime.now(UTC), (0.0, ""), (0.0, "")
for label, cfg, base, head, changed in hostile_prs():
    started = time.perf_counter()
    evaluate(cfg, Snapshots(base, head), changed, Author("ada", 1), now)
    worst = max(worst, (time.perf_counter() - started, label))
    if cfg.letter.directory is None:
        tpl = Template(cfg.letter.line, variants=tuple(cfg.letter.line_variants))
        for line in head[cfg.letter.file].splitlines()[-1:]:
            started = time.perf_counter()
            tpl.parse(line)
            parse = max(parse, (time.perf_counter() - started, label))
print(json.dumps({"worst_s": worst[0], "worst": worst[1], "parse_s": parse[0], "parse": parse[1]}))
"""


def gallery() -> list[tuple[str, object]]:
    from config import Config, parse_config

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Gallery") : readme.index("**When a change counts.**")]
    out: list[tuple[str, object]] = []
    for block in section.split("```yaml\n")[1:]:
        got = parse_config(block.split("```")[0])
        if isinstance(got, Config):
            out.append((got.letter.line if got.letter.directory is None else got.letter.filename, got))
    return out


def hostile_prs() -> list[tuple[str, object, dict[str, str], dict[str, str], list[str]]]:
    """(label, config, base files, head files, changed paths) for every gallery letter and hostile input."""
    from app.rules.letter import signature_path
    from config import Config

    prs: list[tuple[str, object, dict[str, str], dict[str, str], list[str]]] = []
    for label, cfg in gallery():
        assert isinstance(cfg, Config)
        letter = cfg.letter
        if letter.directory is None:
            marker = f"# Letter\n\n{letter.start_after}\n\n" if letter.start_after else ""
            for piece in PIECES:
                for lead in ("- ", "1. ", "| ", ""):
                    line = lead + piece * (LINE_KB * 1024 // len(piece))
                    base = {letter.file: marker}
                    prs.append((f"{label} / {piece!r}", cfg, base, {letter.file: marker + line + "\n"}, [letter.file]))
            bomb = {letter.file: marker + BOMB}
            prs.append((f"{label} / alias bomb", cfg, {letter.file: marker}, bomb, [letter.file]))
        else:
            path = signature_path(letter, "ada", "Ada") or f"{letter.directory}/3f9c.md"
            text = ("---\n" + BOMB + "---\n") if letter.front_matter else BOMB
            prs.append((f"{label} / alias bomb", cfg, {}, {path: text}, [path]))
            long = "name: " + "a (" * (LINE_KB * 1024 // 3) + "\n"
            prs.append((f"{label} / 100 KB value", cfg, {}, {path: long}, [path]))
    return prs


def verdicts(root: Path) -> dict[str, object]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", VERDICTS], capture_output=True, text=True, cwd=root, timeout=30, check=True
        )
    except subprocess.TimeoutExpired:
        return {"timed_out": True}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def intake_under_load(seconds: float, *, calm: bool = False, threads: bool = False) -> dict[str, float]:
    """Intake latency of `undersigned serve` while its workers evaluate the hostile PRs of a list letter (with
    `calm`, as many ordinary signature PRs instead: the reference on the same machine). With `threads`, the
    workers run as threads of serve (UNDERSIGNED_WORKER_PROCESS=false), as before issue 18's last goal."""
    from tests.github_sim import person, seed_demo, start

    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
        sim = start(Path(tmp) / "sim")
        try:
            config = 'version: 1\nletter:\n  start_after: "Signed,"\n  line: "N. {name}{? ({affiliation})}"\n'
            demo = seed_demo(sim.world, signers=8, webhook_secret=SECRET, config=config)
            key = Path(tmp) / "key.pem"
            key.write_text(demo.private_key)
            settings = {
                "app_id": str(demo.app.id),
                "private_key_path": str(key),
                "webhook_secret": SECRET,
                "github_api_url": sim.base_url,
                "data_dir": str(Path(tmp) / "data"),
                "workers": "2",
                "mutation_interval": "0",
                "log_level": "WARNING",
                "worker_process": "false" if threads else "true",
            }
            with ServiceProcess(settings, Path(tmp) / "service.log") as service:
                demo.app.webhook_url = service.url
                signers = [s.login for s in demo.signers]

                def open_prs() -> None:
                    for login, piece in zip(signers, PIECES, strict=False):
                        who = person(sim, login)
                        line = "1. " + (f"Signer {login}" if calm else piece * (LINE_KB * 1024 // len(piece)))
                        who.sign(demo.repo.full_name, "README.md", line)

                opener = threading.Thread(target=open_prs)
                opener.start()
                payload = Path(tmp) / "payload.json"
                payload.write_bytes(first_opened(sim))
                got = load(service.url, ["--payload", str(payload), "closed", "--conns", "1"], seconds)
                opener.join()
                work = worked(service.url.removesuffix("/webhooks"))
        finally:
            sim.stop()
    return {**{k: float(v) for k, v in got.items() if isinstance(v, int | float)}, **work}


def worked(base: str) -> dict[str, float]:
    """What the workers did meanwhile, from the service's /metrics: jobs by outcome, GitHub requests."""
    import httpx

    out = {"ok": 0.0, "retry": 0.0, "error": 0.0, "dropped": 0.0, "requests": 0.0}
    for line in httpx.get(base + "/metrics", timeout=10).text.splitlines():
        name, _, value = line.rpartition(" ")
        if name.startswith("undersigned_jobs_done_total{"):
            out[name.split('"')[1]] += float(value)
        elif name.startswith("undersigned_github_requests_total{"):
            out["requests"] += float(value)
    return out


def first_opened(sim: Simulator) -> bytes:
    """The body of the first `pull_request.opened` delivery the simulator sent: the load sends that PR again
    and again (bench.loadgen --payload), so each delivery is a real job, on the simulator's installation."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for delivery in list(sim.webhooks.deliveries):
            if (delivery.event, delivery.action) == ("pull_request", "opened"):
                return delivery.body
        time.sleep(0.05)
    raise RuntimeError("no PR was opened in a minute")


def main(seconds: float, root: Path, *, threads: bool = False) -> None:
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (figures are noise on a loaded machine)")
    print(f"serve's job workers: {'threads of serve' if threads else 'a child process of serve'}")
    count = len(hostile_prs())
    got = verdicts(root)
    if got.get("timed_out"):
        print(f"verdict: {count} hostile PRs over the README gallery did not finish in 30 s (backtracking)")
    else:
        print(
            f"verdict: worst {float(str(got['worst_s'])) * 1000:.1f} ms over {count} hostile PRs "
            f"({got['worst']}); the template alone on a {LINE_KB} KB line, no cap: worst "
            f"{float(str(got['parse_s'])) * 1000:.1f} ms ({got['parse']})"
        )
    for calm in (True, False):
        intake = intake_under_load(seconds, calm=calm, threads=threads)
        what = "ordinary signature PRs" if calm else f"{LINE_KB} KB-line PRs"
        print(
            f"intake while {min(len(PIECES), 8)} {what} are evaluated: {intake['answered']:.0f} deliveries, "
            f"p50 {intake['p50_ms']:.2f} ms, p99 {intake['p99_ms']:.2f} ms, max {intake['max_ms']:.2f} ms; "
            f"meanwhile {intake['ok']:.0f} jobs done, {intake['retry'] + intake['error']:.0f} failed, "
            f"{intake['dropped']:.0f} dropped, {intake['requests']:.0f} GitHub requests"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose rules to time (for before/after)")
    parser.add_argument("--threads", action="store_true", help="serve's workers as its threads (the old layout)")
    args = parser.parse_args()
    main(args.seconds, args.root, threads=args.threads)
