"""The signing page, timed: a person clicks "Sign" in headless Chromium; how long until the page shows the commit?

Run: python -m bench.signing_page [--signers 5] [--pacing 0] [--latency 0]
Demo world settings by default (the README's demo: no write pacing, no added latency). Prints, per signer and as
medians: click -> PR opened (the page's redirect), PR opened -> landed (the simulator's clock), click -> landed
shown (what the person sees, including the page's polling).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM, FLAGS
from tests.github_sim import seed_demo, start
from tests.service import Service, settings_for

REPO = "maintainer/microsoft-drop-ice"


def run(signers: int, pacing: float, latency: float) -> list[dict[str, float]]:
    root = Path(tempfile.mkdtemp(prefix="signing-"))
    sim = start(root / "sim")
    demo = seed_demo(sim.world, signers=signers, webhook_secret="e2e-webhook-secret")
    client_id, client_secret = sim.oauth.credentials(demo.app)
    settings = settings_for(
        sim, demo, root / "data", client_id=client_id, client_secret=client_secret, mutation_interval=pacing
    )
    service = Service(settings).start()
    demo.app.webhook_url = service.url
    if latency:
        sim.faults.add("latency", ".*", latency=latency)
    rows: list[dict[str, float]] = []
    try:
        with sync_playwright() as pw:
            for index, user in enumerate(demo.signers):
                context = pw.chromium.launch_persistent_context(
                    str(root / f"profile-{index}"), executable_path=CHROMIUM, headless=True, args=FLAGS
                )
                page = context.new_page()
                page.goto(f"{service.base}/sign/{REPO}")
                page.get_by_role("link", name="Sign with GitHub").click()
                page.get_by_label("Username").fill(user.login)
                page.get_by_role("button", name="Authorize").click()
                page.wait_for_url(f"{service.base}/sign/{REPO}")
                page.get_by_label("Your name").fill(f"Person {user.login}")
                clicked, wall = time.monotonic(), sim.world.now()
                page.get_by_role("button", name="Sign", exact=True).click()
                page.wait_for_url(f"**/sign/{REPO}/pr/*")
                opened = time.monotonic()
                page.get_by_text("Landed in").wait_for(timeout=120_000)
                shown = time.monotonic()
                pr = next(p for p in sim.world.pulls.values() if p.user.login == user.login)
                assert pr.merged_at is not None
                rows.append(
                    {
                        "click_to_opened_s": opened - clicked,
                        "opened_to_landed_s": pr.merged_at - pr.created_at,
                        "click_to_landed_s": pr.merged_at - wall,
                        "click_to_shown_s": shown - clicked,
                    }
                )
                print({k: round(v, 2) for k, v in rows[-1].items()}, flush=True)
                context.close()
    finally:
        service.stop()
        sim.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signers", type=int, default=5)
    parser.add_argument("--pacing", type=float, default=0.0, help="seconds between the App's writes (GitHub asks 1)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every simulated GitHub call")
    args = parser.parse_args()
    rows = run(args.signers, args.pacing, args.latency)
    medians = {k: round(statistics.median(r[k] for r in rows), 2) for k in rows[0]}
    print(f"signing page, {args.signers} signers, pacing {args.pacing} s, latency {args.latency} s: medians {medians}")


if __name__ == "__main__":
    main()
