"""The config's lifecycle: a push that changes it is checked on its commit (for the maintainer), every
cached copy is dropped at once, open PRs are re-evaluated; meanwhile signers are told to wait, neutrally."""

from __future__ import annotations

import logging

from app.github.api import NotUtf8Error
from app.github.config_source import extends_another, load_config
from app.jobs.store import Keys
from app.logs import event
from app.review.context import Context
from app.review.render import MARKER, CheckReport
from config import CONFIG_PATH, Config, ConfigError
from config.resolve import extends_target

log = logging.getLogger("undersigned.config")
WAITING_TITLE = "Waiting for the maintainers to fix the configuration"


def config_pushed(ctx: Context, sha: str) -> None:
    """A push changed the config on the default branch: forget it everywhere, check it on `sha`, and
    re-evaluate the open PRs with it. A push whose commits GitHub did not all list (a landing of 19
    signatures or more is 20 commits) may not have changed it: then the config's blob at `sha` is the one
    checked last, and one read spares a check run and a re-evaluation of every open PR."""
    blob = config_blob(ctx, sha)
    if blob is not None and ctx.store.get(Keys.config_blob(ctx.repo)) == blob:
        event(log, "config unchanged", repo=ctx.repo, sha=sha)
        return
    _config_pushed(ctx, sha)
    if blob is not None:
        ctx.store.put(Keys.config_blob(ctx.repo), blob)  # once checked: a crash before this checks it again


def config_blob(ctx: Context, sha: str) -> str | None:
    """The config's git blob sha at `sha`, when it alone is the config: not with `_extends` (the file it
    names may have changed), not when absent or unreadable."""
    try:
        found = ctx.api.file(ctx.repo, CONFIG_PATH, sha)
    except NotUtf8Error:
        return None
    if found is None or extends_target(found[0], ctx.repo) is not None:
        return None
    return found[1]


def _config_pushed(ctx: Context, sha: str) -> None:
    ctx.store.put(Keys.config_changed(ctx.repo), sha)
    ctx.configs.forget(ctx.repo)
    if ctx.repo.lower().endswith("/.github"):
        ctx.configs.entries.clear()  # other repos may `_extends` this one: read theirs again too
    result = load_config(ctx.api, ctx.repo, sha)
    if result is not None:
        ctx.reporter.check(sha, config_report(result, inherited=extends_another(ctx.api, ctx.repo, sha)))
        event(log, "config checked", repo=ctx.repo, sha=sha, ok=isinstance(result, Config))
    ctx.queue("scan")  # PRs waiting on a broken config, or judged by the old one


def config_report(result: Config | ConfigError, *, inherited: bool = False) -> CheckReport:
    """The check on the commit that changed the config, addressed to the maintainer. With `_extends`
    (`inherited`), the values are not repeated: they may come from a private file."""
    if isinstance(result, Config) and inherited:
        summary = (
            "undersigned reads signatures as this file and the file it extends say (their values are not "
            "repeated here: that file may be private).\n\nOpen pull requests are checked again with it."
        )
        return CheckReport("success", f"{CONFIG_PATH} is valid", summary)
    if isinstance(result, Config):
        summary = f"{_reads(result)}\n\nOpen pull requests are checked again with it."
        return CheckReport("success", f"{CONFIG_PATH} is valid", summary)
    count = len(result.issues)
    title = f"{CONFIG_PATH} has {count} error{'s' if count != 1 else ''}"
    intro = (
        "This commit changed the letter's configuration, and undersigned cannot use it. Until it is fixed, "
        "signers' pull requests wait (they are told the maintainers are on it). What to change:\n\n"
    )
    annotations = tuple(
        {
            "path": result.path,
            "start_line": issue.line,
            "end_line": issue.line,
            "annotation_level": "failure",
            "title": issue.key or "the file",
            "message": issue.message,
        }
        for issue in result.issues
        if issue.line
    )
    return CheckReport("failure", title, intro + result.markdown(), annotations)


def _reads(config: Config) -> str:
    """Where the letter's signatures are, and what one looks like: for each list or folder when it has several."""
    letter = config.letter
    if letter.lists:
        each = "".join(
            f"\n\n**{part.name}**"
            + (" (signed by organisations)" if part.signers == "organisations" else "")
            + (f", after the line `{part.start_after}`" if part.start_after else "")
            + f":\n\n```text\n{part.line}\n```"
            for part in letter.lists
        )
        return f"undersigned reads signatures from {len(letter.lists)} lists in `{letter.file}`.{each}"
    if letter.folders:
        each = "".join(
            f"\n- **{part.name}**: one file per "
            + ("organisation" if part.signers == "organisations" else "signer")
            + f" in `{part.directory}/`, named `{part.filename}`"
            for part in letter.folders
        )
        return f"undersigned reads signatures from {len(letter.folders)} folders:\n{each}"
    where = (
        f"one file per signer in `{letter.directory}/`"
        if letter.directory
        else f"`{letter.file}`" + (f", after the line `{letter.start_after}`" if letter.start_after else "")
    )
    line = "" if letter.directory else f"\n\nOne signature looks like:\n\n```text\n{letter.line}\n```"
    return f"undersigned reads signatures from {where}.{line}"


def waiting_report(error: ConfigError) -> CheckReport:
    """What a signer sees while the config is broken: nothing for them to fix, so neutral."""
    summary = (
        f"The letter's configuration (`{error.path}` on the default branch) has "
        f"{'an error' if len(error.issues) == 1 else 'errors'} that the maintainers need to fix. There is "
        "nothing to change in your pull request for that: undersigned checks it again as soon as the "
        "configuration is fixed."
    )
    return CheckReport("neutral", WAITING_TITLE, summary)


def waiting_comment() -> str:
    return f"{MARKER}\n{WAITING_TITLE}: there is nothing to change in your pull request for now. undersigned checks it again as soon as the configuration is fixed.\n"  # noqa: E501
