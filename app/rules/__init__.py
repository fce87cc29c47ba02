"""The rules engine: pure functions from texts and facts to verdicts. No I/O happens here."""

from app.rules.model import Change
from app.rules.problems import MESSAGES, Problem
from app.rules.verdict import Author, Verdict, evaluate

__all__ = ["MESSAGES", "Author", "Change", "Problem", "Verdict", "evaluate"]
