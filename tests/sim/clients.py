"""Clients for the simulator tests: PyGithub as the App and as its installation, and a signer."""

from __future__ import annotations

from github import Auth, Github, GithubIntegration

from tests.github_sim import Demo, Simulator, person

LINE = "-  {name} [@{login}](https://github.com/{login})"


def integration(sim: Simulator, demo: Demo) -> GithubIntegration:
    return GithubIntegration(auth=Auth.AppAuth(demo.app.id, demo.private_key), base_url=sim.base_url)


def installation_client(sim: Simulator, demo: Demo) -> Github:
    auth = Auth.AppAuth(demo.app.id, demo.private_key).get_installation_auth(demo.installation.id)
    return Github(auth=auth, base_url=sim.base_url, seconds_between_requests=0, seconds_between_writes=0)


def sign(sim: Simulator, demo: Demo, login: str) -> dict[str, object]:
    return person(sim, login).sign(demo.repo.full_name, "README.md", LINE.format(name=login.title(), login=login))
