"""The letter's public face, rendered: its signatures as JSON and CSV, and a count badge as SVG. Pure.

Everything in a signature is the signer's words, so hostile data: JSON escapes what a page could read as
markup, CSV neutralises what a spreadsheet would run as a formula (OWASP, "CSV Injection"), SVG escapes all."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from app.rules.roster import Signatory
from app.rules.text import affiliation_key, login_key

COLUMNS = ("name", "login", "affiliation", "landed")
FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")  # what makes Excel, LibreOffice and Sheets read a formula


def date_key(s: Signatory) -> str:
    """What a signature's landing date is kept by: the account when known (it survives an amended line)."""
    return f"@{login_key(s.login)}" if s.login else s.key


def records(
    people: Sequence[Signatory], dates: Mapping[str, str], marks: Mapping[str, Mapping[str, str]] | None = None
) -> list[dict[str, Any]]:
    """One record per signature: name, login (None when unknown), affiliation, landing date (None when unknown),
    and, when the letter verifies affiliations (`marks` by lower-cased login, app.affiliations.records), how
    its affiliation was verified (None when it was not, or the line now names another affiliation)."""
    rows = []
    for s in people:
        row: dict[str, Any] = {
            "name": s.name,
            "login": s.login or None,
            "affiliation": s.affiliation,
            "landed": dates.get(date_key(s)),
        }
        if marks is not None:
            mark = marks.get(s.login.lower()) if s.login else None
            same = mark is not None and affiliation_key(mark.get("affiliation", "")) == affiliation_key(
                s.affiliation or ""
            )
            row["verified"] = {k: v for k, v in mark.items() if k != "affiliation"} if mark and same else None
        rows.append(row)
    return rows


def as_json(repo: str, rows: list[dict[str, Any]]) -> str:
    data = {"letter": repo, "count": len(rows), "signatures": rows}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    # Still the same JSON values; a page or a template that drops the file into HTML sees no markup.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA) else text


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    verifies = any("verified" in row for row in rows)
    writer.writerow((*COLUMNS, "verified") if verifies else COLUMNS)
    for row in rows:
        cells = [_cell(row.get(c)) for c in COLUMNS]
        if verifies:
            mark = row.get("verified")
            cells.append(_cell(f"{mark['method']}: {mark['matched']}" if mark else ""))
        writer.writerow(cells)
    return out.getvalue()


def _width(text: str) -> int:
    return 10 + sum(7 if ch.isdigit() or ch.isupper() else 6 for ch in text)


def badge(count: int, label: str = "signatures") -> str:
    """A shields.io-style badge: a grey label, a green value."""
    value = f"{count:,}"
    left, right = _width(label), _width(value)
    total = left + right
    label_e, value_e = escape(label, quote=True), escape(value, quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{label_e}: {value_e}"><title>{label_e}: {value_e}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="#2e7d32"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="14">{label_e}</text><text x="{left + right / 2:.1f}" y="14">{value_e}</text>'
        "</g></svg>\n"
    )
