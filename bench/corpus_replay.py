"""Replay every merged PR of the four real letters in ../shared/corpus through the verdict.

Run: python -m bench.corpus_replay  (writes bench/corpus_report.md and prints it).

The corpus keeps each PR's added and removed lines, not whole files, so the replay rebuilds the
letter as it was: it starts empty and applies every merged PR in date order (they did land), judging
each one against the letter just before it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.rules import Author, Snapshots, Verdict, evaluate
from config import Config, load_config_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
CONFIGS = ROOT / "tests" / "corpus_configs"
REPORT = Path(__file__).resolve().parent / "corpus_report.md"
LETTERS = (
    "selfagency__microsoft-drop-ice",
    "drop-ice__dear-github-2.0",
    "thank-you-github__thank-you-github",
    "rms-support-letter__rms-support-letter.github.io",
)
_ITEM = re.compile(r"^\s*(?:[-*\u2013]|\d+\.)\s")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Outcome:
    pr: int
    author: str
    author_known: bool
    verdict: Verdict


@dataclass
class LetterResult:
    letter: str
    outcomes: list[Outcome] = field(default_factory=list)

    def table(self) -> Counter[str]:
        rows: Counter[str] = Counter()
        for o in self.outcomes:
            if o.verdict.ok:
                rows[f"accepted: {o.verdict.kind}"] += 1
            elif o.verdict.kind == "not_a_signature":
                rows["neutral: not_a_signature"] += 1
            else:
                rows["rejected"] += 1
                for code in sorted({p.code for p in o.verdict.problems}):
                    rows[f"rejected by: {code}"] += 1
        return rows


def load_config(letter: str) -> Config:
    loaded = load_config_file(str(CONFIGS / f"{letter}.yml"))
    assert isinstance(loaded, Config), loaded
    return loaded


@dataclass(frozen=True)
class PR:
    """One merged pull request of the corpus, as far as the replay needs it."""

    number: int
    date: datetime
    added: list[str]
    removed: list[str]
    files: list[str]
    login: str | None  # the author, from the merge commit or a noreply e-mail; None when unknown

    @classmethod
    def read(cls, row: dict[str, Any]) -> PR:
        login = row.get("author_login") or row.get("head_commit_login")
        return cls(
            int(row["pr"]),
            datetime.fromisoformat(str(row["date"])),
            [str(x) for x in row["added"]],
            [str(x) for x in row["removed"]],
            [str(x) for x in row["files"]],
            str(login) if login else None,
        )


def _prs(letter: str) -> list[PR]:
    with open(CORPUS / f"{letter}.prs.jsonl", encoding="utf-8") as fh:
        rows = [PR.read(json.loads(line)) for line in fh]
    return sorted(rows, key=lambda r: (r.date, r.number))


def _author(pr: PR, added: list[str]) -> tuple[str, bool]:
    if pr.login:
        return pr.login, True
    # Applied by a maintainer with no record of who asked: judge it as if the signer opened it.
    found = re.search(r"(?:@|github\.com/)([A-Za-z0-9-]+)", " ".join(added))
    return (found.group(1) if found else "unknown"), False


def replay_list(letter: str, config: Config) -> LetterResult:
    path, marker = config.letter.file, config.letter.start_after
    header = ["# An open letter", "", "The letter's text.", ""] + ([marker, ""] if marker else [])
    state: list[str] = []
    result = LetterResult(letter)
    for pr in _prs(letter):
        added, removed, files = pr.added, pr.removed, pr.files
        head_state, head_header, text_edit = list(state), list(header), False
        if path in files:
            for line in removed:
                if line in head_state:
                    head_state.remove(line)
                elif line.strip():
                    text_edit = True
            for line in added:
                if not line.strip():
                    continue
                if text_edit and not _ITEM.match(line):
                    head_header.insert(3, line)  # an edit of the letter's text, not a list line
                else:
                    head_state.append(line)
            if text_edit and head_header == header:
                head_header.insert(3, "(edited)")
        base_text = "\n".join(header + state) + "\n"
        head_text = "\n".join(head_header + head_state) + "\n"
        login, known = _author(pr, added)
        verdict = evaluate(config, Snapshots({path: base_text}, {path: head_text}), files, Author(login), NOW)
        result.outcomes.append(Outcome(pr.number, login, known, verdict))
        state = head_state
    return result


def replay_directory(letter: str, config: Config) -> LetterResult:
    prefix = (config.letter.directory or "").rstrip("/") + "/"
    state: dict[str, str] = {}
    result = LetterResult(letter)
    for pr in _prs(letter):
        added, files = pr.added, pr.files
        head = dict(state)
        mine = [f for f in files if f.startswith(prefix)]
        # Added lines of several files come concatenated: split them where each file's "name:" starts.
        chunks: list[list[str]] = []
        for line in added:
            if line.startswith("name:") or not chunks:
                chunks.append([])
            chunks[-1].append(line)
        for i, f in enumerate(mine):
            if i < len(chunks):
                head[f] = "\n".join(chunks[i]) + "\n"
            elif f in head and not added:
                del head[f]
        login, known = _author(pr, added)
        verdict = evaluate(config, Snapshots(state, head), files, Author(login), NOW)
        result.outcomes.append(Outcome(pr.number, login, known, verdict))
        state = head
    return result


def replay(letter: str) -> LetterResult:
    config = load_config(letter)
    if config.letter.directory is not None:
        return replay_directory(letter, config)
    return replay_list(letter, config)


def render_report(results: list[LetterResult]) -> str:
    out = [
        "# Corpus replay: every merged PR of four real letters through the verdict",
        "",
        "Generated by `python -m bench.corpus_replay`; `tests/rules/test_corpus.py` keeps it current.",
        "Each PR is judged against the letter as it stood just before it merged. PRs whose author is",
        "unknown (applied by a maintainer) are judged as if the signer had opened them.",
        "",
    ]
    for res in results:
        known = sum(1 for o in res.outcomes if o.author_known)
        out += [f"## {res.letter}", "", f"{len(res.outcomes)} merged PRs ({known} with a known author).", ""]
        out += ["| outcome | PRs |", "|---|---:|"]
        table = res.table()
        for key in sorted(table, key=lambda k: (not k.startswith("accepted"), k.startswith("rejected by"), k)):
            out.append(f"| {key} | {table[key]} |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    report = render_report([replay(letter) for letter in LETTERS])
    REPORT.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
