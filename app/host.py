"""What kind of Linux the lab stands on: a machine's own kernel, WSL2, or a container.

Every figure the lab shows is the running kernel's. Inside WSL2 that is Microsoft's Linux VM on
Windows; inside a container it is the host's kernel (on a Mac, Docker Desktop's VM), shared with
everything else the host runs. The teacher and the class should know which, so ``ptlab doctor``
and the page say it. Standard library only; the decision is a pure function of recorded text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

HostKind = Literal["linux", "wsl", "container"]

# Root filesystems a container engine gives its containers; a machine's or a VM's own root sits
# on a block device (ext4 on /dev/vda). /.dockerenv alone is not enough: images built with Docker
# and booted as VMs (Firecracker) keep it.
_CONTAINER_ROOT_FS = frozenset({"overlay", "fuse-overlayfs", "aufs", "shiftfs"})
# cgroup paths that container engines create for their containers
_CGROUP_MARKS = (("docker", "docker"), ("kubepods", "kubernetes"), ("libpod", "podman"), ("lxc", "lxc"))
_CGROUP_MARKS += (("containerd", "containerd"), ("buildkit", "docker"))


@dataclass(frozen=True)
class HostTexts:
    """The texts the decision is made from (each empty when unreadable)."""

    osrelease: str = ""
    mountinfo: str = ""
    cgroup: str = ""
    dockerenv: bool = False
    containerenv: bool = False
    systemd_container: str = ""
    container_env: str = ""


@dataclass(frozen=True)
class Host:
    """Where the lab runs: ``kind``, and the engine or system named when known."""

    kind: HostKind
    name: str = ""


def root_fs_type(mountinfo: str) -> str:
    """The filesystem type mounted at ``/`` (the last such line wins), or ""."""
    found = ""
    for line in mountinfo.splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[4] != "/" or " - " not in line:
            continue
        found = line.split(" - ", 1)[1].split()[0]
    return found


def classify(facts: HostTexts) -> Host:
    """Decide the kind of host from its recorded facts (a pure function, tested on real texts)."""
    release = facts.osrelease.lower()
    if "microsoft" in release or "wsl" in release:
        # WSL2 runs a real Linux kernel in a VM; a container inside it is still called WSL, since
        # the kernel is what the figures belong to
        return Host("wsl", "WSL2" if "wsl2" in release or "standard" in release else "WSL")
    if facts.containerenv:
        return Host("container", "podman")
    for marker in (facts.systemd_container, facts.container_env):
        if marker.strip():
            return Host("container", marker.strip())
    for line in facts.cgroup.splitlines():
        path = line.rsplit(":", 1)[-1]
        for needle, engine in _CGROUP_MARKS:
            if needle in path:
                return Host("container", engine)
    if facts.dockerenv and root_fs_type(facts.mountinfo) in _CONTAINER_ROOT_FS:
        return Host("container", "docker")
    return Host("linux")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def _environ_container(path: str) -> str:
    """``container=`` from a process's environment (systemd-nspawn, LXC and podman set it)."""
    try:
        raw = Path(path).read_bytes()
    except OSError:  # PID 1's environment is root's to read
        return ""
    for item in raw.split(b"\0"):
        if item.startswith(b"container="):
            return item.split(b"=", 1)[1].decode(errors="replace")
    return ""


def read_facts() -> HostTexts:
    """Read this machine's facts."""
    return HostTexts(
        osrelease=_read("/proc/sys/kernel/osrelease"),
        mountinfo=_read("/proc/self/mountinfo"),
        cgroup=_read("/proc/self/cgroup"),
        dockerenv=os.path.exists("/.dockerenv"),
        containerenv=os.path.exists("/run/.containerenv"),
        systemd_container=_read("/run/systemd/container"),
        # systemd-nspawn, LXC and podman name it in lower case, in their init's environment
        container_env=os.environ.get("container", "")  # noqa: SIM112
        or _environ_container("/proc/1/environ"),
    )


def this_host() -> Host:
    """Where this lab runs."""
    return classify(read_facts())


def describe(host: Host, release: str) -> str:
    """Plain words for the teacher: what the figures the lab shows belong to."""
    if host.kind == "wsl":
        return (
            f"Linux {release} in {host.name or 'WSL'} on Windows: every figure is this Linux VM's "
            "kernel's, not Windows'"
        )
    if host.kind == "container":
        engine = f" ({host.name})" if host.name else ""
        return (
            f"inside a container{engine}: every figure is the host's Linux {release} kernel's, "
            "shared with everything else the host runs (on a Mac, Docker Desktop's Linux VM)"
        )
    return f"Linux {release} on this machine's own kernel"
