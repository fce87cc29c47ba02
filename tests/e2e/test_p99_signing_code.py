"""The signing page shows a refusal's `code` spans as <code>, and nothing a signer wrote as markup."""

from __future__ import annotations

import re

import httpx

from tests.e2e.conftest import World
from tests.e2e.test_signing_http import REPO, csrf_of, http_sign_in


def test_the_signing_page_shows_a_refusal_with_code_not_backticks(signing_world: World) -> None:
    _, _, service = signing_world
    with httpx.Client(base_url=service.base) as http:
        page = http_sign_in(http, REPO, "ada")
        form = {"csrf": csrf_of(page), "action": "sign", "name": "Ada <b>Lovelace</b>", "step": "preview"}
        preview = http.post(f"/sign/{REPO}", data=form)
        [problems] = re.findall(r'<div class="notice problems".*?</div>', preview.text, re.DOTALL)
        assert "<code>&lt;</code>" in problems and "<code>`</code>" in problems
        assert "`" not in problems.replace("<code>`</code>", "") and "<b>" not in preview.text
