"""One-file-per-signer letters (rms-support-letter style): `_data/signed/{login}.yaml`."""

from __future__ import annotations

from app.rules import Author, Snapshots, Verdict, evaluate
from tests.helpers import DIRECTORY_CONFIG_YAML, NOW, config

CFG = config(DIRECTORY_CONFIG_YAML)
BASE = {
    "_data/signed/ExistingOne.yaml": "name: Existing One\nlink: https://github.com/ExistingOne\n",
    "_data/signed/bob.yaml": "name: Bob Byte\nlink: https://github.com/bob\n",
}
ADA = "name: Ada Lovelace\nlink: https://github.com/ada\n"


def judge(head_extra: dict[str, str | None], author: str = "ada", changed: list[str] | None = None) -> Verdict:
    head = dict(BASE)
    for path, text in head_extra.items():
        if text is None:
            head.pop(path, None)
        else:
            head[path] = text
    return evaluate(CFG, Snapshots(BASE, head), changed or list(head_extra), Author(author), NOW)


def codes(v: Verdict) -> list[str]:
    return [p.code for p in v.problems]


def test_signing_adds_ones_own_file() -> None:
    verdict = judge({"_data/signed/ada.yaml": ADA})
    assert verdict.kind == "sign", verdict.problems
    assert verdict.signatures[0].name == "Ada Lovelace" and verdict.signatures[0].login == "ada"
    assert verdict.land[0].path == "_data/signed/ada.yaml" and verdict.land[0].text == ADA


def test_file_for_someone_else() -> None:
    verdict = judge({"_data/signed/ada.yaml": ADA}, author="mallory")
    assert codes(verdict) == ["author-mismatch"]
    assert "_data/signed/mallory.yaml" in verdict.problems[0].message
    assert verdict.problems[0].suggestion is None  # a fix never changes whose signature it is


def test_duplicate_by_case_insensitive_file_name() -> None:
    text = "name: E One\nlink: https://github.com/existingone\n"
    verdict = judge({"_data/signed/existingone.yaml": text}, author="existingone")
    assert codes(verdict) == ["duplicate-signer"]


def test_wrong_file_name_or_content() -> None:
    wrong_ext = judge({"_data/signed/ada.yml": ADA})
    assert codes(wrong_ext) == ["file-format"]
    assert "`_data/signed/ada.yaml`" in wrong_ext.problems[0].message
    assert wrong_ext.problems[0].suggestion == ADA
    other_link = judge({"_data/signed/ada.yaml": "name: Ada\nlink: mailto:ada@example.com\n"})
    assert codes(other_link) == ["file-format"] and "`link`" in other_link.problems[0].message
    extra = judge({"_data/signed/ada.yaml": ADA + "email: x@y\n"})
    assert codes(extra) == ["file-format"] and "unexpected email" in extra.problems[0].message
    mismatch = judge({"_data/signed/ada.yaml": "name: Ada\nlink: https://github.com/other\n"})
    assert codes(mismatch) == ["login-mismatch"]


def test_withdraw_own_and_not_others() -> None:
    assert judge({"_data/signed/bob.yaml": None}, author="bob").kind == "withdraw"
    assert codes(judge({"_data/signed/bob.yaml": None}, author="ada")) == ["edits-others-line"]
    edit = judge({"_data/signed/bob.yaml": "name: Robert Byte\nlink: https://github.com/bob\n"}, author="ada")
    assert codes(edit) == ["edits-others-line"]
    own = judge({"_data/signed/bob.yaml": "name: Robert Byte\nlink: https://github.com/bob\n"}, author="bob")
    assert own.kind == "amend"


def test_files_outside_the_folder() -> None:
    verdict = judge({"_data/signed/ada.yaml": ADA, "index.md": "x"}, changed=["_data/signed/ada.yaml", "index.md"])
    assert codes(verdict) == ["other-files-changed"]
    assert judge({"index.md": "x"}).kind == "not_a_signature"


def test_markup_in_the_name() -> None:
    verdict = judge({"_data/signed/ada.yaml": "name: ada@evil.com (buy.com)\nlink: https://github.com/ada\n"})
    assert codes(verdict) == ["name-has-markup"]


def test_text_template_files() -> None:
    cfg = config(
        'letter:\n  directory: signatures\n  filename: "{login}.md"\n  content: "---\\nname: {name}\\ngithub: {login}\\n---"\n'
    )
    good = "---\nname: Ada Lovelace\ngithub: ada\n---\n"
    verdict = evaluate(cfg, Snapshots({}, {"signatures/ada.md": good}), ["signatures/ada.md"], Author("ada"), NOW)
    assert verdict.kind == "sign"
    assert verdict.signatures[0].name == "Ada Lovelace"
    other = evaluate(
        cfg,
        Snapshots({}, {"signatures/ada.md": good.replace("github: ada", "github: bob")}),
        ["signatures/ada.md"],
        Author("ada"),
        NOW,
    )
    assert [p.code for p in other.problems] == ["login-mismatch"]
    bad = evaluate(cfg, Snapshots({}, {"signatures/ada.md": "name: Ada\n"}), ["signatures/ada.md"], Author("ada"), NOW)
    assert [p.code for p in bad.problems] == ["file-format"]
