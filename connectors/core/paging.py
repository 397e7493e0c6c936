"""Paging that cannot loop forever.

Every paging loop of every vendor reader tells a :class:`PageGuard` about each page it read and the cursor that asks
for the next one (HubSpot ``paging.next.after`` and the keyset id of its search, Meta ``cursors.after``, Mailchimp
offsets, association pages per record). A cursor the sequence already followed, a keyset cursor that does not move
forward, or a page whose items equal an earlier page's (a server that ignores its cursor, where offsets would walk on
and stop at ``total_items`` with records missing) raises :class:`~connectors.core.errors.RepeatedCursorError` before the
page is handed out. The sync engine then ends the stream ``partial`` at the last committed page, exactly like a
malformed page (see :mod:`connectors.raw.sync`).

Google Ads needs no guard: ``searchStream`` answers a whole query in one response, and its date windows advance by
construction.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson

from connectors.core.errors import RepeatedCursorError


class PageGuard:
    """The memory of one paging sequence (one endpoint, one parent, one run): cursors followed, pages seen.

    ``start`` is the cursor the sequence starts from (a resumed run's saved position), which counts as followed.
    ``increasing`` is for keyset cursors, which must grow with every page (HubSpot search sorts by id).
    """

    def __init__(self, request: str, start: Any = None, *, increasing: bool = False) -> None:
        self.request = request
        self.increasing = increasing
        self.pages = 0
        self._last = start
        self._followed: set[str] = set() if start is None else {_key(start)}
        self._seen_pages: set[bytes] = set()

    def after_page(self, items: Any, next_cursor: Any) -> None:
        """Record a page just read (its item list) and the cursor of the next page (None after the last page).

        Raises :class:`RepeatedCursorError` when following ``next_cursor`` (or accepting this page) would repeat.
        """
        self.pages += 1
        fingerprint = _fingerprint(items)
        if fingerprint is not None:
            if fingerprint in self._seen_pages:
                self._fail(
                    f"page {self.pages} holds exactly the items of an earlier page of this run: the vendor answers the "
                    f"same page again (it ignores the paging cursor {_show(self._last)}), so the cursor repeated",
                    self._last,
                )
            self._seen_pages.add(fingerprint)
        if next_cursor is None:
            return
        key = _key(next_cursor)
        if key in self._followed:
            self._fail(
                f"the paging cursor {_show(next_cursor)} repeated after {self.pages} pages (this run already followed "
                "it): the vendor's pages loop",
                next_cursor,
            )
        if self.increasing and self._last is not None and not next_cursor > self._last:
            self._fail(
                f"the keyset cursor {_show(next_cursor)} did not move past {_show(self._last)} after {self.pages} "
                "pages: the cursor repeated and the same records would come back forever",
                next_cursor,
            )
        self._followed.add(key)
        self._last = next_cursor

    def _fail(self, problem: str, cursor: Any) -> None:
        raise RepeatedCursorError(
            f"{self.request}: {problem}; the stream stops at the last good page",
            request=self.request,
            cursor=cursor,
            pages=self.pages,
        )


def _key(cursor: Any) -> str:
    return f"{type(cursor).__name__}:{cursor}"


def _fingerprint(items: Any) -> bytes | None:
    """A digest of a non-empty item list; empty pages carry no evidence (Meta may send several before data)."""
    if not isinstance(items, list) or not items:
        return None
    try:
        text = orjson.dumps(items)
    except TypeError:  # integers beyond 64 bits, text that is not UTF-8 (quarantined later): the slow encoder copes
        text = json.dumps(items, default=str).encode()
    return hashlib.blake2b(text, digest_size=16).digest()


def _show(cursor: Any, limit: int = 60) -> str:
    text = repr(cursor)
    return text if len(text) <= limit else text[: limit - 1] + "…"
