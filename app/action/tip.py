"""A run's first reads in one GraphQL query: the default branch's tip, its config file and the watermark on it.

Every run reads the config (.github/undersigned.yml on the default branch) and the catch-up's watermark (a
check run of ours on the tip, app.action.watermark): two REST requests of the hour's 1,000, run after run.
Here they are one query of GraphQL's own budget. The config's text is used only if it is exactly the blob
GitHub names (else, and for anything that is not a plain file, REST reads it as before); the watermark only
if the tip's check suites are all listed. The tip's commit date says when the letter last landed (app.action.run
waits out the landing gap from it). https://docs.github.com/en/graphql/reference/objects#commit
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from github import GithubException
from github.Requester import Requester

from app.action.checks import SUITES, newest
from app.action.watermark import STATE_NAME, Watermark, stamp
from app.github.graphql import GraphQLError, post
from app.github.patches import is_blob
from app.logs import event

log = logging.getLogger("undersigned.action")
TEXT_MODES = (0o100644, 0o100755)

QUERY = f"""query Tip($owner: String!, $name: String!, $path: String!, $state: String!) {{
  rateLimit {{ cost limit remaining resetAt }}
  repository(owner: $owner, name: $name) {{
    defaultBranchRef {{ name target {{ oid ... on Commit {{
      committedDate
      file(path: $path) {{ mode type oid object {{ __typename ... on Blob {{ isBinary isTruncated text }} }} }}
      checkSuites(first: {SUITES}) {{ totalCount nodes {{
        checkRuns(first: 1, filterBy: {{checkName: $state, checkType: LATEST}}) {{ nodes {{ databaseId externalId }} }}
      }} }}
    }} }} }}
  }}
}}"""


@dataclass(frozen=True)
class Tip:
    """What the query showed: the branch; the config as `Api.file` gives it ((text, blob), None: no file), or
    `config_known` False (read it over REST); the watermark and the run holding it, as `watermark.read` gives
    them, or `mark_known` False."""

    branch: str
    config: tuple[str, str] | None
    config_known: bool
    mark: Watermark | None
    held_by: dict[str, Any] | None
    mark_known: bool
    committed_at: float | None = None  # the tip commit's committer date (epoch seconds): the last landing's


def read_tip(req: Requester, repo: str, path: str) -> Tip | None:
    """The tip's config and watermark in one query; None when GraphQL did not answer (REST reads both)."""
    owner, name = repo.split("/", 1)
    try:
        data, _ = post(req, QUERY, {"owner": owner, "name": name, "path": path, "state": STATE_NAME})
    except (GraphQLError, GithubException) as exc:
        event(log, "tip not read over GraphQL", logging.WARNING, repo=repo, error=str(exc)[:200])
        return None
    ref = (data.get("repository") or {}).get("defaultBranchRef") or {}
    target = ref.get("target") or {}
    if not isinstance(ref.get("name"), str) or not isinstance(target.get("oid"), str):
        return None
    known, config = _config(target.get("file"))
    mark_known, mark, held_by = _mark(target)
    return Tip(ref["name"], config, known, mark, held_by, mark_known, stamp(target.get("committedDate")))


def _config(entry: Any) -> tuple[bool, tuple[str, str] | None]:
    if entry is None:
        return True, None  # no config file on the default branch: not a letter
    blob = entry.get("object") if isinstance(entry, dict) else None
    if not isinstance(blob, dict) or entry.get("type") != "blob" or entry.get("mode") not in TEXT_MODES:
        return False, None  # a folder, a symbolic link, a submodule: REST says what it is
    text, oid = blob.get("text"), entry.get("oid")
    if blob.get("isBinary") or blob.get("isTruncated") or not isinstance(text, str) or not isinstance(oid, str):
        return False, None
    return (True, (text, oid)) if is_blob(text, oid) else (False, None)  # not UTF-8, or altered: REST decides


def _mark(target: dict[str, Any]) -> tuple[bool, Watermark | None, dict[str, Any] | None]:
    complete, run = newest(target)
    if run is None:
        return complete, None, None
    held_by = {"id": run["databaseId"], "head_sha": target["oid"], "external_id": run.get("externalId")}
    return True, Watermark.decode(run.get("externalId")), held_by
