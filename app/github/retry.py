"""PyGithub's transport retries: reads, and writes a rate limit refused; never a write that may have been made.

PyGithub's GithubRetry resends POST (and PUT, DELETE) after a 5xx or a read timeout too. A write GitHub did
make before failing or answering late would then be made twice, and the second is one the content budget
never counted: launch day's writes go past GitHub's 500 an hour unseen. So a write is resent only when a rate
limit refused it (403 or 429: not made, and GithubRetry waits as the answer says); after a 5xx or a timeout it
fails its job, which runs again (its effects idempotent: app.review.report finds what the first attempt made)
and pays the budget again. GraphQL queries are POSTs too: app.github.graphql retries them itself.
https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#timeouts
"""

from __future__ import annotations

from github import GithubRetry

READS = frozenset({"GET", "HEAD", "OPTIONS"})  # safe to send again: they change nothing
REFUSED = frozenset({403, 429})  # a rate limit (GithubRetry checks the answer says so): the write was not made


class WriteOnceRetry(GithubRetry):
    """GithubRetry for reads; for writes, only past a rate limit's refusal."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() not in READS and status_code in REFUSED:
            return bool(self.total)  # GithubRetry.increment raises for a 403 that is not a rate limit
        return bool(super().is_retry(method, status_code, has_retry_after))


def write_once_retry(total: int, backoff: float, secondary_wait: float, max_wait: float | None = None) -> GithubRetry:
    """The client's retries (`total` times, `backoff` seconds growing exponentially): see the module."""
    return WriteOnceRetry(
        total=total,
        backoff_factor=backoff,
        secondary_rate_wait=secondary_wait,
        max_rate_limit_wait=max_wait,
        allowed_methods=READS,
    )
