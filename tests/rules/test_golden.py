"""Golden files for every message a signer reads from the rules (one scenario per problem code)."""

from __future__ import annotations

from datetime import timedelta

from app.affiliations.verify import unverified
from app.rules import MESSAGES, Author, Snapshots, Verdict, evaluate
from app.rules.lint import lint_letter
from app.rules.listing import not_utf8
from app.rules.model import ChangedFiles, FileChange
from app.rules.verdict import too_slow
from config import Config
from tests.helpers import DIRECTORY_CONFIG_YAML, NOW, SEED_CONFIG_YAML, assert_golden, config, seed_text, with_line

SEED = config(SEED_CONFIG_YAML)
ADA = "-  Ada Lovelace [@ada](https://github.com/ada)"
LEA = "-  Lea Verou [@leaverou](https://github.com/leaverou)\n"


def _cfg(**signers: object) -> Config:
    data = SEED.model_dump()
    data["signers"].update(signers)
    return Config.model_validate(data)


def _seed(
    head: str, author: Author | str = "ada", cfg: Config = SEED, changed: tuple[str, ...] = ("README.md",)
) -> Verdict:
    who = author if isinstance(author, Author) else Author(author)
    return evaluate(cfg, Snapshots({"README.md": seed_text()}, {"README.md": head}), changed, who, NOW)


def _dir(path: str, text: str, author: str = "ada") -> Verdict:
    cfg = config(DIRECTORY_CONFIG_YAML)
    return evaluate(cfg, Snapshots({}, {path: text}), [path], Author(author), NOW)


GRACE_FILE = "name: Grace Hopper\nlink: https://github.com/grace\n"
ADA_FILE = "name: Ada Lovelace\nlink: https://github.com/ada\n"
SIGNED = "_data/signed/"


def _listed(*files: FileChange, total: int | None = None) -> Verdict:
    """A directory letter PR: Ada's file added, with GitHub's listing of what else it changes."""
    listing = ChangedFiles((FileChange(f"{SIGNED}ada.yaml", "added"), *files), total)
    texts = Snapshots(
        {f"{SIGNED}grace.yaml": GRACE_FILE}, {f"{SIGNED}grace.yaml": GRACE_FILE, f"{SIGNED}ada.yaml": ADA_FILE}
    )
    return evaluate(config(DIRECTORY_CONFIG_YAML), texts, listing, Author("ada"), NOW)


