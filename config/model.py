"""The versioned model of `.github/undersigned.yml`: every key optional, every default documented."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.template import Template, TemplateError
from config.parts import FolderConfig, ListConfig

CONFIG_PATH = ".github/undersigned.yml"
FILE_NAME_FIELDS = ("login", "slug", "id")


class _Strict(BaseModel):
    # Unknown keys are rejected and named, so a typo never silently turns a rule off.
    model_config = ConfigDict(extra="forbid", frozen=True)


class LetterConfig(_Strict):
    """Where the signatures live and what one looks like."""

    # Single-file letters: the file that holds the list (the letter text may share it).
    file: str = Field(
        "README.md",
        description="Single-file letters: path of the file that holds the signature list.",
    )
    start_after: str | None = Field(
        None,
        description="The list starts after the first line equal to this marker (e.g. 'Signed,'). "
        "None: the whole file is the list.",
    )
    end_before: str | None = Field(
        None,
        description="The list ends before the first line after the start equal to this marker. "
        "None: the list runs to the end of the file.",
    )
    line: str = Field(
        "- {name} [@{login}](https://github.com/{login})",
        description="Template of one signature line. Fields: {name}, {login}, {affiliation}, {email}, {url} "
        "(an http(s) address or a mailto: link), {commit}, {text}, {verified}; {? ...} marks an optional part. "
        "{verified} is the verified_marker, which "
        "undersigned writes itself on a line whose affiliation it verified: it must stand in an optional part of "
        "its own, e.g. '- {name}{?, {affiliation}}{? {verified}}'. It needs {name} or {login}: without {login} (or "
        "when an optional login is left out) undersigned binds the line to the PR author's account in the "
        "ledger. The first token is the bullet: '-', '*' or 'N.' (any number); a template starting with '|' "
        "is a markdown table row. Runs of spaces match one or more spaces.",
    )
    verified_marker: str = Field(
        "✓",
        max_length=20,
        description="What the template field {verified} renders on a line whose affiliation undersigned verified "
        "(see verify_affiliation), e.g. '✓' or '(verified)'. Signers never write it: undersigned adds it when it "
        "lands a verified line and removes it when a re-check drops the mark; one a signer typed in its place is "
        "left out (with a note), and one typed anywhere else in the line is refused. Choose a symbol no name or "
        "affiliation holds.",
    )
    line_variants: list[str] = Field(
        [],
        description="Other shapes a line may have (e.g. '- @{login} <{email}>'): of the shapes that read a line, "
        "the one binding the most fields wins, then the one with the most fixed text, then the first; "
        "suggestions always use 'line'.",
    )
    pattern: str | None = Field(
        None,
        description="Escape hatch: a Python regex with named groups 'name' and 'login' "
        "(optionally 'affiliation') that a whole line must match. Overrides 'line' for parsing; "
        "'line' is still used to render suggestions. RISK: a regex that backtracks can take exponential time on a "
        "hostile line; undersigned stops such an evaluation after UNDERSIGNED_EVAL_BUDGET seconds and refuses "
        "the PR (too-slow). 'line' templates always read in linear time.",
    )
    order: Literal["append", "sorted", "any"] = Field(
        "append",
        description="append: new lines go at the end; sorted: the list is kept sorted by sort_key; any: no rule.",
    )
    sort_key: Literal["name", "surname", "login"] = Field(
        "surname",
        description="With order: sorted, what the list is sorted by (case-insensitive, accents "
        "folded, locale-independent). surname: the last word of the name.",
    )
    # One-file-per-signer letters (rms-support-letter style).
    directory: str | None = Field(
        None,
        description="One-file-per-signer letters: the folder holding one file per signer. "
        "Setting it switches the letter to that mode and 'file' is ignored.",
    )
    filename: str = Field(
        "{login}.yaml",
        description="One-file-per-signer letters: the file name. {login}: the signer's login; {slug}: the "
        "name in lower case with hyphens (ada-lovelace); {id}: any letters, digits, '-' or '_', and dots but "
        "not first or last (Kim_E._Lee, Zoë_Tölva; never a name a case-insensitive file system reads otherwise). "
        "An optional extension is written {?.txt}. Without {login} the file is bound to the author in the ledger.",
    )
    fields: dict[str, str] | None = Field(
        None,
        description="One-file-per-signer letters: the file is YAML with these required keys, each value a "
        "template over the line fields. E.g. {name: '{name}', link: 'https://github.com/{login}'}.",
    )
    optional_fields: dict[str, str] = Field(
        {},
        description="One-file-per-signer letters: keys the YAML may have, each value a template.",
    )
    forbidden_keys: list[str] = Field(
        [], description="One-file-per-signer letters: keys the YAML must not have, even with unknown_keys: allow."
    )
    unknown_keys: Literal["reject", "allow"] = Field(
        "reject",
        description="One-file-per-signer letters: what to do with a key that is in neither 'fields' nor "
        "'optional_fields': reject the file, or allow it (its value must still be plain text). Not with "
        "front_matter. RISK of allow: whatever reads the files sees keys nobody reviewed; list the keys you "
        "want in 'optional_fields' instead.",
    )
    front_matter: bool = Field(
        False,
        description="One-file-per-signer letters: the YAML is front matter between two '---' lines, and "
        "any text may follow it (Jekyll and Hugo pages).",
    )
    body: Literal["none", "text"] = Field(
        "none",
        description="One-file-per-signer letters with front_matter: what may follow the front matter. none: "
        "nothing; text: plain text (each line checked like a free field: no markup, no control characters). "
        "The text is published as the signer wrote it.",
    )
    content: str | None = Field(
        None,
        description="One-file-per-signer letters: the file is text matching this template "
        "(used when 'fields' is not set).",
    )
    ledger: str = Field(
        ".github/undersigned-ledger.tsv",
        description="The file where undersigned records which GitHub account owns each line or file it "
        "lands, in the same commit as the signature. Used when a signature need not carry a login.",
    )
    # Several lists in one file, or several folders, each with its own shape (issue 23).
    lists: list[ListConfig] = Field(
        [],
        description="Several lists in 'file' (organisations and people, original and additional signers), each "
        "with its own markers, line template and order; a signer signs in one list, and the list is named in "
        "messages and in the ledger. When set, 'start_after', 'end_before', 'line', 'line_variants', 'order' "
        "and 'sort_key' are ignored. Empty: the one list those keys describe.",
    )
    folders: list[FolderConfig] = Field(
        [],
        description="Several folders of one file per signer (_data/orgs beside _data/people), each inside "
        "'directory' with its own 'filename' and 'fields' or 'content'; the other keys are shared. When set, "
        "the letter's own 'filename', 'fields', 'optional_fields' and 'content' are ignored. Empty: one folder.",
    )

    @model_validator(mode="after")
    def _templates_compile(self) -> LetterConfig:
        try:
            marker = self.verified_marker
            Template(self.line, pattern=self.pattern, variants=tuple(self.line_variants), marker=marker)
            if self.directory is not None:
                Template(self.filename, bullet=False, any_of=FILE_NAME_FIELDS)
                for value in (*(self.fields or {}).values(), *self.optional_fields.values()):
                    Template(value, bullet=False)
                if self.content:
                    Template(self.content, bullet=False)
        except TemplateError as exc:
            raise ValueError(str(exc)) from None
        return self

    @model_validator(mode="after")
    def _one_shape(self) -> LetterConfig:
        if self.directory is not None and self.fields is None and self.content is None and not self.folders:
            raise ValueError("a 'directory' letter needs either 'fields' or 'content'")
        if self.directory is not None and self.ledger.startswith(self.directory.rstrip("/") + "/"):
            raise ValueError("'ledger' must be outside 'directory'")
        if self.front_matter and self.unknown_keys == "allow":
            raise ValueError(
                "'unknown_keys: allow' cannot be used with 'front_matter: true': site generators obey front-matter "
                "keys such as permalink, layout and redirect_to, so a signer could move or replace a page. List "
                "the keys signers may add in 'optional_fields'"
            )
        if self.directory is None and self.ledger == self.file:
            raise ValueError("'ledger' must be another file than 'file'")
        return self

    @model_validator(mode="after")
    def _parts_valid(self) -> LetterConfig:
        # Each part must be a valid letter of its own (templates compile, its shape is whole).
        names = [p.name.casefold() for p in (*self.lists, *self.folders)]
        if len(set(names)) < len(names):
            raise ValueError("two lists or folders have the same 'name'")
        if self.lists and self.directory is not None:
            raise ValueError("'lists' is for a single-file letter; with 'directory', use 'folders'")
        if any(part.end_before is None for part in self.lists[:-1]):
            # Lists never overlap: each ends before the next starts, in the order of the file.
            raise ValueError("every list but the last needs 'end_before' (list them in the order of the file)")
        if self.folders and self.directory is None:
            raise ValueError("'folders' needs 'directory': the folder that holds them all")
        root = (self.directory or "").rstrip("/") + "/"
        dirs = [f.directory.rstrip("/") + "/" for f in self.folders]
        for i, here in enumerate(dirs):
            if not here.startswith(root) or here == root:
                raise ValueError(f"the folder '{here.rstrip('/')}' must be inside '{root.rstrip('/')}'")
            if any(j != i and here.startswith(other) for j, other in enumerate(dirs)):
                raise ValueError(f"the folder '{here.rstrip('/')}' is inside another of the letter's folders")
        base = self.model_dump(exclude={"lists", "folders"})
        for part in (*self.lists, *self.folders):
            update = part.model_dump(exclude={"name", "signers"})
            try:
                LetterConfig.model_validate({**base, **update})
            except ValueError as exc:
                raise ValueError(f"in '{part.name}': {exc}") from None
        return self


class SignerRules(_Strict):
    """Who may sign, and how."""

    author_must_match: bool = Field(
        True, description="The PR author must be the person signing (logins compared case-insensitively)."
    )
    trusted: list[str] = Field(
        [],
        description="Logins (maintainers) that may add, edit or remove lines for other people.",
    )
    max_signatures_per_pr: int = Field(
        1, ge=1, description="At most this many signatures in one PR (trusted logins are exempt)."
    )
    allow_withdraw: bool = Field(True, description="A signer may remove their own line.")
    allow_amend: bool = Field(True, description="A signer may change their own line.")
    blocked: list[str] = Field([], description="Logins that may not sign.")
    allow_bots: bool = Field(False, description="Accept PRs from bot accounts.")
    min_account_age_days: int = Field(0, ge=0, description="Refuse accounts younger than this many days (0: no limit).")
    max_name_length: int = Field(100, ge=1, description="Longest name accepted, in characters.")
    # Bounds checked before anything a signer wrote is parsed: one PR cannot make unbounded work.
    max_line_length: int = Field(
        1000, ge=80, le=10_000, description="Longest line a PR may add to the letter, in characters."
    )
    max_file_bytes: int = Field(
        8192, ge=256, le=65_536, description="One-file-per-signer letters: largest signature file, in bytes."
    )
    max_changed_files: int = Field(
        100,
        ge=1,
        le=299,  # GitHub's compare API lists at most 300 files: more is never read completely
        description="Most files one PR may change; a PR changing more is refused before any file is read.",
    )
    allow_characters: str = Field(
        "",
        pattern=r"^[\[\]<>&`]*$",
        description="Characters among [ ] < > & ` that signers may write in names, affiliations and other free "
        "fields (all are refused by default). RISK: [ ] make links and images, < > make HTML (scripts, "
        "tracking pixels, comments that hide the rest of the letter), & makes entities that slip past filters "
        "(https&#58;//), ` makes code spans. '&' alone is the mildest (company names such as AT&T); the "
        "sequences ![, ]( and <!-- stay refused whatever this says.",
    )
    max_links_in_text: int = Field(
        1,
        ge=0,
        le=10,
        description="Most web or email addresses a {text} field may hold (a free line 'It can be anything': a "
        "name, with an optional link or email). Only bare addresses count and pass: markdown links and HTML "
        "stay refused.",
    )


class MergeConfig(_Strict):
    """How valid signatures land."""

    enabled: bool = Field(True, description="Land valid PRs automatically.")
    method: Literal["merge", "squash", "rebase"] = Field(
        "merge",
        description="Ignored, kept so existing configs stay valid: undersigned lands with its own merge commit "
        "(the tip plus the validated changes, the PR heads as parents), never GitHub's merge endpoint.",
    )
    fix_placement: bool = Field(
        True,
        description="Move a line to its correct place (e.g. sorted order) when landing, instead "
        "of failing the signer with wrong-position.",
    )
    close_invalid_after_days: int | None = Field(
        None, ge=1, description="Close PRs that stayed invalid this many days (None: never)."
    )


LabelRole = Literal["valid", "invalid", "landed"]
# A domain as GitHub stores an email's: lower-case ASCII labels; "*." in front opts its subdomains in.
_DOMAIN = r"^(\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
_ORG = r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$"  # a GitHub organization's login


class AffiliationRule(_Strict):
    """How one affiliation (e.g. Mozilla) is verified: where its people have work addresses, and its organizations."""

    # Exact domains; "*.mit.edu" also accepts every subdomain of mit.edu (and mit.edu itself).
    domains: list[str] = Field(
        [],
        description="Email domains of the affiliation, matched exactly (mozilla.org never matches mozi11a.org "
        "nor mozilla.org.evil.com). '*.mit.edu' opts into subdomains (csail.mit.edu) and mit.edu itself.",
    )
    # GitHub organizations whose public members belong to the affiliation (private members are never probed).
    orgs: list[str] = Field(
        [],
        description="GitHub organizations (logins) whose public members are verified for this affiliation.",
    )

    @model_validator(mode="after")
    def _well_formed(self) -> AffiliationRule:
        bad = [d for d in self.domains if not re.match(_DOMAIN, d)] + [o for o in self.orgs if not re.match(_ORG, o)]
        if bad:
            raise ValueError(f"not a lower-case domain or an organization login: {', '.join(bad)}")
        if not self.domains and not self.orgs:
            raise ValueError("an affiliation needs 'domains' or 'orgs' to be verified by")
        return self


class ReportConfig(_Strict):
    """How undersigned talks on the PR."""

    comment: bool = Field(True, description="Post (and edit in place) one comment on the PR.")
    labels: dict[LabelRole, str | None] = Field(
        {"valid": None, "invalid": None, "landed": None},
        description="Labels kept in sync with the verdict: keys 'valid', 'invalid', 'landed'; "
        "a null value means no label. All off by default: every label is one more rate-limited "
        "write per signer, and the check run and the comment already say it (e.g. invalid: needs-changes).",
    )
    thank_you: bool = Field(
        True,
        description="When a signature lands, say so on its PR: a short comment with the landing commit and the "
        "letter's link (one more write per signer; false: the merged PR says it alone).",
    )


class PublishConfig(_Strict):
    """A copy of the signature list written into the repository, for a site with no server (GitHub Pages)."""

    path: str = Field(
        "_data/signatures.json",
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_./-]{0,199}\.json$",
        description="Where undersigned writes the signatures as JSON (name, login, affiliation, landing date) "
        "in every commit that lands or removes one; Jekyll reads _data/signatures.json as site.data.signatures.",
    )


class Config(_Strict):
    """`.github/undersigned.yml`, version 1."""

    version: Literal[1] = Field(1, description="Schema version of this file.")
    # Where the list is and what one line looks like.
    letter: LetterConfig = Field(default_factory=LetterConfig)
    # Who may sign, and how.
    signers: SignerRules = Field(default_factory=SignerRules)
    # How valid signatures land.
    merge: MergeConfig = Field(default_factory=MergeConfig)
    # How undersigned talks on the PR.
    report: ReportConfig = Field(default_factory=ReportConfig)
    frozen: bool = Field(False, description="The letter is closed: no signature is accepted.")
    publish: PublishConfig | None = Field(
        None,
        description="Write the signatures as JSON into the repository with each landing (e.g. {path: "
        "_data/signatures.json}); public repositories only matter here: the file is as public as the repo. "
        "None: nothing is written.",
    )
    signing_page: bool = Field(
        False,
        description="Offer the 'Sign with GitHub' page at /sign/{owner}/{repo}: people who do not use git sign "
        "there, and undersigned opens the pull request as them.",
    )
    # Affiliations whose signatures undersigned verifies, by the name signers write (any other stays free text).
    affiliations: dict[str, AffiliationRule] = Field(
        {},
        description="Affiliations undersigned verifies, keyed by the name a signer writes (compared ignoring case "
        "and repeated spaces; 'Mozilla Corp.' is not 'Mozilla'). E.g. {Mozilla: {domains: [mozilla.org], orgs: "
        "[mozilla]}}. Affiliations not listed stay free text and are never marked verified.",
    )
    # What a listed affiliation that cannot be verified does to the signature.
    verify_affiliation: Literal["off", "mark", "require"] = Field(
        "off",
        description="off: no verification; mark: verified affiliations get a mark, unverified ones land "
        "without it (the PR comment says how to verify); require: a listed affiliation that cannot be "
        "verified is refused, saying how to verify it.",
    )
    # Where the marks are recorded (method, domain or org matched, date), in the commit that lands the signature.
    verified_ledger: str = Field(
        ".github/undersigned-verified.tsv",
        description="The file recording each verified affiliation: account id, login, affiliation, method "
        "(org, commit, email, maintainer), the domain or organization matched, and the date. Never an email "
        "address.",
    )

    @field_validator("verify_affiliation", mode="before")
    @classmethod
    def _off_unquoted(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted `off` (or `no`) as false: it means the policy named off.
        return "off" if value is False else value

    @model_validator(mode="after")
    def _publish_elsewhere(self) -> Config:
        if self.publish is not None:
            taken = {self.letter.file, self.letter.ledger, self.verified_ledger, CONFIG_PATH}
            inside = self.letter.directory is not None and self.publish.path.startswith(
                self.letter.directory.rstrip("/") + "/"
            )
            if self.publish.path in taken or inside or ".." in self.publish.path.split("/"):
                raise ValueError("'publish.path' must be a file of its own, outside the letter and the ledger")
        return self
