"""The counter's page is read again exactly when it may have moved (pure: a recorded reader)."""

from __future__ import annotations

from app.observe.pages import CounterPages, Page

ADDRESS = 0x7F0000001000


class Reader:
    """pagemap as a table the test sets, counting the reads."""

    def __init__(self) -> None:
        self.now: dict[int, Page] = {}
        self.reads: list[int] = []

    def __call__(self, pid: int, address: int) -> Page:
        assert address == ADDRESS
        self.reads.append(pid)
        return self.now[pid]


def test_an_exclusive_page_is_not_read_again_until_something_could_share_or_move_it() -> None:
    read = Reader()
    pages = CounterPages(read)
    read.now[10] = (500, True)
    pages.lab_is({10})
    assert pages.page(10, ADDRESS, force=False) == (500, True)
    for _ in range(5):  # the process writes its own page: nothing to read
        pages.lab_is({10})
        assert pages.page(10, ADDRESS, force=False) == (500, True)
    assert read.reads == [10]
    # the recheck turn (or a command) reads it regardless: the kernel may have migrated it
    read.now[10] = (777, True)
    assert pages.page(10, ADDRESS, force=True) == (777, True)
    # a fork adds a process: both now map one page, and the parent's is read again at once
    read.now[10] = read.now[11] = (777, False)
    pages.lab_is({10, 11})
    assert pages.page(10, ADDRESS, force=False) == (777, False)
    assert read.reads == [10, 10, 10]


def test_a_shared_or_absent_page_is_read_at_every_look() -> None:
    read = Reader()
    pages = CounterPages(read)
    pages.lab_is({10, 11})
    read.now[10] = (777, False)  # shared after a fork: the next write gives it a copy
    assert pages.page(10, ADDRESS, force=False) == (777, False)
    read.now[10] = (900, True)
    assert pages.page(10, ADDRESS, force=False) == (900, True), "the copy-on-write shows at the next look"
    read.now[11] = (None, None)  # not present
    pages.page(11, ADDRESS, force=False)
    read.now[11] = (901, True)
    assert pages.page(11, ADDRESS, force=False) == (901, True)
    assert read.reads == [10, 10, 11, 11]
