"""The demo world: the seed letter in a repo, the App installed on it, a maintainer and signers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from tests.github_sim.keys import app_key
from tests.github_sim.models import App, Installation, Repository, User
from tests.github_sim.server import Simulator
from tests.github_sim.world import World

SEED_LETTER = Path(__file__).resolve().parents[3] / "shared" / "letters" / "microsoft-drop-ice.md"
DEMO_CONFIG = """# undersigned checks and lands signature PRs on this letter.
version: 1
letter:
  file: README.md
  start_after: "Signed,"
  line: "-  {name} [@{login}](https://github.com/{login})"
  order: append
signing_page: true
"""
SIGNER_NAMES = ["ada", "grace", "linus", "margaret", "alan", "barbara", "dennis", "frances", "ken", "radia"]


@dataclass
class Demo:
    world: World
    app: App
    private_key: str
    installation: Installation
    repo: Repository
    maintainer: User
    signers: list[User]

    def description(self, sim: Simulator, key_path: Path) -> dict[str, Any]:
        users = {u.login: u.token for u in [self.maintainer, *self.signers]}
        client_id, client_secret = sim.oauth.credentials(self.app)  # for UNDERSIGNED_CLIENT_ID / _SECRET
        return {
            "base_url": sim.base_url,
            "app_id": self.app.id,
            "private_key_path": str(key_path),
            "installation_id": self.installation.id,
            "repo": self.repo.full_name,
            "users": users,
            "maintainer": self.maintainer.login,
            "signers": [s.login for s in self.signers],
            "client_id": client_id,
            "client_secret": client_secret,
            "sign_path": f"/sign/{self.repo.full_name}",  # the signing page, on the service's own address
            "sign_url": urljoin(self.app.webhook_url, f"/sign/{self.repo.full_name}") if self.app.webhook_url else None,
        }


def seed_demo(
    world: World,
    signers: int = 3,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    letter: str | None = None,
    config: str = DEMO_CONFIG,
) -> Demo:
    maintainer = world.add_user("maintainer", name="Letter Maintainer")
    people = [world.add_user(SIGNER_NAMES[i] if i < len(SIGNER_NAMES) else f"signer{i + 1}") for i in range(signers)]
    text = letter if letter is not None else SEED_LETTER.read_text(encoding="utf-8")
    files = {"README.md": text.encode(), ".github/undersigned.yml": config.encode()}
    repo = world.create_repo(maintainer, "microsoft-drop-ice", files)
    private, public = app_key()
    app = world.add_app("undersigned", maintainer, public, webhook_url, webhook_secret)
    installation = world.install(app, maintainer, [repo.full_name])
    return Demo(world, app, private, installation, repo, maintainer, people)
