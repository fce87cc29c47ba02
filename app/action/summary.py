"""What a run tells people: the job summary (each PR's decision, what landed) and `::error::` annotations.

https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from config import CONFIG_PATH

DECIDED = {
    "sign": "valid signature",
    "withdraw": "valid withdrawal",
    "amend": "valid amendment",
    "invalid": "needs changes",
    "not_a_signature": "not a signature",
}


class Recorder(logging.Handler):
    """Keeps the events the review and landing layers log (app.logs.event), for the summary: the layers
    say what they decided once, for the App's log and the Action's summary alike."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.events: list[tuple[str, dict[str, Any]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            self.events.append((str(record.msg), dict(fields)))


@dataclass
class Outcome:
    """A run's outcome, from the recorded events."""

    repo: str
    server_url: str
    decisions: dict[int, str] = field(default_factory=dict)
    landed: list[tuple[list[int], str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    broken_config_pushed: bool = False  # this run checked a config push and found errors: the run fails

    @staticmethod
    def of(recorder: Recorder, repo: str, server_url: str, failures: list[str]) -> Outcome:
        out = Outcome(repo, server_url, errors=list(failures))
        for name, f in recorder.events:
            pr = f.get("pr")
            if name == "decision" and isinstance(pr, int):
                problems = ", ".join(f.get("problems") or [])
                out.decisions[pr] = DECIDED.get(str(f.get("kind")), str(f.get("kind"))) + (
                    f" ({problems})" if problems else ""
                )
            elif name == "config error" and isinstance(pr, int):
                out.decisions[pr] = "waiting: the configuration has errors"
            elif name == "landing blocked" and isinstance(pr, int):
                out.decisions[pr] = f"valid, but blocked from landing: {f.get('reason')}"
            elif name == "cannot apply" and isinstance(pr, int):
                out.decisions[pr] = f"valid, but cannot be applied: {f.get('reason')}"
            elif name == "closed stale" and isinstance(pr, int):
                out.decisions[pr] = "closed: it needed changes for too long"
            elif name == "landed":
                out.landed.append(([int(n) for n in f.get("prs") or []], str(f.get("sha"))))
            elif name == "config checked" and not f.get("ok"):
                out.broken_config_pushed = True
                out.errors.append(
                    f"The letter's configuration ({CONFIG_PATH}) in commit {str(f.get('sha'))[:7]} has errors: "
                    "the check on that commit lists them. Signers' pull requests wait until it is fixed."
                )
        if any(d.startswith("waiting: the configuration") for d in out.decisions.values()) and not any(
            CONFIG_PATH in e for e in out.errors
        ):
            out.errors.append(
                f"The letter's configuration ({CONFIG_PATH} on the default branch) has errors, so signatures "
                "wait. The check on the commit that changed it says what to fix."
            )
        return out

    def markdown(self, event_name: str, requests: str) -> str:
        lines = ["## undersigned", "", f"Event: `{event_name}`. GitHub requests: {requests}.", ""]
        landed = {n: sha for numbers, sha in self.landed for n in numbers}
        if self.decisions or landed:
            lines += ["| Pull request | Decision |", "|---|---|"]
            for number in sorted(self.decisions.keys() | landed.keys()):
                said = self.decisions.get(number, "valid")
                if number in landed:
                    said += f"; landed in [`{landed[number][:7]}`]({self._link('commit', landed[number])})"
                lines.append(f"| [#{number}]({self._link('pull', str(number))}) | {_cell(said)} |")
            lines.append("")
        else:
            lines += ["Nothing to decide or land in this run.", ""]
        for numbers, sha in self.landed:
            names = ", ".join(f"#{n}" for n in numbers)
            lines.append(f"Landed {len(numbers)} signature change(s) ({names}) in one commit, `{sha[:7]}`.")
        for error in self.errors:
            lines.append(f"**Error:** {error}")
        return "\n".join(lines).rstrip() + "\n"

    def _link(self, kind: str, target: str) -> str:
        return f"{self.server_url}/{self.repo}/{kind}/{target}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def annotation(level: str, message: str, title: str = "undersigned") -> str:
    """A workflow command; its data escaped as GitHub's toolkit does (%, CR, LF), its title too (and : ,)."""

    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    prop = data(title).replace(":", "%3A").replace(",", "%2C")
    return f"::{level} title={prop}::{data(message)}"
