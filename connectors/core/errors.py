"""Typed connector errors.

Every message is built by the connector from facts it controls (status, vendor error category, the environment
variable to set). Secrets are scrubbed before a message is built, and exceptions from the HTTP library are never
chained, because their text carries full URLs, which for some vendors include the token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ConnectorError(Exception):
    """Base class: something went wrong talking to a vendor or storing its data."""

    retryable: bool = False

    def __init__(self, message: str, *, source: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.status = status


class ConfigurationError(ConnectorError):
    """A required setting (an environment variable, a URL) is missing or malformed."""


class AuthenticationError(ConnectorError):
    """The vendor refused our credentials (401) or their scopes (403)."""


class RequestError(ConnectorError):
    """The vendor rejected the request itself (4xx other than auth and rate limits): retrying will not help."""


class TransientError(ConnectorError):
    """A failure that may go away on retry: 5xx, timeouts, cut connections, unreadable bodies."""

    retryable = True


class RateLimitedError(TransientError):
    """The vendor asked us to slow down. ``retry_after_s`` is its own hint, when it gave one."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message, source=source, status=status)
        self.retry_after_s = retry_after_s


class StreamUnavailableError(ConnectorError):
    """The account does not offer this stream (a HubSpot portal without the Events API, which only Enterprise tiers
    have). Not a failure: the sync engine ends the stream ``unavailable`` with this message as its note, keeps its
    state and goes on with the next stream; nothing is read, nothing is lost."""


class RetriesExhaustedError(ConnectorError):
    """A retryable failure that kept happening after every allowed attempt."""


class PageError(ConnectorError):
    """A page the stream cannot get past in this run. The sync engine quarantines it (one row with the reason of the
    subclass), keeps the state of the last committed page and ends the stream ``partial``; the next run resumes at
    that page."""

    request: str = ""


class MalformedPageError(PageError):
    """A 2xx answer that is not JSON or lacks its envelope (``results``, ``data``, …), still so after a few retries.

    The sync engine turns it into one ``malformed_page`` quarantine row and ends the stream as ``partial`` without
    moving its cursor, so the next run asks for the same page again. ``request`` is method and path only (never the
    query string, which may carry a key); ``excerpt`` is the start of the body with secrets masked.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        status: int | None = None,
        request: str = "",
        problem: str = "",
        excerpt: str = "",
        attempts: int = 0,
    ) -> None:
        super().__init__(message, source=source, status=status)
        self.request = request
        self.problem = problem
        self.excerpt = excerpt
        self.attempts = attempts


class RepeatedCursorError(PageError):
    """The vendor handed back a paging cursor this paging sequence already followed, or a page equal to an earlier
    one: following it would read the same pages forever (or, with offsets, stop early with records missing).

    ``cursor`` is the repeated cursor (paging tokens and offsets are not credentials, and the quarantine writer masks
    anything shaped like one); ``pages`` is how many pages the sequence had read when it noticed.
    """

    def __init__(self, message: str, *, request: str, cursor: object, pages: int) -> None:
        super().__init__(message)
        self.request = request
        self.cursor = cursor
        self.pages = pages


@dataclass(frozen=True)
class BadFile:
    """One file that could not be read: its key (never a URL or a credential), its size and what is wrong with it."""

    file: str
    problem: str
    size: int


class UnreadableFileError(PageError):
    """Files of a file-based source (a Segment export's ``.gz``) that cannot be read: a corrupt gzip member, a
    truncated upload. Like a malformed page it ends the stream ``partial``, with one quarantine row per file: the
    files loaded in the run stay committed, these are not recorded as loaded, and the next sync retries them."""

    def __init__(self, message: str, *, source: str | None = None, files: Sequence[BadFile]) -> None:
        super().__init__(message, source=source)
        if not files:
            raise ValueError("an UnreadableFileError names at least one file")
        self.files = tuple(files)
        self.request = self.files[0].file
