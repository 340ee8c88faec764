"""Whose kernel the figures belong to: recorded texts from real machines, classified."""

from __future__ import annotations

from app.host import Host, HostTexts, classify, describe, root_fs_type

# a Firecracker VM booted from a Docker-built image (this CI machine's kind): /.dockerenv is there,
# but the root is the VM's own disk and the kernel its own
FIRECRACKER_MOUNTINFO = """22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534
"""
FIRECRACKER_CGROUP = "4:memory:/process_api/a0f96e5a633ea36dd13aaa14e0bfa084\n1:cpu:/\n0::/\n"
# docker run on a cgroup v2 host (a private cgroup namespace: the path says nothing)
DOCKER_MOUNTINFO = (
    "583 492 0:51 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/"
    "ABC:/var/lib/docker/overlay2/l/DEF,upperdir=/var/lib/docker/overlay2/1f/diff,workdir=/var/lib/"
    "docker/overlay2/1f/work\n584 583 0:54 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
)
DOCKER_CGROUP_V1 = "12:pids:/docker/3f2a9c0e1b7d\n11:memory:/docker/3f2a9c0e1b7d\n"


def test_a_vm_booted_from_a_docker_image_is_not_a_container() -> None:
    texts = HostTexts(
        osrelease="6.18.44-fc-v1147\n",
        mountinfo=FIRECRACKER_MOUNTINFO,
        cgroup=FIRECRACKER_CGROUP,
        dockerenv=True,
    )
    assert root_fs_type(FIRECRACKER_MOUNTINFO) == "ext4"
    assert classify(texts) == Host("linux")


def test_docker_is_told_by_its_overlay_root_or_its_cgroup() -> None:
    assert classify(HostTexts(mountinfo=DOCKER_MOUNTINFO, cgroup="0::/\n", dockerenv=True)) == Host(
        "container", "docker"
    )
    assert classify(HostTexts(cgroup=DOCKER_CGROUP_V1)) == Host("container", "docker")
    # an overlay root without Docker's marker: could be anything (a live CD), so not said
    assert classify(HostTexts(mountinfo=DOCKER_MOUNTINFO)) == Host("linux")


def test_other_engines_are_named() -> None:
    assert classify(HostTexts(containerenv=True)) == Host("container", "podman")
    assert classify(HostTexts(systemd_container="systemd-nspawn\n")) == Host("container", "systemd-nspawn")
    assert classify(HostTexts(container_env="lxc")) == Host("container", "lxc")
    kube = "0::/kubepods/besteffort/pod1234/5678\n"
    assert classify(HostTexts(cgroup=kube)) == Host("container", "kubernetes")


def test_wsl_is_told_by_its_kernel_release() -> None:
    assert classify(HostTexts(osrelease="5.15.167.4-microsoft-standard-WSL2\n")) == Host("wsl", "WSL2")
    assert classify(HostTexts(osrelease="4.4.0-19041-Microsoft\n")) == Host("wsl", "WSL")
    # Docker Desktop on Windows runs its containers in WSL2: the kernel is WSL's
    both = HostTexts(
        osrelease="5.15.167.4-microsoft-standard-WSL2", mountinfo=DOCKER_MOUNTINFO, dockerenv=True
    )
    assert classify(both).kind == "wsl"


def test_the_words_say_whose_kernel() -> None:
    assert "Windows" in describe(Host("wsl", "WSL2"), "5.15.167.4-microsoft-standard-WSL2")
    words = describe(Host("container", "docker"), "6.8.0")
    assert "(docker)" in words and "host's Linux 6.8.0 kernel" in words
    assert describe(Host("linux"), "6.18.44") == "Linux 6.18.44 on this machine's own kernel"


def test_an_inits_environment_names_the_engine(tmp_path, monkeypatch) -> None:
    from app import host

    environ = tmp_path / "environ"
    environ.write_bytes(b"PATH=/usr/bin\0container=systemd-nspawn\0HOME=/\0")
    assert host._environ_container(str(environ)) == "systemd-nspawn"
    assert host._environ_container(str(tmp_path / "unreadable")) == ""
    # this process's own environment is read too (where PID 1's is root's)
    monkeypatch.setenv("container", "lxc")
    assert host.this_host() == Host("container", "lxc")
