"""Launch day, shortened: the real arrival curve and a small spam wave against GitHub's enforced limits (scale 20).

bench/launch_day.py prints the figures against the goals; this drill holds what must never fail: every
signer gets an outcome, each valid signature lands once, and the App is never limited nor flagged.
"""

from __future__ import annotations

import pytest

from bench import launch_day

pytestmark = pytest.mark.slow


def test_a_short_launch_day_within_githubs_limits() -> None:
    lines: list[str] = []
    args = ["--hours", "0.05", "--spam", "20", "--spam-at", "60", "--scale", "20"]
    result = launch_day.main(args, out=lines.append)
    assert result["prs"] >= 20, lines
    assert result["without_outcome"] == 0, lines
    assert result["exactly_once"], lines
    assert result["landed"] >= result["valid"], lines
    assert result["primary_hits"] == 0 and result["secondary_hits"] == 0 and result["flagged"] == [], lines
