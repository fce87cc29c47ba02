"""Failed webhook deliveries, redelivered once each: GitHub never retries a delivery by itself.

As in GitHub's guide (https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries,
"Automatically redelivering failed deliveries for a GitHub App webhook"): read the App's delivery log back
to where the last pass stopped (at most 3 days, GitHub's limit), and redeliver each GUID that failed and
never succeeded. A 4xx was our deliberate refusal (bad signature, bad payload): it is not sent again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from app.github.api import AppApi
from app.jobs.store import Keys, Store
from app.logs import event

log = logging.getLogger("undersigned.redeliver")
WINDOW = 3 * 86400  # GitHub keeps deliveries redeliverable for 3 days
OVERLAP = 120.0  # read a little before the last pass: deliveries may be logged a bit late


def _when(text: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _failed(item: dict[str, object]) -> bool:
    code = item.get("status_code")
    return not isinstance(code, int) or code == 0 or code >= 500


def redeliver_failed(app: AppApi, store: Store) -> int:
    """One pass; returns how many deliveries were redelivered."""
    now = time.time()
    checked = float(store.get(Keys.deliveries_checked()) or 0)
    since = max(now - WINDOW, checked - OVERLAP)
    ok: set[str] = set()
    failed: dict[str, dict[str, object]] = {}
    for item in app.deliveries():
        if _when(str(item.get("delivered_at") or "")) < since:
            break  # newest first: the rest is older
        guid = str(item.get("guid") or "")
        if not guid:
            continue
        code = item.get("status_code")
        if isinstance(code, int) and 200 <= code < 300:
            ok.add(guid)
        elif _failed(item) and guid not in failed:
            failed[guid] = item  # the newest failed attempt of this GUID
    sent = 0
    for guid, item in failed.items():
        if guid in ok or not store.claim(Keys.redelivered(guid), stale_after=WINDOW + 86400):
            continue
        try:
            app.redeliver(int(str(item["id"])))
            sent += 1
        except Exception:
            store.delete(Keys.redelivered(guid))  # try again at the next pass
            log.warning("redelivery failed", exc_info=True, extra={"fields": {"guid": guid}})
    store.put(Keys.deliveries_checked(), f"{now:.3f}")
    if sent:
        event(log, "redelivered", count=sent)
    return sent
