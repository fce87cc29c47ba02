"""The frame every page shares (setup, status, signing, errors): one template, one stylesheet, all escaped."""

from __future__ import annotations

from html import escape
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.exceptions import HTTPException

from app.web.markdown import code_spans

TEMPLATES = Environment(loader=PackageLoader("app.web", "pages"), autoescape=select_autoescape(default=True))
TEMPLATES.filters["code_spans"] = code_spans  # a refusal's `code` spans as <code>, the rest escaped
# The page's files, served at /-/NAME to every page (a fixed list: nothing else of the package is served).
ASSETS = {
    "style.css": "text/css",
    "status.js": "text/javascript",
    "sign.js": "text/javascript",
    "progress.js": "text/javascript",
}


def render(name: str, **values: Any) -> str:
    """A template from app/web/pages, every value escaped unless it is Markup."""
    values.setdefault("signer", None)
    values.setdefault("script", None)
    return TEMPLATES.get_template(name).render(**values)


def page(title: str, body: str, script: str | None = None) -> str:
    """A whole HTML document in the shared frame. `body` is trusted markup: escape every value with `e` first.
    `script` names one of ASSETS to run on the page (no inline script: the signing page's policy forbids it)."""
    return render("base.html", title=title, body=Markup(body), script=script)  # noqa: S704 (escaped by the caller)


def e(value: object) -> str:
    """Escape for HTML text and attribute values."""
    return escape(str(value), quote=True)


def assets() -> APIRouter:
    """GET /-/NAME: the stylesheet and the pages' small scripts."""
    router = APIRouter()
    files = {name: resources.files("app.web").joinpath("pages", name).read_bytes() for name in ASSETS}

    @router.get("/-/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in files:
            raise HTTPException(404)
        return Response(files[name], media_type=ASSETS[name], headers={"Cache-Control": "max-age=300"})

    return router


async def not_found(request: Request, exc: Exception) -> Response:
    """An unknown URL: a page in the shared style for browsers (they send Accept: text/html), JSON for the rest.
    Other HTTP errors keep the framework's JSON."""
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = getattr(exc, "headers", None)
    if code == 404 and "text/html" in request.headers.get("accept", ""):
        body = (
            "<h1>Page not found</h1><p>There is no page at this address. "
            "Check the address, or the link that brought you here.</p>"
        )
        return HTMLResponse(page("Page not found", body), 404, headers=headers)
    detail = exc.detail if isinstance(exc, HTTPException) else "Internal Server Error"
    return JSONResponse({"detail": detail}, code, headers=headers)
