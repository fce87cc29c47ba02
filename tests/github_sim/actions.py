"""A small GitHub Actions runner for the simulator, following GitHub's documented behaviour:

- the workflow is read from the default branch (for pull_request_target, issue_comment, schedule, dispatch);
- an event starts a workflow whose triggers match it (types, push branches);
- each run gets a GITHUB_TOKEN scoped to its repository, with only the workflow's permissions, drawing on the
  repository's 1,000 requests an hour, revoked when the run ends;
- a concurrency group holds one running and one pending run; a newer pending run cancels the older one;
- events caused by a GITHUB_TOKEN start no workflow run (except workflow_dispatch);
- steps run as subprocesses with the documented environment; nothing is checked out unless a step asks.

https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/control-the-concurrency-of-workflows-and-jobs
https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.github_sim.models import App, Installation, Repository, Token
from tests.github_sim.server import Simulator
from tests.github_sim.workflows import Workflow, expand, parse

ROOT = Path(__file__).resolve().parents[2]  # undersigned's own repository: its action.yml
ACTIONS_LIMIT = 1000  # requests per hour per repository for GITHUB_TOKEN
WEBHOOK_TO_TRIGGER = {"pull_request": "pull_request_target", "issue_comment": "issue_comment", "push": "push"}
PREINSTALLED = ("actions/setup-python@",)  # the runner's Python is the test's, with undersigned installed


@dataclass
class Run:
    id: int
    repo: str
    workflow: str
    event: str
    action: str | None
    group: str | None
    payload: dict[str, Any]
    status: str = "queued"  # queued, in_progress, completed
    conclusion: str | None = None  # success, failure, cancelled
    output: str = ""
    summary: str = ""
    requests: int = 0  # REST requests, charged to the repository's 1,000 an hour
    graphql: int = 0  # GraphQL queries, charged to its own budget
    started: float = 0.0
    finished: float = 0.0
    steps: list[str] = field(default_factory=list)  # what ran, in order (a `uses:` or a `run:` line)


@dataclass
class _Group:
    running: Run | None = None
    pending: Run | None = None


class ActionsRunner:
    """Listens to the simulator's events and runs the matching workflows. `extra_env` is the runner
    machine's own environment for steps (tests pass UNDERSIGNED_MUTATION_INTERVAL=0 to skip write pacing)."""

    def __init__(self, sim: Simulator, extra_env: dict[str, str] | None = None) -> None:
        self.sim, self.world = sim, sim.world
        self.extra_env = extra_env or {}
        self.lock = threading.Condition()
        self.ids = itertools.count(1)
        self.runs: list[Run] = []
        self.groups: dict[str, _Group] = {}
        self.active = 0
        self.tokens: set[str] = set()  # every GITHUB_TOKEN handed out (revoked ones too): their events start nothing
        self.gate: threading.Event | None = None  # tests: runs wait for it to start (a busy runner)
        self.paused = False  # tests: events start no runs (an Actions outage)
        owner = self.world.users.get("github") or self.world.add_user("github", type="Organization")
        self.app: App = self.world.add_app("github-actions", owner, "", None, None)
        self.world.listeners.append(self.on_event)

    # --- events -----------------------------------------------------------------------------------
    def on_event(self, event: str, action: str | None, body: dict[str, Any], inst: Installation | None) -> None:
        if self.world.acting in self.tokens or self.paused:
            return  # GitHub: events triggered by the GITHUB_TOKEN create no new workflow run
        trigger = WEBHOOK_TO_TRIGGER.get(event)
        repo = body.get("_repo")
        if trigger is None or not isinstance(repo, Repository):
            return
        token = self.world.tokens.get(self.world.acting or "")
        sender = token.user if token is not None and token.user is not None else repo.owner  # who acted
        payload = self.sim.webhooks.payload(event, action, {"_sender": sender, **body}, None)
        self.trigger(repo, trigger, action, payload)

    def schedule(self, repo: Repository) -> list[Run]:
        """The cron fired (tests call this instead of waiting 10 minutes)."""
        return self.trigger(repo, "schedule", None, {"schedule": "*/12 * * * *"})

    def dispatch(self, repo: Repository) -> list[Run]:
        """workflow_dispatch, as the Actions tab's "Run workflow" button or the REST API starts it."""
        payload = {"ref": f"refs/heads/{repo.default_branch}", "inputs": None}
        return self.trigger(repo, "workflow_dispatch", None, payload)

    def trigger(self, repo: Repository, event: str, action: str | None, payload: dict[str, Any]) -> list[Run]:
        started = []
        ref = payload.get("ref") if event == "push" else None
        for flow in self.workflows(repo):
            if not flow.triggered(event, action, ref):
                continue
            payload = {**payload, "repository": self.sim.shapes.repo(repo)} if "repository" not in payload else payload
            context = {"github.repository": repo.full_name, "github.workflow": flow.name, "github.event_name": event}
            group = expand(flow.concurrency[0], context) if flow.concurrency else None
            run = Run(next(self.ids), repo.full_name, flow.path, event, action, group, payload)
            with self.lock:
                self.runs.append(run)
            self._queue(run, flow)
            started.append(run)
        return started

    def workflows(self, repo: Repository) -> list[Workflow]:
        """The workflows on the default branch's tip (never a PR's: pull_request_target runs the base's)."""
        tip = repo.git.ref(f"refs/heads/{repo.default_branch}")
        if tip is None:
            return []
        found = []
        for entry in repo.git.ls_tree(tip, recursive=True):
            if entry.path.startswith(".github/workflows/") and entry.path.endswith((".yml", ".yaml")):
                flow = parse(entry.path, repo.git.read_blob(entry.sha).decode("utf-8", "replace"))
                if flow is not None:
                    found.append(flow)
        return found

    # --- concurrency ------------------------------------------------------------------------------
    def _queue(self, run: Run, flow: Workflow) -> None:
        with self.lock:
            self.active += 1
            if run.group is None:
                threading.Thread(target=self._execute, args=(run, flow), daemon=True).start()
                return
            group = self.groups.setdefault(run.group, _Group())
            if group.running is None:
                group.running = run
                threading.Thread(target=self._group_loop, args=(group, run, flow), daemon=True).start()
                return
            if group.pending is not None:  # GitHub cancels the older pending run of the group
                older = group.pending
                older.status, older.conclusion = "completed", "cancelled"
                self.active -= 1
            group.pending = run
            run.payload["_flow"] = flow  # kept with the run until it starts

    def _group_loop(self, group: _Group, run: Run, flow: Workflow) -> None:
        while True:
            self._execute(run, flow, counted=False)
            with self.lock:
                self.active -= 1
                nxt = group.pending
                group.running, group.pending = nxt, None
                if nxt is None:
                    self.lock.notify_all()
                    return
                run, flow = nxt, nxt.payload.pop("_flow")

    def wait(self, timeout: float = 120.0) -> bool:
        """Until no run is running or pending (runs cause no runs, so this ends)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while self.active:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.lock.wait(left)
        return True

    # --- one run ----------------------------------------------------------------------------------
    def _execute(self, run: Run, flow: Workflow, *, counted: bool = True) -> None:
        if self.gate is not None:
            self.gate.wait()
        repo = self.world.repo(run.repo)
        token = self._token(repo, flow)
        run.status, run.started = "in_progress", time.monotonic()
        with tempfile.TemporaryDirectory(prefix="sim-actions-") as tmp:
            env = self._env(run, repo, token.value, Path(tmp))
            ok = all(self._step(run, step, env, token.value) for step in flow.steps)
            summary = Path(env["GITHUB_STEP_SUMMARY"])
            run.summary = summary.read_text(encoding="utf-8") if summary.exists() else ""
        with self.world.lock:
            self.world.tokens.pop(token.value, None)  # revoked when the job ends
        assert token.installation is not None
        actor = f"installation:{token.installation.id}"
        calls = self.sim.faults.calls(actor=actor)
        mine = [c for c in calls if c.actor == actor and c.status != 304 and c.path != "/rate_limit"]
        run.requests = sum(1 for c in mine if c.path != "/graphql")  # charged to the hour's 1,000 (REST)
        run.graphql = len(mine) - run.requests  # GraphQL's budget is its own (points, not requests)
        run.status, run.conclusion, run.finished = "completed", "success" if ok else "failure", time.monotonic()
        if counted:
            with self.lock:
                self.active -= 1
                self.lock.notify_all()

    def _token(self, repo: Repository, flow: Workflow) -> Token:
        with self.world.lock:
            inst = Installation(self.world.next_id(), self.app, repo.owner, {repo.full_name}, dict(flow.permissions))
            token = Token(f"ghs_{secrets.token_hex(18)}", installation=inst, expires_at=self.world.now() + 86400)
            self.world.tokens[token.value] = token
            self.tokens.add(token.value)
            self.sim.buckets[token.value] = (f"actions:{repo.full_name.lower()}", ACTIONS_LIMIT)
            return token

    def _env(self, run: Run, repo: Repository, token: str, tmp: Path) -> dict[str, str]:
        """The documented default environment variables (a subset).
        https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables"""
        event_path, workspace = tmp / "event.json", tmp / "workspace"
        workspace.mkdir()
        event_path.write_text(json.dumps(run.payload), encoding="utf-8")
        (tmp / "summary.md").touch()
        tip = repo.git.ref(f"refs/heads/{repo.default_branch}") or ""
        env = {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(tmp),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": run.event,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": repo.full_name,
            "GITHUB_REPOSITORY_OWNER": repo.owner.login,
            "GITHUB_API_URL": self.sim.base_url,
            "GITHUB_SERVER_URL": self.sim.base_url,
            "GITHUB_WORKFLOW": run.workflow,
            "GITHUB_RUN_ID": str(run.id),
            "GITHUB_SHA": tip,
            "GITHUB_REF": f"refs/heads/{repo.default_branch}",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
            "RUNNER_TEMP": str(tmp),
        }
        return {**env, **self.extra_env}

    def _step(self, run: Run, step: dict[str, Any], env: dict[str, str], token: str) -> bool:
        context = {
            "github.token": token,
            "secrets.GITHUB_TOKEN": token,
            "github.repository": env["GITHUB_REPOSITORY"],
        }
        uses = step.get("uses")
        if isinstance(uses, str):
            if uses.startswith(PREINSTALLED):
                run.steps.append(f"uses: {uses} (preinstalled)")
                return True
            if uses.split("@")[0].endswith("/undersigned") or uses == "./":
                return self._action(run, step, env, context)
            run.steps.append(f"uses: {uses} (not simulated, skipped)")
            return True
        script = step.get("run")
        if not isinstance(script, str):
            return True
        step_env = {**env, **{str(k): expand(str(v), context) for k, v in (step.get("env") or {}).items()}}
        return self._shell(run, expand(script, context), step_env)

    def _action(self, run: Run, step: dict[str, Any], env: dict[str, str], context: dict[str, str]) -> bool:
        """undersigned's composite action (action.yml at the project's root), step by step."""
        meta = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
        given = {str(k): str(v) for k, v in (step.get("with") or {}).items()}
        inputs = {
            f"inputs.{k}": expand(str(given.get(k, v.get("default", ""))), context) for k, v in meta["inputs"].items()
        }
        context = {**context, **inputs}
        env = {**env, "GITHUB_ACTION_PATH": str(ROOT)}
        for inner in meta["runs"]["steps"]:
            uses = inner.get("uses")
            if isinstance(uses, str):
                run.steps.append(f"uses: {uses} (preinstalled)" if uses.startswith(PREINSTALLED) else f"uses: {uses}")
                continue
            script = str(inner.get("run", ""))
            if "pip install" in script:
                run.steps.append("run: pip install (preinstalled: the runner's venv has undersigned)")
                continue
            step_env = {**env, **{str(k): expand(str(v), context) for k, v in (inner.get("env") or {}).items()}}
            if not self._shell(run, expand(script, context), step_env):
                return False
        return True

    def _shell(self, run: Run, script: str, env: dict[str, str]) -> bool:
        run.steps.append(f"run: {script.strip()}")
        try:
            done = subprocess.run(
                ["bash", "-e", "-c", script],
                env=env,
                cwd=env["GITHUB_WORKSPACE"],
                capture_output=True,
                text=True,
                timeout=600,
            )
        except subprocess.TimeoutExpired as exc:
            run.output += f"timed out: {exc}\n"
            return False
        run.output += done.stdout + done.stderr
        return done.returncode == 0

    # --- what tests read ----------------------------------------------------------------------------
    def used(self, repo: str) -> int:
        """Requests the repository's GITHUB_TOKENs made this hour."""
        window = int(self.world.now() // 3600)
        return self.sim.used.get(f"actions:{repo.lower()}:{window}", 0)
