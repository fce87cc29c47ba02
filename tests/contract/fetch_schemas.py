"""Fetch GitHub's published descriptions (pinned npm packages) into .cache/schemas: python -m tests.contract.fetch_schemas.

Runs `npm pack` for each pinned package, checks its sha512 integrity against the pin below, and keeps only the
files the contract checks read. Idempotent: a package already unpacked is left alone."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("UNDERSIGNED_SCHEMAS", ROOT / ".cache" / "schemas"))

# name, version, sha512 integrity as the registry publishes it, files kept (paths inside the tarball's package/)
PACKAGES: list[tuple[str, str, str, list[str]]] = [
    (
        "@octokit/openapi",
        "23.0.2",
        "sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==",
        # GitHub Enterprise Server's description: the /admin routes (users, renames, impersonation tokens).
        ["generated/api.github.com.json", "generated/ghes-3.19.json"],
    ),
    (
        "@octokit/webhooks-schemas",
        "7.6.1",
        "sha512-qW0Bwtb76r4m2WzVhKDyfEeEnt1GEQoRjkCqmq2ZeB0nNVDJ+Z2LBDS9FDPyduuMXf/ZTWiCJp9PFFHgRfBe3A==",
        ["schema.json"],
    ),
    (
        "@octokit/webhooks-examples",
        "7.6.1",
        "sha512-De6U3XB6O3DtCa7bKgCMzTHdeopqqZ6SNivMYJnK65ierKL1AnNIA0tkRYCRS7lwGT792d+Ps1WbfHlso6MynQ==",
        ["api.github.com/index.json"],
    ),
    (
        # GitHub's GraphQL schema (SDL): the queries the service sends and the simulator's answers are checked on it.
        "@octokit/graphql-schema",
        "15.26.1",
        "sha512-RFDC2MpRBd4AxSRvUeBIVeBU7ojN/SxDfALUd7iVYOSeEK3gZaqR2MGOysj4Zh2xj2RY5fQAUT+Oqq7hWTraMA==",
        ["schema.graphql"],
    ),
]


class FetchError(RuntimeError):
    """The schemas could not be fetched: the message says why."""


def folder(name: str, version: str) -> Path:
    return CACHE / f"{name.replace('/', '__')}@{version}"


def path(name: str, file: str) -> Path:
    """Where a pinned package's file lies once fetched."""
    for pkg, version, _, _ in PACKAGES:
        if pkg == name:
            return folder(pkg, version) / file
    raise KeyError(name)


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch_one(name: str, version: str, integrity: str, files: list[str]) -> None:
    target = folder(name, version)
    if all((target / f).is_file() for f in files):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError("npm is needed to fetch GitHub's published schemas (apt-get install npm)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", "--silent", f"{name}@{version}"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        tarball = next(Path(tmp).glob("*.tgz"))
        if _integrity(tarball.read_bytes()) != integrity:
            raise FetchError(f"{name}@{version}: the tarball does not match the pinned integrity")
        partial = Path(tempfile.mkdtemp(dir=CACHE, prefix=".partial-"))
        with tarfile.open(tarball) as tar:
            for f in files:
                member = tar.extractfile(f"package/{f}")
                if member is None:
                    raise FetchError(f"{name}@{version} has no {f}")
                out = partial / f
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(member.read())
        shutil.rmtree(target, ignore_errors=True)
        try:
            partial.rename(target)  # whole or nothing: a stopped fetch leaves no half package behind
        except OSError:  # another process fetched it meanwhile
            shutil.rmtree(partial, ignore_errors=True)
            if not all((target / f).is_file() for f in files):
                raise


def fetch() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    for name, version, integrity, files in PACKAGES:
        fetch_one(name, version, integrity, files)


if __name__ == "__main__":
    try:
        fetch()
    except (FetchError, subprocess.CalledProcessError) as err:
        sys.exit(f"could not fetch GitHub's schemas: {err}")
    print(f"GitHub's schemas are in {CACHE}", file=sys.stderr)