SORTED = config(
    "letter:\n  start_after: 'Signed,'\n  line: '- {name}, @{login}'\n  order: sorted\nmerge:\n  fix_placement: false\n"
)
NAMES = config("letter:\n  start_after: 'Signed,'\n  line: '- {name}'\n")
HOW = "To verify Mozilla: make your membership of the GitHub organization mozilla public."
MARKED = config("letter:\n  start_after: 'Signed,'\n  line: '- {name}{?, {affiliation}}{? {verified}}'\n")
SCENARIOS: dict[str, Verdict] = {
    "marker-by-hand": evaluate(
        MARKED,
        Snapshots({"README.md": "Signed,\n\n- Bob Byte\n"}, {"README.md": "Signed,\n\n- Bob Byte\n- Ada, Mozilla✓\n"}),
        ["README.md"],
        Author("ada", 1),
        NOW,
    ),
    "affiliation-unverified": Verdict("invalid", problems=(unverified("Mozilla", "ada", HOW, "README.md", 38),)),
    "other-files-changed": _seed(with_line(seed_text(), ADA), changed=("README.md", "index.html")),
    "letter-text-changed": _seed(with_line(seed_text().replace("Signed,", "Signed by,\n\nSigned,"), ADA)),
    "letter-missing": evaluate(
        SEED, Snapshots({"README.md": "no list\n"}, {"README.md": "x\n"}), ["README.md"], Author("a"), NOW
    ),
    "line-format": _seed(with_line(seed_text(), "- Ada Lovelace, @ada")),
    "file-format": _dir("_data/signed/ada.yml", "name: Ada Lovelace\nlink: https://github.com/ada\n"),
    "invalid-login": _seed(with_line(seed_text(), "-  Ada [@lady_ada_king](https://github.com/lady_ada_king)")),
    "login-mismatch": _seed(with_line(seed_text(), "-  Ada [@ada](https://github.com/lovelace)")),
    "author-mismatch": _seed(with_line(seed_text(), ADA), "mallory"),
    "duplicate-signer": _seed(with_line(seed_text(), "-  Lea [@leaverou](https://github.com/leaverou)"), "leaverou"),
    "edits-others-line": _seed(seed_text().replace(LEA, "")),
    "too-many-lines": _seed(with_line(seed_text(), ADA, ADA.replace("ada", "bob")), cfg=_cfg(author_must_match=False)),
    "wrong-position": evaluate(
        SORTED,
        Snapshots(
            {"README.md": "Signed,\n\n- Ana B, @ab\n- Cy D, @cd\n"},
            {"README.md": "Signed,\n\n- Ana B, @ab\n- Cy D, @cd\n- Al A, @aa\n"},
        ),
        ["README.md"],
        Author("aa"),
        NOW,
    ),
    "name-has-markup": _seed(with_line(seed_text(), "-  Ada <b>L</b> [@ada](https://github.com/ada)")),
    "name-has-control-chars": _seed(with_line(seed_text(), "-  Ada\u202eLovelace [@ada](https://github.com/ada)")),
    "name-too-long": _seed(with_line(seed_text(), f"-  {'A' * 120} [@ada](https://github.com/ada)")),
    "name-missing": _dir("_data/signed/ada.yaml", "name: ''\nlink: https://github.com/ada\n"),
    "withdraw-not-allowed": _seed(seed_text().replace(LEA, ""), "leaverou", _cfg(allow_withdraw=False)),
    "amend-not-allowed": _seed(seed_text().replace("Lea Verou", "Léa Verou"), "leaverou", _cfg(allow_amend=False)),
    "blocked": _seed(with_line(seed_text(), ADA), cfg=_cfg(blocked=["ada"])),
    "bot-author": _seed(with_line(seed_text(), ADA), Author("ada", 1, "Bot")),
    "account-too-new": _seed(
        with_line(seed_text(), ADA), Author("ada", 1, "User", NOW - timedelta(days=2)), _cfg(min_account_age_days=7)
    ),
    "line-gone": evaluate(
        SEED,
        Snapshots(
            {"README.md": seed_text()},
            {"README.md": seed_text().replace("Lea Verou", "Léa Verou")},
            {"README.md": seed_text().replace(LEA, "")},
        ),
        ["README.md"],
        Author("leaverou"),
        NOW,
    ),
    "edits-unowned-line": evaluate(
        NAMES,
        Snapshots(
            {"README.md": "Signed,\n\n- Ada Lovelace\n- Bob Byte\n"}, {"README.md": "Signed,\n\n- Ada Lovelace\n"}
        ),
        ["README.md"],
        Author("bob", 2),
        NOW,
    ),
    "field-has-markup": _seed(
        with_line(seed_text(), "-  Ada Lovelace (Navy [verify](https://evil.example)) [@ada](https://github.com/ada)"),
        cfg=config(SEED_CONFIG_YAML.replace("{name} [@", "{name} ({affiliation}) [@")),
    ),
    "field-has-control-chars": _seed(
        with_line(seed_text(), "-  Ada Lovelace (Na\u200bvy) [@ada](https://github.com/ada)"),
        cfg=config(SEED_CONFIG_YAML.replace("{name} [@", "{name} ({affiliation}) [@")),
    ),
    "line-has-control-chars": _seed(with_line(seed_text(), ADA + "\r<!--")),
    "line-too-long": _seed(with_line(seed_text(), ADA + " " + "x" * 1200)),
    "file-too-large": _dir("_data/signed/ada.yaml", "name: Ada Lovelace\nlink: https://github.com/ada\n" + "#" * 9000),
    "too-many-files": _seed(with_line(seed_text(), ADA), changed=tuple(f"f{i}.md" for i in range(101))),
    "too-slow": too_slow(5),
    "not-utf8": Verdict("invalid", problems=(not_utf8("README.md"),)),
    "invisible-edit": _seed(with_line(seed_text().replace("\n-  Lea Verou", "\n\u2013  Lea Verou"), ADA)),
    "changes-incomplete": _listed(*(FileChange(f"{SIGNED}s{i:03}.yaml", "changed", None, False) for i in range(299))),
    "change-unreadable": _listed(FileChange(f"{SIGNED}grace.yaml", "modified", None, False)),
    "unsupported-change": _listed(FileChange(f"{SIGNED}grace.yaml", "changed", None, False)),
    "list-start-changed": _seed(with_line(seed_text().replace("Signed,", "Signed by,"), ADA)),
    "letter-frozen": evaluate(
        SEED.model_copy(update={"frozen": True}),
        Snapshots({"README.md": seed_text()}, {"README.md": with_line(seed_text(), ADA)}),
        ["README.md"],
        Author("ada"),
        NOW,
    ),
}


def _render(verdict: Verdict) -> str:
    out = [f"kind: {verdict.kind}"]
    for p in verdict.problems:
        where = ":".join(str(x) for x in (p.path, p.line) if x is not None) or "the PR"
        out += [f"- {p.code} ({where})", f"  {p.message}"]
        if p.suggestion:
            out += ["  suggestion:", *(f"    {line}" for line in p.suggestion.splitlines())]
    return "\n".join(out) + "\n"


def test_every_code_has_a_golden_scenario() -> None:
    from tests.rules.test_shapes_new_golden import CODES  # issue 23's shapes keep their scenarios there

    assert set(SCENARIOS) | {"not-normalized"} | set(CODES) == set(MESSAGES)


def test_messages_match_golden_files() -> None:
    for code, verdict in SCENARIOS.items():
        assert code in {p.code for p in verdict.problems}, (code, verdict.problems)
        assert_golden(f"rules/{code}.txt", _render(verdict))


def test_lint_note_matches_golden_file() -> None:
    report = lint_letter(SEED, {"README.md": seed_text()})
    out = [f"- {n.code} ({n.path}:{n.line})\n  {n.message}\n  suggestion: {n.suggestion}" for n in report.notes]
    assert_golden("rules/not-normalized.txt", "\n".join(out) + "\n")
