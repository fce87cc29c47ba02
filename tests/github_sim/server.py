"""The simulator's HTTP layer: routing, authentication, faults, rate-limit headers, the request log."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from collections.abc import Callable
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.github_sim.contract import Contract, Violation
from tests.github_sim.faults import Call, Faults
from tests.github_sim.graphql import GraphQLEndpoint
from tests.github_sim.limits import Limits, Ticket
from tests.github_sim.models import ApiError, App, Token
from tests.github_sim.request import ROUTES, Actor, Ctx, Handler
from tests.github_sim.routes_app import rate_limit_body
from tests.github_sim.serving import ServerThread
from tests.github_sim.shapes import Shapes
from tests.github_sim.world import World

DOCS = "https://docs.github.com/rest"


class Simulator:
    """A running simulator: `world`, `faults`, `base_url`; start() binds a free port on 127.0.0.1."""

    def __init__(
        self,
        world: World,
        public_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        validate: bool = False,
        limits: Limits | None = None,
    ) -> None:
        from tests.github_sim import (  # noqa: F401
            routes_admin,
            routes_app,
            routes_git,
            routes_issues,
            routes_people,
            routes_pulls,
            routes_repos,
        )
        from tests.github_sim.routes_html import web_routes
        from tests.github_sim.routes_oauth import OAuthServer
        from tests.github_sim.webhooks import WebhookSender

        self.world, self.faults = world, Faults()
        # With validate, every request, response and delivery is checked against GitHub's published contract.
        self.contract = Contract() if validate else None
        # GitHub's rate limits (limits.py): enforced by default; Limits(secondary=False) only counts the
        # secondary ones (unit tests that run the service unpaced). The primary limit is always enforced.
        self.limits = limits if limits is not None else Limits()
        if not self.limits.own_clock:
            self.limits.clock = world.now  # a test that moves the world's clock moves the hour
        routes = [Route(p, self._endpoint(fn, f"{m} {p}"), methods=[m]) for m, p, fn in ROUTES]
        routes.append(Route("/_sim/violations", self._violations, methods=["GET"]))
        routes.append(Route("/graphql", GraphQLEndpoint(self).serve, methods=["POST"]))  # graphql.py
        routes.extend(web_routes(self))  # HTML pages and the App manifest flow (before the catch-all)
        self.oauth = OAuthServer(world)  # the web flow for user access tokens (routes_oauth.py)
        routes.extend(self.oauth.routes())
        routes.append(Route("/{path:path}", self._unrouted, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]))
        self.asgi = Starlette(routes=routes)
        self.http = ServerThread(self.asgi, host, port)
        self.port = self.http.port
        self.base_url = (public_url or f"http://{host}:{self.port}").rstrip("/")
        self.shapes = Shapes(world, self.base_url)
        self.webhooks = WebhookSender(world, self.shapes, self.faults, self.contract)
        # Requests charged per "<bucket>:<hour>" (the limits' own count; tests read and set it).
        self.used: dict[str, int] = self.limits.used
        # Tokens whose rate limit is not their installation's: token -> (bucket, limit). An Actions run's
        # GITHUB_TOKEN draws on its repository's 1,000 an hour (tests/github_sim/actions.py).
        self.buckets: dict[str, tuple[str, int]] = {}
        self.closers: list[Callable[[], None]] = []  # clients handed out, closed on stop
        self.report_on_stop = False  # print the contract's violations to stderr on stop

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> Simulator:
        self.http.start()
        return self

    def stop(self) -> None:
        for close in self.closers:
            close()
        self.webhooks.close()
        self.http.stop()
        if self.report_on_stop and self.contract is not None:
            print(f"contract: {len(self.contract.violations)} violation(s)", file=sys.stderr)
            if self.contract.violations:
                print(self.contract.report(), file=sys.stderr)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- authentication -------------------------------------------------------------------------
    def authenticate(self, header: str | None) -> Actor:
        if not header:
            return Actor("anonymous")
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("bearer", "token") or not value:
            raise ApiError(401, "Bad credentials")
        if value.count(".") == 2:
            return Actor("app", app=self._verify_jwt(value))
        token: Token | None = self.world.tokens.get(value)
        if token is None or (token.expires_at is not None and token.expires_at < self.world.now()):
            raise ApiError(401, "Bad credentials")
        if token.installation is not None:
            return Actor("installation", installation=token.installation, app=token.installation.app, token=value)
        return Actor("user", user=token.user, token=value, app=token.app)

    def _verify_jwt(self, value: str) -> App:
        # https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app
        try:
            claims = jwt.decode(value, options={"verify_signature": False})
            app = self.world.apps[int(claims["iss"])]
            jwt.decode(value, app.public_key, algorithms=["RS256"], leeway=0, options={"verify_iat": False})
        except (jwt.PyJWTError, KeyError, ValueError, TypeError):
            raise ApiError(401, "A JSON web token could not be decoded") from None
        now = self.world.now()
        if int(claims.get("exp", 0)) > now + 600 + 30:
            raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")
        if int(claims.get("exp", 0)) < now:
            raise ApiError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time")
        return app

    # --- dispatch -------------------------------------------------------------------------------
    def _endpoint(self, fn: Handler, template: str) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            return await self._dispatch(fn, request, template)

        return endpoint

    async def _dispatch(self, fn: Handler, request: Request, template: str) -> Response:
        target = f"{request.method} {request.url.path}"
        actor_label, status = "anonymous", 500
        extra: dict[str, str] = {}
        ticket: Ticket | None = None
        try:
            for fault in self.faults.take(target, ("latency",)):
                await asyncio.sleep(fault.latency)
            actor = self.authenticate(request.headers.get("authorization"))
            actor_label = actor.label
            ticket, extra = self._admit(actor, request.method, template, request.url.path)
            for fault in self.faults.take(target, ("error", "secondary", "primary")):
                raise self._fault_error(fault, extra)
            raw = await request.body()
            body = json.loads(raw) if raw else None
            if self.contract is not None:
                self.contract.add(self.contract.checker.request(request.method, request.url.path, body))
            ctx = Ctx(
                self.world,
                self.shapes,
                actor,
                dict(request.path_params),
                dict(request.query_params),
                body,
                request.url.path,
                self.webhooks,
            )
            result = await run_in_threadpool(self._locked, fn, ctx)
            for fault in self.faults.take(target, ("error_after",)):
                raise self._fault_error(fault, extra)  # made, and the answer lost
            status, payload = result if isinstance(result, tuple) else (200, result)
            if template == "GET /rate_limit" and "x-ratelimit-limit" in extra and (bucket := self._bucket(actor)):
                payload = rate_limit_body(payload, extra, self.limits.peek(f"graphql:{bucket[0]}", bucket[1]))
            if self.contract is not None:
                await run_in_threadpool(self._check_response, request, status, payload)
            headers = {**extra, **ctx.headers}
            if payload is None:
                return Response(status_code=status, headers=headers)
            if request.method == "GET" and status == 200:
                status, response = self._conditional(request, actor, payload, headers)
                return response
            return JSONResponse(payload, status_code=status, headers=headers)
        except json.JSONDecodeError:
            status = 400
            return JSONResponse({"message": "Problems parsing JSON", "documentation_url": DOCS}, 400, extra)
        except ApiError as err:
            status = err.status
            body_out = {"message": err.message, "documentation_url": DOCS, **err.extra}
            if self.contract is not None:
                self._check_response(request, status, body_out)
            return JSONResponse(body_out, status_code=err.status, headers={**extra, **err.headers})
        finally:
            if ticket is not None:
                self.limits.release(ticket, status)
            self.faults.record(Call(request.method, request.url.path, status, actor_label, request.url.query))

    def _check_response(self, request: Request, status: int, payload: Any) -> None:
        assert self.contract is not None
        self.contract.add(self.contract.checker.response(request.method, request.url.path, status, payload))

    async def _unrouted(self, request: Request) -> Response:
        """A route the simulator lacks: GitHub's 404, and with validation, a violation naming the gap."""
        if self.contract is not None:
            checker = self.contract.checker
            found = checker.request(request.method, request.url.path, None)
            if not found:
                target = f"{request.method} {request.url.path}"
                found = [Violation("response", target, "-", "a documented operation the simulator does not implement")]
            self.contract.add(found)
        return JSONResponse({"message": "Not Found", "documentation_url": DOCS}, 404)

    async def _violations(self, request: Request) -> Response:
        """GET /_sim/violations: what a simulator run as a process found (for a test or CI to read)."""
        found = self.contract.violations if self.contract is not None else []
        return JSONResponse([{**v.__dict__, "text": str(v)} for v in found])

    def _conditional(
        self, request: Request, actor: Actor, payload: Any, headers: dict[str, str]
    ) -> tuple[int, Response]:
        """ETag on every GET; If-None-Match with the same tag gives 304, which does not count against the
        rate limit. https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate"""
        body = JSONResponse(payload).body
        etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
        if request.headers.get("if-none-match") == etag:  # the limits refund it on release
            return 304, Response(status_code=304, headers={**headers, "ETag": etag})
        return 200, JSONResponse(payload, status_code=200, headers={**headers, "ETag": etag})

    def _locked(self, fn: Handler, ctx: Ctx) -> Any:
        with self.world.lock:
            self.world.acting = ctx.actor.token  # whose request caused the events it emits (see actions.py)
            try:
                return fn(ctx)
            finally:
                self.world.acting = None

    def _admit(
        self, actor: Actor, method: str, template: str, path: str, *, cost: int | None = None
    ) -> tuple[Ticket | None, dict[str, str]]:
        """Charge the request to its rate-limited bucket (an Actions run's repository, an installation, a user);
        the headers to send. https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
        With `cost`, a GraphQL query: that many points from the identity's GraphQL bucket ("graphql:<bucket>")."""
        bucket = self._bucket(actor)
        if bucket is None:
            return None, {}  # the App's JWT and anonymous calls have their own limits, not simulated
        key, limit = bucket
        if cost is not None:
            return self.limits.admit(f"graphql:{key}", limit, method, template, path, cost=cost)
        if template == "GET /rate_limit":
            return None, self.limits.peek(key, limit)  # free, and it says what the token's bucket has left
        return self.limits.admit(key, limit, method, template, path)

    def _bucket(self, actor: Actor) -> tuple[str, int] | None:
        """The rate-limited bucket a token's requests are charged to, and its hourly limit (None: not simulated)."""
        if actor.token is None:
            return None
        policy = self.limits.policy
        if actor.token in self.buckets:
            key, limit = self.buckets[actor.token]
            return key, min(limit, policy.github_token)
        if actor.installation is not None:
            return f"installation:{actor.installation.id}", policy.installation_limit(len(actor.installation.repos))
        if actor.user is not None:
            return f"user:{actor.user.login.lower()}", policy.user
        return f"token:{actor.token}", policy.user

    def _fault_error(self, fault: Any, headers: dict[str, str]) -> ApiError:
        if fault.kind == "secondary":
            # https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
            return ApiError(
                403,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                {**headers, "retry-after": str(fault.retry_after)},
            )
        if fault.kind == "primary":
            reset = int(self.world.now()) + fault.reset_in
            limited = {**headers, "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
            return ApiError(403, "API rate limit exceeded for installation.", limited)
        return ApiError(fault.status, "Server Error" if fault.status == 500 else "Bad Gateway", headers)
