"""The compose drill's network: the bridge's MAC address pinned, so a killed container cannot cut the others off.

Linux gives a bridge whose address was never set the lowest MAC address of its ports, so it changes whenever a
container's veth joins or leaves. The containers' ARP entries for the gateway (the bridge: aardvark-dns, the
host, the simulator) keep the old address; once that port is gone every packet to the gateway is dropped until
the entry expires, 30 to 100 s later. netavark 1.9 sets a fixed address on the bridges it creates
(https://github.com/containers/netavark/pull/833); Debian 12 has netavark 1.4, where killing Redis, a replica or
a worker made the other containers' name lookups and connections to the host time out for up to a minute.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path


def run(command: list[str], env: Mapping[str, str]) -> str:
    done = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"compose drill failed: {' '.join(command)}: {(done.stderr or done.stdout)[-1000:]}")
    return done.stdout.strip()


def bridge_of(network: str, env: Mapping[str, str]) -> str:
    """The network's bridge interface on this host ('' where podman is rootless: it lives in podman's netns)."""
    name = run(["podman", "network", "inspect", network, "--format", "{{.NetworkInterface}}"], env)
    return name if os.geteuid() == 0 and Path(f"/sys/class/net/{name}").exists() else ""


def mac_of(bridge: str) -> str:
    return Path(f"/sys/class/net/{bridge}/address").read_text().strip()


def pin(network: str, containers: list[str], env: Mapping[str, str]) -> tuple[str, str]:
    """Sets the bridge's own address as its fixed address (the kernel then keeps it, whatever ports come and
    go), and empties the containers' ARP caches, which may name a port's address learned before. Returns the
    bridge and its address, ('', '') where the bridge is not on this host's network (rootless podman)."""
    bridge = bridge_of(network, env)
    if not bridge:
        return "", ""
    mac = mac_of(bridge)
    run(["ip", "link", "set", "dev", bridge, "address", mac], env)
    for container in containers:
        pid = run(["podman", "inspect", "--format", "{{.State.Pid}}", container], env)
        run(["nsenter", "--target", pid, "--net", "ip", "neigh", "flush", "all"], env)
    return bridge, mac


def gateway_entries(containers: list[str], env: Mapping[str, str]) -> str:
    """Each container's ARP table (for a failure's log: an entry naming an address no port has is the cut)."""
    lines = []
    for container in containers:
        done = subprocess.run(["podman", "exec", container, "cat", "/proc/net/arp"], env=dict(env),
                              capture_output=True, text=True, check=False)  # fmt: skip
        entries = [" ".join(line.split()[::3]) for line in done.stdout.splitlines()[1:]]
        lines.append(f"{container}: {'; '.join(entries) or (done.stderr.strip()[-200:] or 'empty')}")
    return "\n".join(lines)
