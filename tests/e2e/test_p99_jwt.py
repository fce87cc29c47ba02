"""The App's JWTs are signed with its key parsed once: parsing a PEM key costs about 100 ms of GIL per JWT,
which stalled webhook intake while workers fetched tokens (issue 18, intake p99 while PRs are evaluated)."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from app.github.client import GitHubApp
from tests.github_sim import Simulator, seed_demo
from tests.service import settings_for


def test_jwts_do_not_parse_the_key_again_and_github_accepts_them(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = seed_demo(sim.world, signers=0, webhook_secret="e2e-webhook-secret")
    app = GitHubApp(settings_for(sim, demo, tmp_path / "data"))
    parsed: list[bytes] = []

    def counting(data: bytes, password: bytes | None, *args: object, **kwargs: object) -> object:
        if b"PRIVATE KEY" in data:  # the simulator checks our JWTs with the public key, through PyJWT too
            parsed.append(data)
        return load_pem_private_key(data, password)

    monkeypatch.setattr(jwt.algorithms, "load_pem_private_key", counting)  # what PyJWT calls on a PEM text
    assert app.installation_ids() == [demo.installation.id]  # a JWT the simulator checked with the App's key
    token = app.integration.auth.token
    key = load_pem_private_key(demo.private_key.encode(), None)
    claims = jwt.decode(token, key.public_key(), algorithms=["RS256"])  # type: ignore[arg-type]
    assert claims["iss"] == str(demo.app.id)
    assert parsed == []
