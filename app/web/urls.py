"""Where students can reach this server: one URL per network address it listens on."""

from __future__ import annotations

import ipaddress
import socket
import sys

import psutil
import segno

from ..protocol import JoinInfo
from ..relay.channels import safe_url
from ..settings import Settings, is_loopback, presenter_url


def _url(address: str, port: int) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{port}/"


def student_urls(host: str, port: int) -> list[str]:
    """The viewer URLs for every non-loopback address a server bound to ``host`` has (none on loopback).

    A wildcard bind (0.0.0.0, ::) listens on every interface, so each of the
    machine's addresses (psutil's view of the interfaces) gets a URL.
    """
    if is_loopback(host):
        return []
    if host not in ("0.0.0.0", "::"):
        return [_url(host, port)]
    families = {socket.AF_INET} | ({socket.AF_INET6} if host == "::" else set())
    urls = []
    for addrs in psutil.net_if_addrs().values():
        for a in addrs:
            if a.family not in families:
                continue
            ip = ipaddress.ip_address(a.address.split("%")[0])
            if not (ip.is_loopback or ip.is_link_local):
                urls.append(_url(str(ip), port))
    return sorted(set(urls))


def join_info(settings: Settings, host: str, port: int) -> JoinInfo:
    """What the Join overlay shows: the student URLs and a QR code of the first, drawn here as SVG.

    ``host`` and ``port``: where the server really listens.
    """
    urls = [settings.public_url] if settings.public_url else student_urls(host, port)
    qr = None
    if urls:
        # segno writes the SVG on the server: the page fetches nothing from anywhere else
        qr = segno.make(urls[0], error="m").svg_inline(border=2, dark="#000", light="#fff", omitsize=True)
    return JoinInfo(urls=urls, qr_svg=qr, loopback=is_loopback(host))


def announce(
    settings: Settings, host: str, port: int, code_allowed: bool, replay: bool = False, relay: bool = False
) -> None:
    """Print, once the server listens on ``host``:``port``, the URLs to open and whether code may run.

    To stderr, as all of ptlab's own words: stdout is ``ptlab run``'s script's."""
    redis = safe_url(settings.redis_url)
    if relay:  # no presenter here: the viewers' URLs, and where the picture comes from
        say = f"ptlab relay: viewers open {_url(host, port)} (the lab through {redis})"
        print(say, file=sys.stderr, flush=True)
        for url in student_urls(host, port):
            print(f"ptlab student URL: {url}", file=sys.stderr, flush=True)
        return
    # The Jupyter habit: the one URL that makes you the presenter.
    print(f"ptlab presenter URL: {presenter_url(host, port, settings.token)}", file=sys.stderr, flush=True)
    for url in student_urls(host, port):
        print(f"ptlab student URL: {url}", file=sys.stderr, flush=True)
    if settings.redis_url and not replay:
        print(f"ptlab: the picture goes to {redis} for relays (ptlab relay)", file=sys.stderr, flush=True)
    if replay:
        print("ptlab: replaying a recording: nothing in it can be changed", file=sys.stderr, flush=True)
    elif code_allowed:
        say = "ptlab: the presenter may run Python code from the page (code panel)"
        print(say, file=sys.stderr, flush=True)
    else:
        print(
            "ptlab: the code panel is OFF: this server listens where other machines can reach it. "
            "To let the presenter run Python code anyway, start ptlab with PTLAB_ALLOW_CODE=1.",
            file=sys.stderr,
            flush=True,
        )
