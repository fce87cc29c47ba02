"""Issue 23's missing shapes in tests: several lists, several folders, organisations, free {text}, {id} names."""

from __future__ import annotations

from collections.abc import Mapping

from app.rules import Author, Snapshots, Verdict, evaluate, parse_ledger
from config import Config
from tests.helpers import NOW, config

LEDGER = ".github/undersigned-ledger.tsv"
ADA, BOB = Author("ada", 1), Author("bob", 2)

# Shape 1 and 3: an organisations list and a people list in one file.
LISTS = config(
    "letter:\n  lists:\n"
    "    - name: Organisations\n      start_after: '## Organisations'\n      end_before: '## People'\n"
    "      line: '- {name}{? ({url})}'\n      order: sorted\n      sort_key: name\n      signers: organisations\n"
    "    - name: People\n      start_after: '## People'\n      line: '- {name} [@{login}](https://github.com/{login})'\n"
)
LISTS_BASE = "# We object\n\n## Organisations\n\n- Acme\n\n## People\n\n- Cy Pre [@cy](https://github.com/cy)\n"
ADA_LINE = "- Ada Lovelace [@ada](https://github.com/ada)"

# Shape 1: original and additional signers, names only (each line bound to its author in the ledger).
TWO_PEOPLE = config(
    "letter:\n  lists:\n"
    "    - name: Original signers\n      start_after: 'Original signers:'\n      end_before: 'Additional signers:'\n"
    "      line: 'N. {name}'\n"
    "    - name: Additional signers\n      start_after: 'Additional signers:'\n      line: '- {name}{? ({affiliation})}'\n"
)
TWO_BASE = "Letter.\n\nOriginal signers:\n\n1. Cy Pre\n\nAdditional signers:\n\n- Dee Lin\n"

# Shape 2 (and 3 in a folder): organisations and people in folders of their own.
FOLDERS = config(
    "letter:\n  directory: _data\n  folders:\n"
    "    - name: Organisations\n      directory: _data/orgs\n      filename: '{slug}.yml'\n"
    "      fields: {name: '{name}'}\n      optional_fields: {url: '{url}'}\n      signers: organisations\n"
    "    - name: People\n      directory: _data/people\n      filename: '{login}.yml'\n"
    "      fields: {name: '{name}', github: '{login}'}\n"
)
FOLDERS_BASE = {"_data/orgs/acme.yml": "name: Acme\n", "_data/people/cy.yml": "name: Cy Pre\ngithub: cy\n"}

# Shape 4: "It can be anything": a name, with an optional link or email.
FREE = config("letter:\n  start_after: 'Signed,'\n  line: '- {text}'\n")
FREE_BASE = "Letter.\n\nSigned,\n\n- Cy Pre\n"

# Shape 5: any unique file name.
IDS = config("letter:\n  directory: signatures\n  filename: '{id}.md'\n  content: '{name}'\n")


def judge_file(
    cfg: Config, base: str, head: str, who: Author = ADA, ledger: str | None = None, path: str = "README.md"
) -> Verdict:
    return evaluate(cfg, Snapshots({path: base}, {path: head}), [path], who, NOW, parse_ledger(ledger))


def judge_folder(
    cfg: Config,
    base: Mapping[str, str],
    changes: Mapping[str, str | None],
    who: Author = ADA,
    ledger: str | None = None,
) -> Verdict:
    head = {**base, **{p: t for p, t in changes.items() if t is not None}}
    for path, text in changes.items():
        if text is None:
            head.pop(path, None)
    return evaluate(cfg, Snapshots(dict(base), head), list(changes), who, NOW, parse_ledger(ledger))


def with_org(text: str, line: str) -> str:
    """The letter with `line` added at the end of the organisations list."""
    return text.replace("\n\n## People", f"\n{line}\n\n## People", 1)
