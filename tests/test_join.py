"""Students join: the Join overlay shows where to open the lab, with a QR code that really decodes to it."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import pytest
from support import CHROMIUM, LabServer

playwright = pytest.importorskip("playwright.sync_api")
zxingcpp = pytest.importorskip("zxingcpp")
Image = pytest.importorskip("PIL.Image")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
# A documentation address (RFC 5737): shown and encoded, never connected to.
STUDENT_URL = "http://192.0.2.10:8123/"


@pytest.fixture
def page_of(browser) -> Iterator[object]:
    """Opens a server's page as its presenter, at projector size; the pages are closed afterwards."""
    contexts = []

    def open_as_presenter(server: LabServer):
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(server.url + f"/?token={server.token}")
        page.wait_for_selector("#conn[data-status=live]")
        return page

    yield open_as_presenter
    for ctx in contexts:
        ctx.close()


def test_the_qr_code_decodes_to_the_student_url(page_of) -> None:
    s = LabServer(env={"PTLAB_PUBLIC_URL": STUDENT_URL}).start()
    try:
        page = page_of(s)
        page.keyboard.press("j")
        page.wait_for_selector("#joindlg[open] .join-qr svg")
        assert page.text_content("#joindlg .join-url") == STUDENT_URL
        png = page.locator("#joindlg .join-qr").screenshot()
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert [b.text for b in found] == [STUDENT_URL]
        page.screenshot(path=str(s.log_path.parent / "join.png"))
    finally:
        s.stop()


def test_on_loopback_the_overlay_says_how_to_open_the_lab(page_of) -> None:
    s = LabServer().start()
    try:
        page = page_of(s)
        page.keyboard.press("j")
        page.wait_for_selector("#joindlg[open]")
        text = page.text_content("#joindlg")
        assert "PTLAB_HOST=0.0.0.0" in text and "PTLAB_TOKEN" in text
        assert page.locator("#joindlg .join-qr").count() == 0
    finally:
        s.stop()


def test_a_public_url_must_be_a_web_address() -> None:
    from app.cli import settings_from
    from app.settings import SettingsError

    with pytest.raises(SettingsError, match="PTLAB_PUBLIC_URL"):
        settings_from(["--public-url", "javascript:alert(1)"])
