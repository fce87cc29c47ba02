"""The parts of a letter that holds several lists or several folders (`letter.lists`, `letter.folders`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# A part's name is shown to signers and written in the ledger's fourth column: one plain line, no tab.
PART_NAME = r"^[^\t\r\n\[\]<>&`]+$"
Signers = Literal["people", "organisations"]
_SIGNERS = (
    "people: one signature per GitHub account across every 'people' part. organisations: each line (or file) "
    "is an organisation's signature, one per organisation (names compared case-insensitively, accents "
    "folded); the ledger binds it to the representative who opened the PR, who alone may amend or withdraw "
    "it, and who may also sign for themself in a 'people' part."
)


class Part(BaseModel):
    """What every list or folder of a letter has: a name and who signs in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(
        "Signatures",
        min_length=1,
        max_length=60,
        pattern=PART_NAME,
        description="The part's name, as signers read it in messages and as the ledger records it.",
    )
    signers: Signers = Field("people", description=_SIGNERS)


class ListConfig(Part):
    """One list of a letter with several: its marker, its line template and its order."""

    start_after: str | None = Field(None, description="The list starts after the first line equal to this marker.")
    end_before: str | None = Field(
        None,
        description="The list ends before the first line after its start equal to this marker. Every list but "
        "the last in the file needs one, so that lists never overlap.",
    )
    line: str = Field(
        "- {name} [@{login}](https://github.com/{login})",
        description="Template of one line of this list (the fields and rules of 'letter.line').",
    )
    line_variants: list[str] = Field([], description="Other shapes a line of this list may have.")
    order: Literal["append", "sorted", "any"] = Field("append", description="As 'letter.order', for this list.")
    sort_key: Literal["name", "surname", "login"] = Field("surname", description="As 'letter.sort_key'.")


class FolderConfig(Part):
    """One folder of a letter with several: its file names and its fields (other keys: as the letter's)."""

    directory: str = Field(
        "signatures",
        description="The folder's path from the repository's root; it must be inside 'letter.directory' "
        "(e.g. _data/orgs with letter.directory: _data).",
    )
    filename: str = Field("{login}.yaml", description="As 'letter.filename', for this folder.")
    fields: dict[str, str] | None = Field(None, description="As 'letter.fields', for this folder.")
    optional_fields: dict[str, str] = Field({}, description="As 'letter.optional_fields', for this folder.")
    content: str | None = Field(None, description="As 'letter.content', for this folder.")
