"""The rules engine: pure functions from texts and facts to verdicts. No I/O happens here."""

from app.rules.ledger import Ownership, parse_ledger, update_ledger
from app.rules.model import Author, Change, Snapshots
from app.rules.problems import MESSAGES, Problem
from app.rules.verdict import Verdict, evaluate

__all__ = [
    "MESSAGES",
    "Author",
    "Change",
    "Ownership",
    "Problem",
    "Snapshots",
    "Verdict",
    "evaluate",
    "parse_ledger",
    "update_ledger",
]
