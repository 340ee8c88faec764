"""Where students can reach this server: one URL per network address it listens on."""

from __future__ import annotations

import ipaddress
import socket

import psutil
import segno

from ..protocol import JoinInfo
from ..settings import Settings, is_loopback


def _url(address: str, port: int) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{port}/"


def student_urls(settings: Settings) -> list[str]:
    """The viewer URLs for every non-loopback address this server is bound to (none on loopback).

    A wildcard bind (0.0.0.0, ::) listens on every interface, so each of the
    machine's addresses (psutil's view of the interfaces) gets a URL.
    """
    if is_loopback(settings.host):
        return []
    if settings.host not in ("0.0.0.0", "::"):
        return [_url(settings.host, settings.port)]
    families = {socket.AF_INET} | ({socket.AF_INET6} if settings.host == "::" else set())
    urls = []
    for addrs in psutil.net_if_addrs().values():
        for a in addrs:
            if a.family not in families:
                continue
            ip = ipaddress.ip_address(a.address.split("%")[0])
            if not (ip.is_loopback or ip.is_link_local):
                urls.append(_url(str(ip), settings.port))
    return sorted(set(urls))


def join_info(settings: Settings) -> JoinInfo:
    """What the Join overlay shows: the student URLs and a QR code of the first, drawn here as SVG."""
    urls = [settings.public_url] if settings.public_url else student_urls(settings)
    qr = None
    if urls:
        # segno writes the SVG on the server: the page fetches nothing from anywhere else
        qr = segno.make(urls[0], error="m").svg_inline(border=2, dark="#000", light="#fff", omitsize=True)
    return JoinInfo(urls=urls, qr_svg=qr, loopback=is_loopback(settings.host))
