"""Webhook handlers: one module per event family, each registering on a router. `build_router()` joins them."""

from __future__ import annotations

from handlers import check_run, installation, issue_comment, pull_request, push
from handlers.router import Router


def build_router() -> Router:
    """The one place the event families are combined."""
    router = Router()
    for module in (pull_request, check_run, issue_comment, installation, push):
        router.include(module.router)
    return router


__all__ = ["Router", "build_router"]
