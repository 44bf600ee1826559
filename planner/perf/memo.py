"""A small cache for values worked out from catalog entries and factors, which are unhashable.

Entries are keyed by the objects' ids, and each holds the objects themselves and is used only
when they are the very same (``is``): an id is unique only while its object lives, so a new
object that takes a freed address never gets the old object's value (a re-read catalog or a
refitted factors file is a new object and is worked out again).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable


class ObjectCache:
    """At most ``size`` values, keyed by objects (by identity) and hashable extras; the least
    recently used goes first."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, tuple[tuple, object]] = OrderedDict()

    def get(self, objects: tuple, extras: tuple[Hashable, ...], compute: Callable[[], object]):
        """The value for ``objects`` and ``extras``, from ``compute()`` the first time."""
        key = (*map(id, objects), *extras)
        entry = self._entries.get(key)
        if entry is not None and all(a is b for a, b in zip(entry[0], objects)):
            self._entries.move_to_end(key)
            return entry[1]
        value = compute()
        self._entries[key] = (objects, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value
