"""The `undersigned` command: lint a letter, verify a PR offline, serve the App, run a worker."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from app.rules import Author, Ownership, Snapshots, evaluate, parse_ledger
from app.rules.lint import lint_letter
from app.rules.problems import Problem
from config import CONFIG_PATH, Config, ConfigError, load_config_file
from config.resolve import EMPTY, EXTENDS, STARTER, resolve

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"undersigned: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _load(config_path: str | None, repo: Path, *, linting: bool = False) -> Config:
    path = config_path or str(repo / CONFIG_PATH)
    if config_path is None and not Path(path).exists():
        if linting:  # a letter repo without its config is the first thing lint should point out
            print(f"{CONFIG_PATH}: missing: add it to say where the signatures are, for example:\n\n{STARTER}\n")
            raise SystemExit(EXIT_PROBLEMS)
        print(f"undersigned: no {CONFIG_PATH} in {repo}; pass --config FILE", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)
    loaded = load_config_file(path)
    try:
        text: str | None = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None  # load_config_file said why
    if text is not None and EXTENDS in text:
        print(f"note: {EXTENDS} is resolved by the App from GitHub; here this file is checked alone", file=sys.stderr)
        loaded = resolve(text, "", path)
    elif text is not None:
        loaded = resolve(text, path=path)  # as the App reads it: an empty file is an error, not "all defaults"
    if isinstance(loaded, ConfigError):
        empty = linting and len(loaded.issues) == 1 and loaded.issues[0].message == EMPTY
        print(loaded.text(), file=sys.stdout if empty else sys.stderr)
        raise SystemExit(EXIT_PROBLEMS if empty else EXIT_USAGE)
    return loaded


def _read_text(path: Path) -> str:
    # newline="" keeps CRLF as it is in the file, as git would give it to us.
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        return fh.read()


def read_letter_files(config: Config, repo: Path) -> dict[str, str]:
    """The letter's files under a repo folder, by repo-relative path."""
    if config.letter.directory is None:
        target = repo / config.letter.file
        return {config.letter.file: _read_text(target)} if target.is_file() else {}
    folder = repo / config.letter.directory
    if not folder.is_dir():
        return {}
    return {p.relative_to(repo).as_posix(): _read_text(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def read_ledger(config: Config, repo: Path) -> Ownership:
    """Who owns the lines or files without a login, from the repo's ledger file (none: nobody known)."""
    target = repo / config.letter.ledger
    return parse_ledger(_read_text(target) if target.is_file() else None)


def changed_paths(base: Path, head: Path) -> list[str]:
    """Repo-relative paths whose bytes differ between the two folders (.git ignored)."""

    def files(root: Path) -> dict[str, Path]:
        out = {}
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            for name in filenames:
                full = Path(dirpath) / name
                out[full.relative_to(root).as_posix()] = full
        return out

    before, after = files(base), files(head)
    return sorted(
        p
        for p in before.keys() | after.keys()
        if p not in before or p not in after or before[p].read_bytes() != after[p].read_bytes()
    )


def _print_problem(item: Problem) -> None:
    where = f"{item.path}:{item.line}" if item.path and item.line else (item.path or "-")
    print(f"{where}: {item.code}: {item.message}")
    if item.suggestion:
        print(f"    suggestion: {item.suggestion}")


def cmd_lint(args: argparse.Namespace) -> int:
    repo = Path(args.path)
    if not repo.is_dir():
        print(f"undersigned: {repo} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    config = _load(args.config, repo, linting=True)
    report = lint_letter(config, read_letter_files(config, repo), read_ledger(config, repo))
    for item in report.problems:
        _print_problem(item)
    if args.notes:
        for item in report.notes:
            _print_problem(item)
    status = "clean" if report.clean else f"{len(report.problems)} problem(s)"
    print(f"{report.signatures} signatures, {status}, {len(report.notes)} formatting note(s)")
    return EXIT_OK if report.clean else EXIT_PROBLEMS


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cmd_verify(args: argparse.Namespace) -> int:
    base, head = Path(args.base), Path(args.head)
    for folder in (base, head):
        if not folder.is_dir():
            print(f"undersigned: {folder} is not a folder", file=sys.stderr)
            return EXIT_USAGE
    # The rules come from the base (the default branch), never from the PR's head.
    config = _load(args.config, base)
    author = Author(args.author, args.author_id, args.author_type, args.author_created)
    verdict = evaluate(
        config,
        Snapshots(read_letter_files(config, base), read_letter_files(config, head)),
        changed_paths(base, head),
        author,
        args.now or datetime.now(UTC),
        read_ledger(config, base),
    )
    if args.json:
        print(json.dumps(verdict.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"{verdict.kind}: {'may land' if verdict.ok else 'may not land'}")
        for sig in verdict.signatures:
            print(f"  signature: {sig.name} (@{sig.login}) {sig.path}:{sig.line}")
        for item in verdict.problems:
            _print_problem(item)
        for note in verdict.skipped:
            print(f"skipped: {note}")
    return EXIT_OK if verdict.ok else EXIT_PROBLEMS


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="undersigned", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    lint = sub.add_parser("lint", help="check a whole letter in a repo folder")
    lint.add_argument("--config", help=f"config file (default: PATH/{CONFIG_PATH})")
    lint.add_argument("--notes", action="store_true", help="also list harmless formatting notes")
    lint.add_argument("path", help="the letter's repo folder")
    lint.set_defaults(func=cmd_lint)

    verify = sub.add_parser("verify", help="judge a PR from the repo before and after it")
    verify.add_argument("--config", help=f"config file (default: BASE/{CONFIG_PATH}, never the head's)")
    verify.add_argument("--base", required=True, help="the repo folder before the PR")
    verify.add_argument("--head", required=True, help="the repo folder after the PR")
    verify.add_argument("--author", required=True, help="the PR author's login")
    verify.add_argument("--author-id", type=int, help="the PR author's numeric GitHub id (binds lines without a login)")
    verify.add_argument("--author-type", choices=["User", "Bot", "Organization"])
    verify.add_argument("--author-created", type=_when, help="account creation time (ISO 8601)")
    verify.add_argument("--now", type=_when, help="the time to judge at (default: now)")
    verify.add_argument("--json", action="store_true", help="print the verdict as JSON")
    verify.set_defaults(func=cmd_verify)

    serve = sub.add_parser("serve", help="run the webhook service (and its job workers)")
    serve.add_argument("--host", default=None, help="default: UNDERSIGNED_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: UNDERSIGNED_PORT or 8000")
    serve.set_defaults(func=_cmd_serve)

    worker = sub.add_parser("worker", help="run job workers as their own process (with UNDERSIGNED_REDIS_URL)")
    worker.add_argument("--threads", type=int, default=None)
    alive = "a health check: exit 0 if a worker process on this host beat within UNDERSIGNED_JOB_LEASE seconds"
    worker.add_argument("--alive", action="store_true", help=alive)
    worker.add_argument("--metrics-port", type=int, default=None, help="serve Prometheus metrics at :PORT/metrics")
    worker.set_defaults(func=_cmd_worker)
    return parser


def _cmd_serve(args: argparse.Namespace) -> int:
    from app.server import serve  # the service's imports are only paid for by `serve`

    return serve(args.host, args.port)


def _cmd_worker(args: argparse.Namespace) -> int:
    if args.alive:
        from app.jobs.alive import worker_alive  # light: a health check has seconds, not the service's imports

        return worker_alive()
    from app.server import run_worker

    return run_worker(args.threads, args.metrics_port)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
