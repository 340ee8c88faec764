"""Each lab process's counter page (frame, exclusive), read from pagemap only when it may have moved."""

from __future__ import annotations

from collections.abc import Callable, Collection

Page = tuple[int | None, bool | None]  # (frame, exclusive); both None: not present


class CounterPages:
    """The page behind each process's counter, as last read, and when to read it again.

    A page only this process maps stays where it is when the process writes it, and it is shared
    again only by a fork, which adds a process to the lab. So while the last read found it
    exclusive, at the same address, and no process came or went, the last answer stands unless
    the caller forces a look (a command, a thread started or ended, or the process's recheck turn:
    the kernel can still migrate a page). A shared or absent page is read at every look: the
    next write moves it. A counting lab writes every counter every tick, and read 32 pagemaps a
    tick at 32 x 8 for it.
    """

    def __init__(self, read: Callable[[int, int], Page]) -> None:
        self.read = read  # (pid, address) -> the page now
        self.kept: dict[int, tuple[int, Page, int]] = {}  # pid -> (address, page, lab epoch then)
        self._lab: set[int] = set()
        self._epoch = 0

    def lab_is(self, pids: Collection[int]) -> None:
        """The lab's processes this tick: any change means a page may be shared anew."""
        if pids != self._lab:
            self._lab = set(pids)
            self._epoch += 1

    def page(self, pid: int, address: int, force: bool) -> Page:
        """The counter's page, read again only when it may have changed (``force``: regardless)."""
        kept = self.kept.get(pid)
        if kept is not None and not force and kept[0] == address and kept[2] == self._epoch and kept[1][1]:
            return kept[1]
        page = self.read(pid, address)
        self.kept[pid] = (address, page, self._epoch)
        return page
