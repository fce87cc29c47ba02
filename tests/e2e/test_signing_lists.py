"""The signing page on a letter of two lists (issue 23): a person signs for themself in the people's list."""

from __future__ import annotations

import html
from pathlib import Path

import httpx

from tests.e2e.test_signing_http import csrf_of, http_sign_in, page_service
from tests.github_sim import Simulator
from tests.service import settle

REPO = "maintainer/microsoft-drop-ice"
# The organisations-and-people shape of tests/rules/shapes_new.py (LISTS), with the page on.
CONFIG = (
    "version: 1\nletter:\n  file: README.md\n  lists:\n"
    "    - name: Organisations\n      start_after: '## Organisations'\n      end_before: '## People'\n"
    "      line: '- {name}{? ({url})}'\n      order: sorted\n      sort_key: name\n      signers: organisations\n"
    "    - name: People\n      start_after: '## People'\n      line: '- {name} [@{login}](https://github.com/{login})'\n"
    "signing_page: true\n"
)
BASE = "# We object\n\n## Organisations\n\n- Acme\n\n## People\n\n- Cy Pre [@cy](https://github.com/cy)\n"
ADA = "- Ada Lovelace [@ada](https://github.com/ada)"


def test_a_person_signs_in_the_people_list_and_it_lands_there(sim: Simulator, tmp_path: Path) -> None:
    with page_service(sim, tmp_path, CONFIG, BASE) as service, httpx.Client(base_url=service.base) as http:
        page = http_sign_in(http, REPO, "ada")
        assert "2</strong> people have signed" in page.text  # Acme and Cy, one in each list
        form = {"csrf": csrf_of(page), "action": "sign", "name": "Ada Lovelace"}
        preview = http.post(f"/sign/{REPO}", data={**form, "step": "preview"})
        assert ADA in html.unescape(preview.text)
        sent = http.post(f"/sign/{REPO}", data={**form, "step": "send"})
        assert sent.status_code == 303 and "/pr/1" in sent.headers["location"], html.unescape(sent.text)
        settle(sim, service)
        status = http.get(f"{sent.headers['location']}.json").json()
        assert status["checked"] == "success" and status["landed"]
        found = sim.world.repo(REPO).git.read_path("refs/heads/main", "README.md")
        assert found is not None and found[1].decode() == BASE + ADA + "\n"
        again = http.get(f"/sign/{REPO}")
        assert "Withdraw my signature" in again.text
        gone = http.post(f"/sign/{REPO}", data={"csrf": csrf_of(again), "action": "withdraw", "step": "send"})
        assert gone.status_code == 303, html.unescape(gone.text)
        settle(sim, service)
        found = sim.world.repo(REPO).git.read_path("refs/heads/main", "README.md")
        assert found is not None and found[1].decode() == BASE
