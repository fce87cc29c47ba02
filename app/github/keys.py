"""Whether the App's private key is a usable PEM key, said in words (for /readyz and the setup page)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from pydantic import SecretStr


def key_problem(key: SecretStr | None) -> str | None:
    """None when `key` is a private key GitHub's JWTs can be signed with; else the reason, without the key."""
    if key is None:
        return "the App's private key is not set"
    return _check(key.get_secret_value())


@lru_cache(maxsize=4)
def _check(text: str) -> str | None:
    if "-----BEGIN" not in text:
        return "the App's private key is not a PEM key (no -----BEGIN line): use the .pem file GitHub gave"
    try:
        load_pem_private_key(text.strip().encode(), password=None)
    except (ValueError, TypeError) as exc:
        reason = str(exc).split("\n")[0].split(". See")[0] or type(exc).__name__
        return f"the App's private key is not a valid PEM private key ({reason})"
    except Exception as exc:  # cryptography raises its own UnsupportedAlgorithm and friends
        return f"the App's private key cannot be loaded ({type(exc).__name__})"
    return None
