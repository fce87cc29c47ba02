"""`undersigned action`: read the step's environment, run the event's jobs, write the summary."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

from app.action.env import ActionEnv, ActionEnvError
from app.action.events import UnusedEventError, jobs_for
from app.action.run import ActionRun
from app.action.summary import Outcome, Recorder, annotation
from app.logs import register_secret, setup
from handlers import BadPayloadError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
NEW_HEAD = {"opened", "synchronize", "reopened"}  # actions that change nothing but which head is the PR's


def run_action(environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    try:
        env = ActionEnv.read(environ)
    except ActionEnvError as exc:
        print(annotation("error", str(exc)))
        return EXIT_USAGE
    register_secret(env.token)
    setup(environ.get("UNDERSIGNED_LOG_LEVEL", "INFO"))
    try:
        jobs, catch_up = jobs_for(env.event_name, env.payload(), env.repository)
    except (ActionEnvError, UnusedEventError, BadPayloadError) as exc:
        print(annotation("error", str(exc)))
        return EXIT_FAILED
    recorder = Recorder()
    logging.getLogger("undersigned").addHandler(recorder)
    api = env.api()
    payload = env.payload()
    branch = (payload.get("repository") or {}).get("default_branch")  # every event's payload names it
    run = ActionRun(api, env.repository, branch if isinstance(branch, str) and branch else None,
                    graphql=env.graphql_reads, gap=env.landing_gap)  # fmt: skip
    new_head = env.event_name == "pull_request_target" and payload.get("action") in NEW_HEAD
    failures = run.run(jobs, catch_up=catch_up, new_head=new_head)
    outcome = Outcome.of(recorder, env.repository, env.server_url, failures)
    requests = f"{api.reads + api.writes} ({api.reads} reads, {api.writes} writes)"
    text = outcome.markdown(env.event_name, requests)
    if env.summary_path is not None:
        try:
            with env.summary_path.open("a", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            print(annotation("warning", f"cannot write the job summary: {exc}"))
    print(text, end="")
    for error in outcome.errors:
        print(annotation("error", error))
    sys.stdout.flush()
    return EXIT_FAILED if failures or outcome.broken_config_pushed else EXIT_OK
