"""Config errors in the maintainer's words: what is wrong and how to fix it, with no Python in sight
(no None, no "instance of LetterConfig", no "must be one of 1")."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel

from config.model import Config


def friendly(err: dict[str, Any]) -> str:
    """One pydantic error as a sentence that says what to write instead."""
    kind, ctx, given = str(err.get("type", "")), err.get("ctx") or {}, err.get("input")
    loc = tuple(err.get("loc") or ())
    if kind == "extra_forbidden":
        return _unknown(loc)
    if kind == "literal_error":
        choices = _choices(str(ctx.get("expected", "")))
        if len(choices) == 1:
            return f"must be {choices[0]}" + (f", not {_shown(given)}" if given is not None else "")
        return f"must be one of {_join(choices)}" + (f", not {_shown(given)}" if given is not None else "")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if given is None:
            return "is empty: give it keys (indented below it), or remove the line to keep the defaults"
        return f"must be a section of keys (indented below it), not {_shown(given)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, not {_shown(given)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, not {_shown(given)}"
    if kind == "string_type":
        if given is None:
            return "needs a value: write one after the colon, or remove the line to keep the default"
        return f"must be text, not {_shown(given)} (put it in quotes)"
    if kind == "list_type":
        example = f" (e.g. [{given}])" if isinstance(given, str) else ""
        return f"must be a list, not {_shown(given)}{example}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        word = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most",
                "less_than": "less than"}[kind]  # fmt: skip
        limit = next(iter(ctx.values()), "")
        return f"must be {word} {limit}, not {_shown(given)}"
    if kind == "missing":
        return "is required: add it"
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return msg.replace("None", "null")


def _shown(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a section"
    if isinstance(value, list):
        return "a list"
    return f"`{value}`"


def _choices(expected: str) -> list[str]:
    parts = expected.replace(" or ", ", ").split(", ")
    return [p.strip() for p in parts if p.strip()]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _unknown(loc: tuple[Any, ...]) -> str:
    """Name the key the maintainer probably meant, from the keys that section allows."""
    model: Any = Config
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        sub = field.annotation if field is not None else None
        if not (isinstance(sub, type) and issubclass(sub, BaseModel)):
            model = None
            break
        model = sub
    known = list(model.model_fields) if model is not None else []
    typed = str(loc[-1]) if loc else ""
    close = difflib.get_close_matches(typed, known, n=3, cutoff=0.6)
    if close:
        best = min(close, key=lambda k: _distance(typed.lower(), k))  # a typo is a few edits away
        return f"unknown key; did you mean `{best}`?"
    if known:
        return f"unknown key; remove it or use one of {_join([f'`{k}`' for k in known])}"
    return "unknown key; remove it or check its spelling"


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from a to b."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb)))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
