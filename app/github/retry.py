"""PyGithub's transport retries, for reads only: a write is sent once for each time the content budget counts it.

PyGithub's GithubRetry resends POST (and PUT, DELETE) after a 5xx, a 403 rate limit or a read timeout. A
write GitHub did process before failing or answering late (a 502 after the comment was made) would then be
made twice, and the second is one the content budget never counted: launch day's writes go past GitHub's
500 an hour unseen. So only reads are resent here; a write that fails fails its job, which runs again (its
effects idempotent: app.review.report finds what the first attempt made) and pays the budget again.
https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#timeouts
"""

from __future__ import annotations

from github import GithubRetry

READS = frozenset({"GET", "HEAD", "OPTIONS"})  # safe to send again: they change nothing


def reads_retry(total: int, backoff: float, secondary_wait: float, max_wait: float | None = None) -> GithubRetry:
    """GithubRetry that resends reads only (`total` times, `backoff` seconds growing exponentially)."""
    return GithubRetry(
        total=total,
        backoff_factor=backoff,
        secondary_rate_wait=secondary_wait,
        max_rate_limit_wait=max_wait,
        allowed_methods=READS,
    )
