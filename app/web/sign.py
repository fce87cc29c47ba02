"""The "Sign with GitHub" page at /sign/{owner}/{repo}: sign in, preview with the rules, open the PR as the signer."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from authlib.integrations.base_client import OAuthError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from github import GithubException
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from app.affiliations.verify import keep_email_domain, wants_email
from app.logs import event
from app.rules import Author
from app.runtime import Runtime
from app.web.markdown import render_markdown
from app.web.oauth import SESSION_SECONDS, STATUS_COOKIE, Signer, parse_time
from app.web.pages import not_found
from app.web.setup import OAUTH_CALLBACK
from app.web.sign_state import HEADERS, SigningPage, client_ip, page, progress_words, repo_name
from app.web.signer_api import SendError, UserGitHub
from app.web.signing import (
    FORM_BOUND,
    NO_PAGE,
    Action,
    Letter,
    PausedError,
    Plan,
    UnavailableError,
    existing,
    form_limits,
    plan,
)

log = logging.getLogger("undersigned.sign")
STATUS_NEXT = "-status"  # where to go after signing in: the status page (no repo is named "-")
PAGES = {STATUS_NEXT: "/", "-dashboard": "/dashboard"}  # pages at / that read STATUS_COOKIE, by their `next`


def signing_app(runtime: Runtime) -> FastAPI:
    """The page as an app mounted at /sign, with its own signed session cookie scoped to /sign."""
    state = SigningPage(runtime)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.signing = state  # the status page reads its signed-in people
    secure = (runtime.settings.public_url or "").startswith("https://")
    # A random key per process: sessions (and the tokens they point to) live only as long as the process.
    app.add_middleware(
        SessionMiddleware,
        secret_key=secrets.token_urlsafe(32),
        session_cookie="undersigned_sign",
        max_age=SESSION_SECONDS,
        path="/sign",
        same_site="lax",
        https_only=secure,
    )

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:
        # GitHub down or slow, say: a page in words, never a traceback. The log names the error's kind only.
        event(log, "signing page error", path=request.url.path, error=type(exc).__name__)
        message = "GitHub did not answer as expected. Nothing was lost; please try again in a minute."
        return page("message.html", 503, title="Please try again", message=message)

    app.add_exception_handler(HTTPException, not_found)  # an unknown URL under /sign: a page for browsers

    @app.get("/callback")
    async def callback(request: Request) -> Response:
        if (limited := state.limited("login", client_ip(request))) is not None:
            return limited
        client = state.oauth()
        target = request.session.get("next")
        back = PAGES.get(target, f"/sign/{target}") if isinstance(target, str) else None
        if client is None:
            return page("message.html", 503, title="Not set up", message="Signing in with GitHub is not set up.")
        try:
            token = await client.authorize_access_token(request)
        except OAuthError as exc:
            # A `state` that is not the one we sent (tampered, replayed, or from another browser) ends here.
            event(log, "sign-in refused", reason=exc.error)
            message = "The sign-in could not be verified (it did not start here, or it expired). Please start again."
            return page("message.html", 400, title="Sign-in refused", message=message, back=back)
        access = str(token.get("access_token", ""))
        try:
            with UserGitHub(state.settings.github_api_url, access, state.settings.http_timeout) as gh:
                me = await run_in_threadpool(gh.me)
        except SendError as exc:
            return page("message.html", 502, title="GitHub did not answer", message=str(exc), back=back)
        signer = Signer(str(me["login"]), me.get("id"), me.get("type"), parse_time(me.get("created_at")), access)
        signer.profile_name = str(me.get("name") or "")[:FORM_BOUND]
        state.sessions.end(request.session)
        request.session["sid"] = state.sessions.create(signer)
        event(log, "signed in", login=signer.login)
        answer = RedirectResponse(f"{back}#sign" if back and target not in PAGES else back or "/", 303)
        if target in PAGES:  # the status page at / reads this cookie (the session's is scoped to /sign)
            sid = state.sessions.create(signer)
            answer.set_cookie(
                STATUS_COOKIE, sid, SESSION_SECONDS, path="/", secure=secure, httponly=True, samesite="lax"
            )
        return answer

    @app.get("/-/status-login")
    async def status_login(request: Request) -> Response:
        """Sign in for the status page: it shows a person the installations they administer."""
        return await page_login(request, STATUS_NEXT)

    @app.get("/-/dashboard-login")
    async def dashboard_login(request: Request) -> Response:
        """Sign in for the maintainer's dashboard at /dashboard (the same session as the status page's)."""
        return await page_login(request, "-dashboard")

    async def page_login(request: Request, target: str) -> Response:
        if (limited := state.limited("login", client_ip(request))) is not None:
            return limited
        client = state.oauth()
        if client is None:
            return page("message.html", 503, title="Not set up", message="Signing in with GitHub is not set up.")
        request.session["next"] = target
        base = (state.settings.public_url or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")
        response: Response = await client.authorize_redirect(request, base + OAUTH_CALLBACK)
        return response

    @app.post("/-/logout")
    async def logout(request: Request) -> Response:
        form = await request.form()
        signer = state.sessions.get(request.session)
        if signer is not None and signer.check_csrf(str(form.get("csrf", ""))):
            state.sessions.end(request.session)
            request.session.clear()
        target = repo_name(*str(form.get("next", "")).partition("/")[::2])
        return RedirectResponse(f"/sign/{target}" if target else "/", 303)

    @app.get("/{owner}/{name}/login")
    async def login(request: Request, owner: str, name: str) -> Response:
        repo = repo_name(owner, name)
        if (limited := state.limited("login", client_ip(request))) is not None:
            return limited
        client = state.oauth()
        if repo is None or client is None:
            return no_page()
        request.session["next"] = repo
        base = (state.settings.public_url or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")
        response: Response = await client.authorize_redirect(request, base + OAUTH_CALLBACK)
        return response

    @app.get("/{owner}/{name}")
    async def letter_page(request: Request, owner: str, name: str) -> Response:
        return await _letter_response(state, request, owner, name, None)

    @app.post("/{owner}/{name}")
    async def submit(request: Request, owner: str, name: str) -> Response:
        form = await request.form()
        return await _letter_response(state, request, owner, name, {k: str(v) for k, v in form.items()})

    @app.get("/{owner}/{name}/pr/{number}.json")
    async def status(request: Request, owner: str, name: str, number: int) -> Response:
        found = await _progress(state, request, owner, name, number)
        if isinstance(found, Response):
            return found
        return JSONResponse({**found.as_dict(), **progress_words(found)}, headers=HEADERS)

    @app.get("/{owner}/{name}/pr/{number}")
    async def progress_page(request: Request, owner: str, name: str, number: int) -> Response:
        found = await _progress(state, request, owner, name, number)
        if isinstance(found, Response):
            return found
        signer = state.sessions.get(request.session)
        words = progress_words(found)
        return page(
            "progress.html",
            repo=f"{owner}/{name}",
            p=found,
            words=words,
            title=words["heading"],
            script="progress.js",
            signer=signer.login if signer else None,
            csrf=signer.csrf if signer else "",
        )

    return app


def no_page() -> Response:
    """The one answer for every letter without a signing page, whatever the reason (issue 18)."""
    return page("message.html", 404, title="Not found", message=NO_PAGE)


async def _progress(state: SigningPage, request: Request, owner: str, name: str, number: int) -> Any:
    repo = repo_name(owner, name)
    if (limited := state.limited("status", client_ip(request))) is not None:
        return limited
    if repo is None:
        return no_page()
    try:
        _, api, _, _ = await run_in_threadpool(state.letters().offering, repo)
        return await run_in_threadpool(state.progress.get, api, repo, number, state.settings.app_id)
    except UnavailableError:
        return no_page()
    except GithubException:
        return no_page()


async def _letter_response(
    state: SigningPage, request: Request, owner: str, name: str, form: dict[str, str] | None
) -> Response:
    repo = repo_name(owner, name)
    if (limited := state.limited("page", client_ip(request))) is not None:
        return limited
    if repo is None:
        return no_page()
    try:
        letter = await run_in_threadpool(state.letters().load, repo)
    except PausedError as exc:
        return page("message.html", 503, title="Signing is paused", message=str(exc))
    except UnavailableError:
        return no_page()
    signer = state.sessions.get(request.session)
    values: dict[str, Any] = {
        "repo": repo,
        "title": f"Sign: {repo}",
        "letter_html": render_markdown(letter.text),
        "count": letter.count,
        "fields": letter.fields,
        "can_login": state.oauth() is not None,
        "signer": signer.login if signer else None,
        "csrf": signer.csrf if signer else "",
        "mine": existing(letter, signer.login, signer.id) if signer else None,
        "limits": form_limits(letter.config),
        "script": "sign.js",
        "values": {"name": signer.profile_name if signer else "", "affiliation": ""},
        "plan": None,
        "action": None,
        "error": None,
        "pending": signer.sent.get(repo.lower(), (0, "", 0))[2] if signer else 0,
        "people": await _people(request, repo),
    }
    if values["mine"] is not None:
        values["values"] = {"name": values["mine"].name, "affiliation": values["mine"].affiliation or ""}
    if form is None:
        return page("letter.html", **values)
    if signer is None:
        values["error"] = "Your session has ended. Please sign in with GitHub again."
        return page("letter.html", 401, **values)
    if not signer.check_csrf(form.get("csrf")):
        values["error"] = "This form has expired or did not come from this page. Please try again."
        return page("letter.html", 403, **values)
    return await _act(state, request.session, signer, letter, form, values)


async def _people(request: Request, repo: str) -> list[dict[str, Any]] | None:
    """Who signed, for the list under the letter: public letters only (app/web/public.py)."""
    public = getattr(request.app.state, "public", None)
    try:
        roster = await run_in_threadpool(public.roster, repo) if public is not None else None
    except Exception:  # GitHub failing: the page still shows the letter and the form, without the list
        return None
    return roster.rows if roster is not None else None


async def _act(
    state: SigningPage,
    session: dict[str, Any],
    signer: Signer,
    letter: Letter,
    form: dict[str, str],
    values: dict[str, Any],
) -> Response:
    action = form.get("action", "sign")
    if action not in ("sign", "amend", "withdraw"):
        action = "sign"
    step = form.get("step", "preview")
    values["action"] = action
    if step == "edit":
        return page("letter.html", **values)
    typed = {"name": form.get("name", "")[:FORM_BOUND], "affiliation": form.get("affiliation", "")[:FORM_BOUND]}
    if action != "withdraw":
        values["values"] = typed
    if (limited := state.limited("send" if step == "send" else "preview", signer.login.lower())) is not None:
        return limited
    author = Author(signer.login, signer.id, signer.type, signer.created_at)
    chosen: Action = action  # type: ignore[assignment]
    judged: Plan = plan(letter, author, chosen, typed["name"], typed["affiliation"])
    values["plan"] = judged
    if step != "send" or not judged.ok:
        return page("letter.html", 200 if judged.ok or step != "send" else 422, **values)
    again = signer.recent(letter.repo, action)
    if again is not None:
        return RedirectResponse(f"/sign/{letter.repo}/pr/{again}", 303)
    try:
        with UserGitHub(state.settings.github_api_url, signer.token, state.settings.http_timeout) as gh:
            if action != "withdraw" and signer.id is not None and wants_email(letter.config, typed["affiliation"]):
                # Before the PR opens: its evaluation finds the domain (never the address) kept here.
                domains = await run_in_threadpool(gh.verified_domains)
                store, config = state.rt.queue.store, letter.config
                keep_email_domain(store, letter.repo, signer.id, config, typed["affiliation"], domains)
            pr = await run_in_threadpool(gh.open_pull, letter, judged, signer.login)
    except SendError as exc:
        values["error"] = str(exc)
        if exc.status == 401:  # the token expired or was revoked: sign in again
            state.sessions.end(session)
            values.update(signer=None, error=f"{exc} Please sign in with GitHub again.")
        return page("letter.html", 502, **values)
    signer.sent[letter.repo.lower()] = (time.monotonic(), action, int(pr["number"]))
    event(log, "pull request opened", repo=letter.repo, pr=pr.get("number"), login=signer.login, action=action)
    return RedirectResponse(f"/sign/{letter.repo}/pr/{int(pr['number'])}", 303)
