"""The HTML frame of the service's few pages: one stylesheet, no scripts, everything escaped."""

from __future__ import annotations

from html import escape

STYLE = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa;
  --line: #d1d9e0; --accent: #0969da; --ok: #1a7f37; --bad: #cf222e; --wait: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --fg: #f0f6fc; --muted: #9198a1; --bg: #0d1117;
  --panel: #151b23; --line: #3d444d; --accent: #4493f8; --ok: #3fb950; --bad: #f85149; --wait: #d29922; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); }
main { max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
header { display: flex; align-items: baseline; gap: .75rem; border-bottom: 1px solid var(--line);
  padding-bottom: .75rem; margin-bottom: 1.5rem; }
header b { font-size: 1.35rem; } header span { color: var(--muted); }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
p { margin: .5rem 0; } a { color: var(--accent); }
.muted { color: var(--muted); }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
label small { font-weight: 400; color: var(--muted); }
input[type=text], input[type=url] { width: 100%; padding: .5rem .65rem; font: inherit; color: inherit;
  background: var(--bg); border: 1px solid var(--line); border-radius: 6px; }
button, .button { display: inline-block; margin-top: 1.25rem; padding: .55rem 1.1rem; font: inherit;
  font-weight: 600; color: #fff; background: var(--ok); border: 0; border-radius: 6px; cursor: pointer;
  text-decoration: none; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .75rem; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
.card b { display: block; font-size: 1.6rem; } .card span { color: var(--muted); font-size: .9rem; }
table { width: 100%; border-collapse: collapse; font-size: .95rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
.tag { font-weight: 600; } .ok { color: var(--ok); } .bad { color: var(--bad); } .wait { color: var(--wait); }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem;
  overflow-x: auto; font-size: .85rem; }
ol li { margin: .35rem 0; }
"""


def page(title: str, body: str, refresh: int | None = None) -> str:
    """A whole HTML document. `body` is trusted markup: escape every value with `e` before it gets here."""
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{meta}<title>{e(title)} · undersigned</title><style>{STYLE}</style></head><body><main>"
        "<header><b>undersigned</b><span>open letters, signed through pull requests</span></header>"
        f"{body}</main></body></html>"
    )


def e(value: object) -> str:
    """Escape for HTML text and attribute values."""
    return escape(str(value), quote=True)
