"""The App's JWTs, signed with its private key parsed once.

PyGithub hands PyJWT the key's PEM text for every JWT, and PyJWT parses it each time: cryptography checks
the RSA key as it loads it, about 50-150 ms holding the GIL, and every other thread of the process, webhook
intake included, waits meanwhile (a profile of `undersigned serve` under load: 97% of the workers' GIL time).
Parsed once, a JWT is one RS256 signature (about 1 ms).
"""

from __future__ import annotations

from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from github import Consts


class KeySigner:
    """A PyGithub `sign_func` (github.Auth.AppAuth): the JWT for a payload, with the key loaded at start."""

    def __init__(self, pem: str) -> None:
        loaded = load_pem_private_key(pem.strip().encode(), password=None)
        # GitHub Apps' keys are RSA (RS256); another kind is left to PyJWT, which says what is wrong with it.
        self.key: RSAPrivateKey | str = loaded if isinstance(loaded, RSAPrivateKey) else pem

    def __call__(self, payload: dict[str, Any]) -> str:
        # https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
        return jwt.encode(payload, self.key, algorithm=Consts.DEFAULT_JWT_ALGORITHM)
