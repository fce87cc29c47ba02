"""Shapes of check suites and check runs, as REST answers them and as webhooks carry them."""

from __future__ import annotations

from typing import Any

from tests.github_sim.models import CheckRun, CheckSuite, Repository
from tests.github_sim.shapes_base import JSON, BaseShapes, iso, stamp


class CheckShapes(BaseShapes):
    def run_pulls(self, repo: Repository, sha: str) -> list[JSON]:
        """pull-request-minimal: PRs with this head in this repository. As on GitHub, fork PRs are not listed."""

        def ref(repository: Repository, branch: str, at: str) -> JSON:
            url = f"{self.api}/repos/{repository.full_name}"
            return {"ref": branch, "sha": at, "repo": {"id": repository.id, "url": url, "name": repository.name}}

        return [
            {
                "id": pr.id,
                "number": pr.number,
                "url": f"{self.api}/repos/{pr.repo.full_name}/pulls/{pr.number}",
                "head": ref(pr.head_repo, pr.head_ref, pr.head_sha),
                "base": ref(pr.repo, pr.base_ref, pr.base_sha),
            }
            for pr in self.world.pulls.values()
            if pr.repo is repo and pr.head_sha == sha and pr.head_repo is pr.repo
        ]

    def check_suite(self, suite: CheckSuite, *, webhook: bool = False) -> JSON:
        runs = [r for r in self.world.check_runs.values() if r.suite is suite]
        url = f"{self.api}/repos/{suite.repo.full_name}/check-suites/{suite.id}"
        info: Any = suite.repo.git.commit_info(suite.head_sha)
        out: JSON = {
            "id": suite.id,
            "node_id": f"CS_{suite.id}",
            "head_branch": suite.head_branch,
            "head_sha": suite.head_sha,
            "status": suite.status(runs),
            "conclusion": suite.conclusion(runs),
            "url": url,
            "before": suite.before,
            "after": suite.head_sha,
            "pull_requests": self.run_pulls(suite.repo, suite.head_sha),
            "app": self.app(suite.app),
            "created_at": stamp(suite.created_at),
            "updated_at": stamp(suite.updated_at),
            "latest_check_runs_count": len(runs),
            "check_runs_url": f"{url}/check-runs",
            "head_commit": {
                "id": suite.head_sha,
                "tree_id": info["tree"],
                "message": info["message"],
                "timestamp": stamp(info["committer"]["date"]),
                "author": {"name": info["author"]["name"], "email": info["author"]["email"]},
                "committer": {"name": info["committer"]["name"], "email": info["committer"]["email"]},
            },
        }
        if not webhook:
            out.update(repository=self.repo(suite.repo), rerequestable=True, runs_rerequestable=True)
        return out

    def check_run(self, run: CheckRun, *, webhook: bool = False) -> JSON:
        url = f"{self.api}/repos/{run.repo.full_name}/check-runs/{run.id}"
        suite = run.suite
        brief: JSON = {"id": suite.id}
        if webhook:  # deliveries carry the suite in full, less its commit, repository and counts
            brief = self.check_suite(suite, webhook=True)
            for key in ("latest_check_runs_count", "check_runs_url", "head_commit"):
                del brief[key]
        out: JSON = {
            "id": run.id,
            "head_sha": run.head_sha,
            "node_id": f"CR_{run.id}",
            "external_id": run.external_id or "",
            "url": url,
            "html_url": f"{self.api}/{run.repo.full_name}/runs/{run.id}",
            "details_url": run.details_url or f"{self.api}/apps/{run.app.slug}",
            "status": run.status,
            "conclusion": run.conclusion,
            "started_at": stamp(run.started_at),
            "completed_at": iso(run.completed_at),
            "output": {
                **run.output,
                "annotations_count": len(run.annotations),
                "annotations_url": f"{url}/annotations",
            },
            "name": run.name,
            "check_suite": brief,
            "app": self.app(run.app),
            "pull_requests": self.run_pulls(run.repo, run.head_sha),
        }
        return out
