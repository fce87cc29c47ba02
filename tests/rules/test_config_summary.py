"""The config check's summary on a letter of several lists or folders: each part, with its template (goldens)."""

from __future__ import annotations

from app.review.config_check import config_report
from tests.helpers import assert_golden
from tests.rules.shapes_new import FOLDERS, LISTS


def test_a_letter_of_two_lists_is_summed_up_list_by_list() -> None:
    report = config_report(LISTS)
    assert report.conclusion == "success"
    assert "- {name} [@{login}](https://github.com/{login})" in report.summary
    assert_golden("app/check-config-lists.md", report.summary)


def test_a_letter_of_two_folders_is_summed_up_folder_by_folder() -> None:
    report = config_report(FOLDERS)
    assert "_data/people/" in report.summary
    assert_golden("app/check-config-folders.md", report.summary)
