"""Every store key in one place (imported without the store, so the intake's feeder process stays small)."""

from __future__ import annotations


class Keys:
    """Every key undersigned keeps in the store, in one place. Repos are lower-cased where GitHub
    treats names case-insensitively; PR numbers and shas are exact."""

    @staticmethod
    def delivery(guid: str) -> str:
        """A webhook delivery already queued (X-GitHub-Delivery stays the same on redelivery)."""
        return f"delivery:{guid}"

    @staticmethod
    def pace_lock(installation_id: int) -> str:
        return f"pace:{installation_id}:lock"

    @staticmethod
    def budget(installation_id: int) -> str:
        """The installation's content budget: its writes of the last hour, the turns of those that wait
        (app.github.budget)."""
        return f"budget:{installation_id}"

    @staticmethod
    def budget_lock(installation_id: int) -> str:
        return f"budget:{installation_id}:lock"

    @staticmethod
    def periodic(name: str) -> str:
        """One process runs each periodic pass: the one that claims this key for the interval."""
        return f"periodic:{name}"

    @staticmethod
    def redelivered(guid: str) -> str:
        """A failed delivery we asked GitHub to redeliver (once each)."""
        return f"redelivered:{guid}"

    @staticmethod
    def deliveries_checked() -> str:
        """Until when the App's delivery log was read (epoch seconds)."""
        return "deliveries-checked"

    @staticmethod
    def check_run(repo: str, sha: str) -> str:
        return f"check:{repo}:{sha}"

    @staticmethod
    def check_intent(repo: str, sha: str) -> str:
        """A check run is being created: if its id was never recorded (a crash), look it up, never re-create."""
        return f"check-intent:{repo}:{sha}"

    @staticmethod
    def check_digest(repo: str, sha: str) -> str:
        return f"check-digest:{repo}:{sha}"

    @staticmethod
    def check_deferred(repo: str, sha: str) -> str:
        """A valid head's check run, held back while it lands (a merged PR needs none)."""
        return f"check-deferred:{repo}:{sha}"

    @staticmethod
    def comment(repo: str, number: int) -> str:
        return f"comment:{repo}:{number}"

    @staticmethod
    def comment_intent(repo: str, number: int) -> str:
        """Our comment is being made on PR `number`: until its id is recorded, a retry looks for it first."""
        return f"comment-intent:{repo}:{number}"

    @staticmethod
    def comment_digest(repo: str, number: int) -> str:
        return f"comment-digest:{repo}:{number}"

    @staticmethod
    def invalid_since(repo: str, number: int) -> str:
        return f"invalid-since:{repo}:{number}"

    @staticmethod
    def apply_failed(repo: str, number: int, sha: str) -> str:
        return f"apply-failed:{repo}:{number}:{sha}"

    @staticmethod
    def review_lock(repo: str, number: int) -> str:
        """One evaluation of a PR at a time: two at once would both create its check run."""
        return f"reviewing:{repo.lower()}:{number}"

    @staticmethod
    def onboard_lock(repo: str) -> str:
        """One onboarding of a repo at a time: two at once would both open the PR."""
        return f"onboarding:{repo.lower()}"

    @staticmethod
    def no_letter(repo: str) -> str:
        """The default branch's commit in which onboarding found no letter: not looked at again until it moves."""
        return f"no-letter:{repo.lower()}"

    @staticmethod
    def landing_lock(repo: str) -> str:
        return f"landing:{repo.lower()}"

    @staticmethod
    def landed_at(repo: str) -> str:
        """When the repo's last landing ended: the next waits `landing_gap` (app.landing.lander)."""
        return f"landed-at:{repo.lower()}"

    @staticmethod
    def ready(repo: str) -> str:
        return f"ready:{repo.lower()}"

    @staticmethod
    def ready_lock(repo: str) -> str:
        return f"ready-lock:{repo.lower()}"

    @staticmethod
    def thanks(repo: str) -> str:
        """The landed PRs' comments not posted yet: they wait for the content budget (app.landing.thanks)."""
        return f"thanks:{repo.lower()}"

    @staticmethod
    def thanks_lock(repo: str) -> str:
        return f"thanks-lock:{repo.lower()}"

    @staticmethod
    def thanks_turn(repo: str) -> str:
        """When the content budget has room for the next owed thank-you (asked no sooner)."""
        return f"thanks-turn:{repo.lower()}"

    @staticmethod
    def config_changed(repo: str) -> str:
        """The last push that changed the repo's config: every process drops its cached config on seeing it."""
        return f"config-changed:{repo.lower()}"

    @staticmethod
    def config_blob(repo: str) -> str:
        """The config's blob sha last checked on a push: a push that did not change it is not checked again."""
        return f"config-blob:{repo.lower()}"

    @staticmethod
    def activity() -> str:
        """The status page's record: the last decisions, signatures landed by day and in total."""
        return "activity"

    @staticmethod
    def pace(installation_id: int) -> str:
        return f"pace:{installation_id}"
