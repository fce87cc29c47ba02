"""Plain HTML for the simulator's web pages (what html_url links lead to), and urlencoded forms."""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

from starlette.requests import Request

STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#1f2328}"
    "pre{background:#f6f8fa;border:1px solid #d1d9e0;padding:.75rem;overflow-x:auto;white-space:pre-wrap}"
    ".box{border:1px solid #d1d9e0;border-radius:6px;padding:.5rem 1rem;margin:.75rem 0}"
    ".success{color:#1a7f37}.failure{color:#cf222e}.neutral,.action_required{color:#59636e}"
    "nav{color:#59636e;margin-bottom:1rem}"
)


def html_page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · GitHub (simulated)'
        f"</title><style>{STYLE}</style></head><body><nav>GitHub (simulated)</nav>{body}</body></html>"
    )


async def form(request: Request) -> dict[str, list[str]]:
    """An application/x-www-form-urlencoded body (what an HTML form posts), without python-multipart."""
    return parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)


def first(values: dict[str, list[str]], name: str) -> str:
    return (values.get(name) or [""])[0]
