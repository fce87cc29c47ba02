"""The maintainer's dashboard at /dashboard, behind GitHub sign-in: the letters of the installations a person
administers (GET /user/installations with their own token), each with its signatures, open pull requests,
config, last decisions and budget. Its figures refresh in place (pages/status.js keeps focus and scroll)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.runtime import Runtime
from app.web.dashboard_data import MAX_PRS, LetterView, LetterViews, Pull
from app.web.oauth import Signer
from app.web.pages import e, page
from app.web.signer_api import SendError
from app.web.status import WORDS, Status

REFRESH = 15  # seconds between the page's updates (status.js reads data-refresh)
MAX_LETTERS = 12  # letters shown per person: each costs API calls to build
DECISIONS = 8  # last decisions shown per letter
TAGS = {"valid": ("ok", "valid"), "invalid": ("bad", "needs changes"), "waiting": ("wait", "waiting on the config"),
        "unchecked": ("muted", "not checked yet"), "other": ("muted", "not a signature")}  # fmt: skip


class Dashboard:
    def __init__(self, rt: Runtime, status: Status) -> None:
        self.rt, self.status, self.views = rt, status, LetterViews(rt)

    def html(self, signer: Signer | None) -> str:
        if signer is None:
            body = (
                "<h1>Dashboard</h1><p>The dashboard shows the maintainers of a letter how it is doing: its "
                "signatures, its open pull requests, its config and the last decisions.</p>"
                '<p><a class="button" href="/sign/-/dashboard-login">Sign in with GitHub</a></p>'
            )
            return page("Dashboard", body)
        try:
            mine = self.status.administered(signer)
        except SendError as exc:
            body = f'<h1>Dashboard</h1><p class="bad">{e(exc)}</p>'
            return page("Dashboard", body)
        pairs = sorted((repo, inst) for inst, repos in mine.items() for repo in repos)
        views = [v for v in (self.views.view(inst, repo) for repo, inst in pairs[:MAX_LETTERS]) if v is not None]
        decisions = self.status.activity.read()["decisions"]
        if views:
            cards = "".join(self._letter(v, decisions) for v in views)
        elif pairs:
            cards = '<p class="muted">None of the repositories you administer has a letter (no config).</p>'
        else:
            cards = (
                '<p class="muted">You administer no repository that undersigned is installed on. A letter\'s '
                "dashboard is for the people who administer its repository.</p>"
            )
        more = (
            f'<p class="muted">Only the first {MAX_LETTERS} letters are shown.</p>' if len(pairs) > MAX_LETTERS else ""
        )
        body = (
            f'<h1>Dashboard</h1><p class="muted">Signed in as {e(signer.login)} · <a href="/">status</a></p>'
            f'<div id="live" data-refresh="{REFRESH}">{cards}{more}</div>'
        )
        return page("Dashboard", body, script="status.js")

    def _letter(self, v: LetterView, decisions: list[dict[str, object]]) -> str:
        head = f'<h2><a href="{e(v.url)}">{e(v.repo)}</a></h2>' if v.url else f"<h2>{e(v.repo)}</h2>"
        if v.problem:
            return f'<section class="letter-card">{head}<p class="bad">{e(v.problem)}</p></section>'
        config = (
            '<span class="ok tag">config valid</span>' if v.config == "valid" else
            '<span class="bad tag">the config has errors: nothing lands</span>'
        )  # fmt: skip
        if v.config_check:
            config += f' <a href="{e(v.config_check)}">the check that explains it</a>'
        held = ' <span class="wait tag">on hold: nothing lands until /undersigned resume</span>' if v.held else ""
        budget = v.budget
        left = f"{budget.get('remaining', -1):,} / {budget.get('limit', -1):,}" if budget.get("limit", -1) >= 0 else "?"
        verified = f'<div class="card"><b>{v.verified:,}</b><span>with a verified affiliation</span></div>'
        verified = verified if v.verified else ""
        cards = (
            '<div class="cards">'
            f'<div class="card"><b>{v.total:,}</b><span>signatures (lines in the letter)</span></div>'
            f'<div class="card"><b>{v.today:,}</b><span>landed today (UTC)</span></div>{verified}'
            f'<div class="card"><b>{len(v.pulls)}{"+" if v.more_pulls else ""}</b><span>open pull requests</span></div>'
            f'<div class="card"><b>{e(left)}</b><span>API requests left this hour '
            f"(this process: {budget.get('reads', 0):,} reads, {budget.get('writes', 0):,} writes)</span></div>"
            "</div>"
        )
        mine = [d for d in decisions if str(d.get("repo", "")).lower() == v.repo.lower()][:DECISIONS]
        return (
            f'<section class="letter-card" aria-label="{e(v.repo)}">{head}<p>{config}{held}</p>{cards}'
            f"{self._pulls(v.pulls, v.more_pulls)}{self._decisions(v.repo, mine)}{self._lapsed(v.lapsed)}</section>"
        )

    def _lapsed(self, lapsed: list[dict[str, str]]) -> str:
        if not lapsed:
            return ""
        items = "".join(
            f"<li>{e(t.get('date', ''))}: @{e(t.get('login', ''))} is no longer a public member of "
            f"{e(t.get('org', ''))}; the mark on {e(t.get('affiliation', ''))} was dropped (the signature stays)</li>"
            for t in lapsed
        )
        return f"<h3>Verified marks dropped by the weekly re-check</h3><ul>{items}</ul>"

    def _pulls(self, pulls: list[Pull], more: bool) -> str:
        if not pulls:
            return '<h3>Open pull requests</h3><p class="muted">None.</p>'
        rows = []
        for p in pulls:
            tone, word = TAGS.get(p.state, ("muted", p.state))
            why = f'<a href="{e(p.check_url)}">{e(p.reason)}</a>' if p.check_url and p.reason else e(p.reason)
            rows.append(
                f'<tr><td><a href="{e(p.url)}">#{p.number}</a></td><td>{e(p.author)}</td>'
                f'<td class="tag {tone}">{e(word)}</td><td>{why}</td></tr>'
            )
        note = f'<p class="muted">Only the first {MAX_PRS} are shown.</p>' if more else ""
        head = "<tr><th>Pull request</th><th>Author</th><th>State</th><th>Why</th></tr>"
        return (
            f'<h3>Open pull requests</h3><div class="scroll"><table><thead>{head}</thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>{note}"
        )

    def _decisions(self, repo: str, decisions: list[dict[str, object]]) -> str:
        if not decisions:
            return '<h3>Last decisions</h3><p class="muted">None yet.</p>'
        rows = []
        for d in decisions:
            when = datetime.fromtimestamp(float(str(d.get("at", 0))), UTC).strftime("%Y-%m-%d %H:%M")
            number, who = d.get("pr"), str(d.get("who") or "")
            link = f"{self.rt.settings.web_url}/{repo}/pull/{number}"
            rows.append(
                f'<tr><td>{e(when)}</td><td><a href="{e(link)}">#{e(number)}</a></td><td>{e(who)}</td>'
                f"<td>{e(WORDS.get(str(d.get('outcome', '')), d.get('outcome', '')))}</td>"
                f"<td>{e(d.get('reason', ''))}</td></tr>"
            )
        head = "<tr><th>UTC</th><th>Pull request</th><th>Signer</th><th>Decision</th><th>Reason</th></tr>"
        return (
            f'<h3>Last decisions</h3><div class="scroll"><table><thead>{head}</thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
