"""The `undersigned` command: lint a letter, verify a PR offline, serve the App, run a worker."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from app.rules import Author, Ownership, Snapshots, evaluate, parse_ledger
from app.rules.lint import lint_letter
from app.rules.problems import Problem
from config import CONFIG_PATH, Config, ConfigError, load_config_file
from config.resolve import EXTENDS, STARTER, resolve

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3
EXIT_CODES = f"""exit codes:
  {EXIT_OK}  clean: the letter has no problem, the PR may land; serve stopped normally
  {EXIT_PROBLEMS}  problems found in the letter, the PR or .github/undersigned.yml (each printed, with its line)
  {EXIT_USAGE}  the command could not run: wrong arguments, a folder or file missing, unusable settings
  {EXIT_BUSY}  serve: its port, or its data folder, is taken by another process"""


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
    if not Path(path).is_file():
        print(f"undersigned: {path}: no such file", file=sys.stderr)
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
    if isinstance(loaded, ConfigError):  # the config's problems are the letter's: printed, exit 1
        print(loaded.text())
        raise SystemExit(EXIT_PROBLEMS)
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


def _print_problem(item: Problem, texts: Mapping[str, str], whole: str) -> None:
    """One problem: where, code and words; then the line itself, quoted with its number; then the fix."""
    where = f"{item.path}:{item.line}" if item.path and item.line else (item.path or whole)
    print(f"{where}: {item.code}: {item.message}")
    text = texts.get(item.path or "")
    if text is not None and item.line:
        lines = text.split("\n")
        if item.line <= len(lines):
            print(f"    {item.line} | {lines[item.line - 1].rstrip(chr(13))}")
    if item.suggestion:
        print(f"    suggestion: {item.suggestion}")


def _lint_target(path: Path) -> tuple[Path, str | None]:
    """The repo folder to lint, and the file named on the command line (the letter's file, or a mistake)."""
    if path.is_dir():
        return path, None
    here = path.resolve().parent
    for folder in (here, *here.parents):
        if (folder / CONFIG_PATH).is_file():
            return folder, path.resolve().relative_to(folder).as_posix()
    return here, path.name


def cmd_lint(args: argparse.Namespace) -> int:
    if not Path(args.path).exists():
        print(f"undersigned: {args.path}: no such folder or file", file=sys.stderr)
        return EXIT_USAGE
    repo, named = _lint_target(Path(args.path))
    config = _load(args.config, repo, linting=True)
    letter = config.letter
    if named is not None and (letter.directory is not None or named != letter.file):
        said = f"directory: {letter.directory}" if letter.directory is not None else f"file: {letter.file}"
        print(f"undersigned: {args.path} is not the letter: {CONFIG_PATH} says `{said}`; lint {repo}", file=sys.stderr)
        return EXIT_USAGE
    files = read_letter_files(config, repo)
    report = lint_letter(config, files, read_ledger(config, repo))
    for item in report.problems:
        _print_problem(item, files, "the letter")
    for item in report.warnings:
        _print_problem(item, files, "the config")
    if args.notes:
        for item in report.notes:
            _print_problem(item, files, "the letter")
    status = "clean" if report.clean else f"{len(report.problems)} problem(s)"
    warned = f", {len(report.warnings)} warning(s) about the config" if report.warnings else ""
    print(f"{report.signatures} signatures, {status}, {len(report.notes)} formatting note(s){warned}")
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
    before, after = read_letter_files(config, base), read_letter_files(config, head)
    verdict = evaluate(
        config,
        Snapshots(before, after),
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
            _print_problem(item, before if item.code in _OLD_LINES else after, "the PR")
        if args.notes:  # checks that need facts only GitHub knows (account type, age): given by the options
            for note in verdict.skipped:
                print(f"not checked: {note}")
    return EXIT_OK if verdict.ok else EXIT_PROBLEMS


# Problems about a line the PR changes or removes: their line number is the base's.
_OLD_LINES = frozenset({"edits-others-line", "edits-unowned-line", "line-gone", "withdraw-not-allowed"})


def build_parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog="undersigned", description=__doc__, epilog=EXIT_CODES, formatter_class=formatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text, epilog=EXIT_CODES, formatter_class=formatter)

    lint = command("lint", "check a whole letter: its repo folder, or its file")
    lint.add_argument("--config", help=f"config file (default: PATH/{CONFIG_PATH})")
    lint.add_argument("--notes", action="store_true", help="also list harmless formatting notes")
    lint.add_argument("path", help="the letter's repo folder, or the letter's file in it (e.g. README.md)")
    lint.set_defaults(func=cmd_lint)

    verify = command("verify", "judge a PR from the repo before and after it")
    verify.add_argument("--config", help=f"config file (default: BASE/{CONFIG_PATH}, never the head's)")
    verify.add_argument("--base", required=True, help="the repo folder before the PR")
    verify.add_argument("--head", required=True, help="the repo folder after the PR")
    verify.add_argument("--author", required=True, help="the PR author's login")
    verify.add_argument("--author-id", type=int, help="the PR author's numeric GitHub id (binds lines without a login)")
    verify.add_argument("--author-type", choices=["User", "Bot", "Organization"])
    verify.add_argument("--author-created", type=_when, help="account creation time (ISO 8601)")
    verify.add_argument("--now", type=_when, help="the time to judge at (default: now)")
    verify.add_argument("--json", action="store_true", help="print the verdict as JSON")
    verify.add_argument("--notes", action="store_true", help="also list the checks the given facts could not run")
    verify.set_defaults(func=cmd_verify)

    serve = command("serve", "run the webhook service (and its job workers)")
    serve.add_argument("--host", default=None, help="default: UNDERSIGNED_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: UNDERSIGNED_PORT or 8000")
    serve.set_defaults(func=_cmd_serve)

    worker = sub.add_parser("worker", help="run job workers as their own process (with UNDERSIGNED_REDIS_URL)")
    worker.add_argument("--threads", type=int, default=None)
    alive = "a health check: exit 0 if a worker process on this host beat within UNDERSIGNED_JOB_LEASE seconds"
    worker.add_argument("--alive", action="store_true", help=alive)
    worker.add_argument("--metrics-port", type=int, default=None, help="serve Prometheus metrics at :PORT/metrics")
    worker.add_argument("--of-serve", action="store_true", help=argparse.SUPPRESS)  # serve's own: until stdin ends
    worker.set_defaults(func=_cmd_worker)

    action = sub.add_parser("action", help="run as a GitHub Actions step (reads GITHUB_EVENT_NAME, GITHUB_TOKEN, ...)")
    action.set_defaults(func=_cmd_action)

    init = sub.add_parser("init", help="infer the config from a letter's repo; write it, and the Action's workflow")
    init.add_argument("path", nargs="?", default=".", help="the letter's repo folder (default: here)")
    init.add_argument("--write", action="store_true", help=f"write {CONFIG_PATH} (never over an existing one)")
    init.add_argument("--action", action="store_true", help="write the Action's workflow too")
    init.add_argument("--branch", help="the default branch (default: the branch checked out, else main)")
    init.add_argument("--uses", help="the action to use (default: the published undersigned action)")
    init.set_defaults(func=_cmd_init)
    return parser


def _cmd_serve(args: argparse.Namespace) -> int:
    from app.server import serve  # the service's imports are only paid for by `serve`

    return serve(args.host, args.port)


def _cmd_worker(args: argparse.Namespace) -> int:
    if args.alive:
        from app.jobs.alive import worker_alive  # light: a health check has seconds, not the service's imports

        return worker_alive()
    from app.server import run_worker

    return run_worker(args.threads, args.metrics_port, of_serve=args.of_serve)


def _cmd_action(args: argparse.Namespace) -> int:
    from app.action.main import run_action  # the Action's imports are only paid for by `action`

    return run_action()


def _cmd_init(args: argparse.Namespace) -> int:
    from app.action.init import run_init

    repo = Path(args.path)
    if not repo.is_dir():
        print(f"undersigned: {repo} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    run_init(repo, args.path, write=args.write, action=args.action, branch=args.branch, uses=args.uses)
    return EXIT_OK


def _version() -> str:
    try:
        return metadata.version("undersigned")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except BrokenPipeError:  # `undersigned verify ... --json | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    return code


if __name__ == "__main__":
    raise SystemExit(main())
