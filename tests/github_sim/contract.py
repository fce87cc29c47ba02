"""GitHub's published contract: a simulator's requests, responses and webhook deliveries checked against it.

The schemas and their validators are in schemas.py; tests/contract/README.md says which, and why."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from typing import Any

from tests.github_sim.schemas import errors, rest_for, webhooks


@dataclass(frozen=True)
class Violation:
    kind: str  # "request", "response" or "webhook"
    target: str  # "PUT /repos/o/r/issues/1/labels -> 200", or "pull_request.opened"
    operation: str  # "PUT /repos/{owner}/{repo}/issues/{issue_number}/labels", or the schema definition
    message: str

    def __str__(self) -> str:
        return f"{self.kind} {self.target}: {self.message}"


class Checker:
    """What a simulator calls: each check returns the violations found (and never raises)."""

    def request(self, method: str, url_path: str, body: Any) -> list[Violation]:
        spec = rest_for(url_path)
        found = spec.operation(method, url_path)
        target = f"{method} {url_path}"
        if found is None:
            return [Violation("request", target, "-", "no such operation in GitHub's REST description")]
        template, op = found
        operation = f"{method} {template}"
        required, schema = spec.request_schema(op)
        if body is None:
            missing = required and schema is not None
            return [Violation("request", target, operation, "a JSON body is required")] if missing else []
        validator = spec.validator(("request", method, template), schema)
        if validator is None:
            return []
        return [Violation("request", target, operation, e) for e in errors(validator, body)]

    def response(self, method: str, url_path: str, status: int, body: Any) -> list[Violation]:
        spec = rest_for(url_path)
        found = spec.operation(method, url_path)
        if found is None:
            return []  # reported as a request violation
        template, op = found
        operation, target = f"{method} {template}", f"{method} {url_path} -> {status}"
        documented, schema = spec.response_schema(op, status)
        if not documented:
            return [Violation("response", target, operation, f"status {status} is not documented")]
        validator = spec.validator(("response", method, template, str(status)), schema)
        if validator is None:
            return []
        return [Violation("response", target, operation, e) for e in errors(validator, body)]

    def webhook(self, event: str, action: str | None, payload: Any) -> list[Violation]:
        hooks = webhooks()
        target = f"{event}.{action}" if action else event
        name = hooks.definition(event, action)
        if name is None:
            return [Violation("webhook", target, "-", "no such event and action in GitHub's webhook schemas")]
        return [Violation("webhook", target, name, e) for e in errors(hooks.validator(name), payload)]


class Contract:
    """A simulator's record of violations: every one fails the test that caused it."""

    def __init__(self) -> None:
        self.checker = Checker()
        self.violations: list[Violation] = []
        self.lock = threading.Lock()

    def add(self, found: list[Violation]) -> None:
        with self.lock:
            self.violations.extend(found)

    def take(self) -> list[Violation]:
        """The violations so far, forgotten (so a test that expects some can clear them)."""
        with self.lock:
            out, self.violations = self.violations, []
            return out

    def report(self) -> str:
        with self.lock:
            return "\n".join(str(v) for v in self.violations[:40]) + (
                f"\n... and {len(self.violations) - 40} more" if len(self.violations) > 40 else ""
            )


def assert_contract_kept(sim: Any) -> None:
    """Fail (the test that made the traffic) if a simulator saw a request, response or delivery off-contract."""
    contract = sim.contract
    log = os.environ.get("SIM_CONTRACT_LOG")  # a JSON-lines file to gather every violation into, while fixing
    if contract is not None and log:
        with open(log, "a", encoding="utf-8") as out:
            out.writelines(json.dumps(v.__dict__) + "\n" for v in contract.violations)
    if contract is not None and contract.violations:
        raise AssertionError(
            f"{len(contract.violations)} violation(s) of GitHub's published contract:\n{contract.report()}"
        )
