"""Two notices of the setup pages: webhooks cannot reach a local address (use a relay), and what to do next."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from app.web.pages import e
from config import CONFIG_PATH
from config.resolve import STARTER

SMEE = "https://smee.io/new"  # the webhook relay Probot's docs start with: https://probot.github.io/docs/development/


def unreachable(url: str) -> bool:
    """Whether GitHub cannot reach this URL: localhost, a loopback or a private address."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


def relay_notice(url: str, webhook_path: str) -> str:
    """Said before the operator goes to GitHub, when the public URL is one GitHub cannot deliver webhooks to."""
    target = e(url.rstrip("/") + webhook_path)
    return (
        f'<div class="wait" id="relay"><p>GitHub cannot deliver webhooks to <code>{e(url)}</code>: only this '
        "machine reaches it. On a laptop, relay them:</p><ol>"
        f'<li>open <a href="{SMEE}">smee.io/new</a> and copy the channel URL it gives;</li>'
        f"<li>run <code>npx smee-client --url CHANNEL_URL --target {target}</code>;</li>"
        "<li>create the App here, then in its settings on GitHub set the webhook URL to the channel URL.</li>"
        "</ol><p>On a server, give the address the internet reaches it at instead.</p></div>"
    )


def next_steps() -> str:
    """What a maintainer does once the App is installed: the letter's config, with a minimal example."""
    return (
        f'<h2 id="next">Next: tell undersigned where the signatures are</h2><p>Add <code>{CONFIG_PATH}</code> '
        "to the letter's default branch, for example:</p>"
        f"<pre>{e(STARTER)}</pre><p>Check it first with <code>undersigned lint</code> in a clone of the "
        "repository. From then on, every signature pull request is checked and landed; the status page lists "
        "the letter.</p>"
    )
