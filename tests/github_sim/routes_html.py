"""Plain HTML pages at the simulator's html_url links: a repository, a PR, a commit, a file, a check run, a
user. Read-only views of the world, so the links undersigned and the demo print lead somewhere."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tests.github_sim.models import ApiError, CheckRun, Repository
from tests.github_sim.webpage import html_page

if TYPE_CHECKING:
    from tests.github_sim.server import Simulator


def _not_found() -> HTMLResponse:
    return HTMLResponse(html_page("Not found", "<h1>404</h1><p>This is not the web page you are looking for.</p>"), 404)


def _runs(run: CheckRun) -> str:
    return (
        f'<div class="box"><b>{escape(run.name)}</b>: <span class="{escape(str(run.conclusion))}">'
        f"{escape(str(run.conclusion or run.status))}</span> · {escape(str(run.output.get('title', '')))}"
        f"<pre>{escape(str(run.output.get('summary', '')))}</pre></div>"
    )


class Pages:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    def _repo(self, request: Request) -> Repository:
        return self.sim.world.repo(f"{request.path_params['owner']}/{request.path_params['repo']}")

    def _link(self, repo: Repository, rest: str = "") -> str:
        return f'<a href="/{escape(repo.full_name)}{escape(rest)}">{escape(repo.full_name)}</a>'

    def repo(self, request: Request) -> Response:
        world = self.sim.world
        with world.lock:
            try:
                repo = self._repo(request)
            except ApiError:
                return _not_found()
            head = repo.git.ref(f"refs/heads/{repo.default_branch}")
            files = [e.path for e in repo.git.ls_tree(head, recursive=True)] if head else []
            pulls = [p for p in world.pulls.values() if p.repo is repo]
        items = "".join(
            f'<li><a href="/{escape(repo.full_name)}/blob/{escape(repo.default_branch)}/{escape(f)}">{escape(f)}</a></li>'
            for f in files
        )
        prs = "".join(
            f'<li><a href="/{escape(repo.full_name)}/pull/{p.number}">#{p.number} {escape(p.title)}</a> '
            f"({'merged' if p.merged else escape(p.state)})</li>"
            for p in pulls
        )
        body = f"<h1>{escape(repo.full_name)}</h1><h2>Files</h2><ul>{items}</ul><h2>Pull requests</h2><ul>{prs}</ul>"
        return HTMLResponse(html_page(repo.full_name, body))

    def pull(self, request: Request) -> Response:
        world = self.sim.world
        with world.lock:
            try:
                repo = self._repo(request)
                pr = world.pull(repo, int(request.path_params["number"]))
            except (ApiError, ValueError):
                return _not_found()
            runs = [r for r in world.check_runs.values() if r.repo is repo and r.head_sha == pr.head_sha]
            comments = [c for c in world.comments.values() if c.repo is repo and c.number == pr.number]
        state = "merged" if pr.merged else pr.state
        merged = (
            f' in <a href="/{escape(repo.full_name)}/commit/{escape(pr.merge_commit_sha)}">'
            f"{escape(pr.merge_commit_sha[:7])}</a>"
            if pr.merged and pr.merge_commit_sha
            else ""
        )
        notes = "".join(
            f'<div class="box"><b>{escape(c.user.login)}</b><pre>{escape(c.body)}</pre></div>' for c in comments
        )
        body = (
            f"<h1>{escape(pr.title)} #{pr.number}</h1>"
            f"<p><b>{escape(state)}</b>{merged} · {escape(pr.user.login)} wants to merge "
            f"{escape(pr.head_repo.owner.login)}:{escape(pr.head_ref)} into {escape(pr.base_ref)} of "
            f"{self._link(repo)} · head {escape(pr.head_sha[:7])} · labels: {escape(', '.join(pr.labels) or 'none')}</p>"
            f"<h2>Checks</h2>{''.join(_runs(r) for r in runs) or '<p>None.</p>'}"
            f"<h2>Conversation</h2>{notes or '<p>No comments.</p>'}"
        )
        return HTMLResponse(html_page(f"{pr.title} #{pr.number}", body))

    def commit(self, request: Request) -> Response:
        with self.sim.world.lock:
            try:
                repo = self._repo(request)
                sha = str(request.path_params["sha"])
                if not repo.git.has_commit(sha):
                    return _not_found()
                info = repo.git.commit_info(sha)
                parents: list[str] = list(info["parents"])  # type: ignore[call-overload]
                files = repo.git.diff_files(parents[0], sha) if parents else []
            except ApiError:
                return _not_found()
        author: dict[str, object] = info["author"]  # type: ignore[assignment]
        diffs = "".join(
            f"<h3>{escape(str(f['filename']))} ({escape(str(f['status']))})</h3><pre>{escape(str(f['patch'] or ''))}</pre>"
            for f in files
        )
        body = (
            f"<h1>Commit {escape(sha[:7])}</h1><p>in {self._link(repo)} by {escape(str(author['name']))}</p>"
            f"<pre>{escape(str(info['message']))}</pre>{diffs}"
        )
        return HTMLResponse(html_page(f"Commit {sha[:7]}", body))

    def blob(self, request: Request) -> Response:
        with self.sim.world.lock:
            try:
                repo = self._repo(request)
            except ApiError:
                return _not_found()
            ref, path = str(request.path_params["ref"]), str(request.path_params["path"])
            commit = repo.git.ref(f"refs/heads/{ref}") or (ref if repo.git.has_commit(ref) else None)
            found = repo.git.read_path(commit, path) if commit else None
        if found is None:
            return _not_found()
        text = found[1].decode("utf-8", "replace")
        body = f"<h1>{escape(path)}</h1><p>{self._link(repo)} at {escape(ref)}</p><pre>{escape(text)}</pre>"
        return HTMLResponse(html_page(path, body))

    def check_run(self, request: Request) -> Response:
        run = self.sim.world.check_runs.get(int(request.path_params["id"]))
        if run is None:
            return _not_found()
        return HTMLResponse(html_page(run.name, f"<h1>Check run {run.id}</h1>{_runs(run)}"))

    def home(self, request: Request) -> Response:
        with self.sim.world.lock:
            names = sorted(r.full_name for r in self.sim.world.repos.values())
        items = "".join(f'<li><a href="/{escape(n)}">{escape(n)}</a></li>' for n in names)
        return HTMLResponse(html_page("GitHub", f"<h1>Repositories</h1><ul>{items}</ul>"))

    def user(self, request: Request) -> Response:
        found = self.sim.world.users.get(str(request.path_params["login"]).lower())
        if found is None:
            return _not_found()
        body = f"<h1>{escape(found.name or found.login)}</h1><p>@{escape(found.login)}</p>"
        return HTMLResponse(html_page(found.login, body))


def html_routes(sim: Simulator) -> list[Route]:
    pages = Pages(sim)
    return [
        Route("/{owner}/{repo}/pull/{number}", pages.pull, methods=["GET"]),
        Route("/{owner}/{repo}/commit/{sha}", pages.commit, methods=["GET"]),
        Route("/{owner}/{repo}/blob/{ref}/{path:path}", pages.blob, methods=["GET"]),
        Route("/{owner}/{repo}/runs/{id:int}", pages.check_run, methods=["GET"]),
        Route("/{owner}/{repo}", pages.repo, methods=["GET"]),
        Route("/{login}", pages.user, methods=["GET"]),
        Route("/", pages.home, methods=["GET"]),
    ]


def web_routes(sim: Simulator) -> list[Route]:
    """Every route a browser uses (pages and the manifest flow), added after the REST routes."""
    from tests.github_sim.routes_manifest import manifest_routes

    return [*manifest_routes(sim), *html_routes(sim)]
