"""The dashboard's letter card counts verified affiliations and names the marks the weekly re-check dropped."""

from __future__ import annotations

from typing import Any, cast

from app.web.dashboard import Dashboard
from app.web.dashboard_data import LetterView


def test_the_letter_card_shows_verified_marks_and_lapsed_ones_escaped() -> None:
    board = Dashboard.__new__(Dashboard)  # the card's rendering reads nothing from the runtime
    lapsed = [{"login": "ada", "affiliation": "<b>Mozilla</b>", "org": "mozilla", "date": "2026-12-01"}]
    view = LetterView("o/letter", "https://github.com/o/letter", "valid", total=3, verified=2, lapsed=lapsed)
    html = cast(Any, board)._letter(view, [])
    assert "<b>2</b><span>with a verified affiliation" in html
    assert "@ada is no longer a public member of mozilla" in html and "&lt;b&gt;Mozilla&lt;/b&gt;" in html
    plain = cast(Any, board)._letter(LetterView("o/letter", "", "valid", total=3), [])
    assert "verified" not in plain and "re-check" not in plain
