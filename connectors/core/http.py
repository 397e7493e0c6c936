"""The one HTTP layer every connector uses.

A ``requests.Session`` with timeouts, exponential backoff with full jitter that honours ``Retry-After``, client-side
rate limiters, per-vendor error classification, and errors that never contain a secret.

Against a hostile or broken server it also guarantees: a whole answer arrives within a total deadline (``requests``'
read timeout is per socket read, so a body trickling in a byte at a time would never time out); redirects are never
followed and requests only ever go to the base URL's host, so no credential header or query reaches another host;
bodies are decoded by :mod:`connectors.core.jsonbody`, which never changes a value silently and turns absurd nesting
into an unparseable page instead of a ``RecursionError``.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from connectors.core.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
    MalformedPageError,
    RateLimitedError,
    RequestError,
    RetriesExhaustedError,
    TransientError,
)
from connectors.core.jsonbody import Unparseable, decode_json
from connectors.core.ratelimit import SlidingWindowLimiter
from connectors.core.redaction import Redactor, register_secrets, scrub

__all__ = ["Classified", "Expect", "HttpClient", "HttpStats", "Redactor", "RetryPolicy", "parse_retry_after"]

log = logging.getLogger("connectors.core.http")

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504, 520, 521, 522, 523, 524, 530})
# Unless a client sets its own, the whole answer (connect, headers, body) must arrive within this many read timeouts.
TOTAL_TIMEOUT_FACTOR = 3.0
_READ_CHUNK = 65536


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter (AWS architecture blog), capped, honouring the server's hint."""

    max_attempts: int = 8
    base_delay_s: float = 0.5
    max_delay_s: float = 60.0
    # A Retry-After longer than this is treated as a reason to fail rather than to sleep through.
    max_retry_after_s: float = 300.0
    # A 2xx page that is not JSON or lacks its envelope is usually a proxy or CDN hiccup that a retry fixes; when it
    # is still malformed after this many attempts it is the vendor's answer, and retrying longer only burns quota.
    malformed_attempts: int = 3

    def delay(self, attempt: int, retry_after_s: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (attempts count from 1)."""
        if retry_after_s is not None:
            # The server knows when capacity returns; add a little jitter so parallel clients do not stampede.
            return min(retry_after_s, self.max_retry_after_s) + rng.uniform(0, self.base_delay_s / 2)
        ceiling = min(self.max_delay_s, self.base_delay_s * (2 ** (attempt - 1)))
        return rng.uniform(self.base_delay_s / 2, max(ceiling, self.base_delay_s / 2))


@dataclass(frozen=True)
class Classified:
    """What a vendor-specific classifier decided about a non-2xx (or error-bearing 2xx) response."""

    kind: str  # "rate_limited" | "transient" | "auth" | "request" | "ok"
    message: str
    retry_after_s: float | None = None


# A classifier sees the response and its parsed body (or None) and may override the generic status-code rules,
# e.g. Meta signals rate limits as HTTP 400 with error code 17.
Classifier = Callable[[requests.Response, Any], Classified | None]
# An envelope check for a successful page: the parsed body in, None if it has the expected shape, else what is wrong
# (e.g. "no 'results' list"). Vendor APIs pass one for every page they read.
Expect = Callable[[Any], str | None]

# How much of a malformed body a quarantine row and an error keep: enough to recognise an HTML error page.
MALFORMED_EXCERPT_CHARS = 2000


class _MalformedBody(TransientError):
    """One malformed 2xx answer, retried like a transient error until :attr:`RetryPolicy.malformed_attempts`."""

    def __init__(self, problem: str, *, source: str, status: int, excerpt: str) -> None:
        super().__init__(f"malformed page: {problem}", source=source, status=status)
        self.problem = problem
        self.excerpt = excerpt


@dataclass
class HttpStats:
    requests: int = 0
    retries: int = 0
    by_status: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    waited_for_rate_limit_s: float = 0.0
    slept_for_backoff_s: float = 0.0
    bytes_received: int = 0

    def as_metadata(self) -> dict[str, Any]:
        return {
            "http_requests": self.requests,
            "http_retries": self.retries,
            "http_statuses": dict(sorted((str(k), v) for k, v in self.by_status.items())),
            "http_failures": dict(sorted(self.failures.items())),
            "rate_limit_wait_s": round(self.waited_for_rate_limit_s, 2),
            "backoff_sleep_s": round(self.slept_for_backoff_s, 2),
            "bytes_received": self.bytes_received,
        }


class _SecretLogFilter(logging.Filter):
    """Scrubs secrets from log records of the HTTP stack and the sync engine.

    urllib3 logs full request URLs at DEBUG level, and some vendors take a key as a query parameter; the filter masks
    every secret registered in :mod:`connectors.core.redaction` and anything shaped like a credential parameter.
    """

    def add(self, secrets: Sequence[str | None]) -> None:
        register_secrets(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


_LOG_FILTER = _SecretLogFilter()
for _name in (
    "urllib3.connectionpool",
    "urllib3.util.retry",
    "requests",
    "connectors.core.http",
    "connectors.raw.sync",
):
    logging.getLogger(_name).addFilter(_LOG_FILTER)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HttpClient:
    """HTTP client for one vendor account.

    ``limiters`` maps a name to a rate limiter; each request names the limiter it counts against (HubSpot's search
    API has its own limit beside the 10-second window, so a search call passes ``limiter="search"``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        source: str,
        credential_env_var: str,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        secrets: Sequence[str | None] = (),
        timeout_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        total_timeout_s: float | None = None,
        retry: RetryPolicy | None = None,
        limiters: Mapping[str, SlidingWindowLimiter] | None = None,
        classifier: Classifier | None = None,
        base_url_env_var: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        user_agent: str = "journeyhub/0.1 (+https://github.com/journeyhub)",
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            where = f" (from {base_url_env_var})" if base_url_env_var else ""
            raise ConfigurationError(f"{source}: base URL {base_url!r}{where} is not an http(s) URL", source=source)
        self.base_url = base_url.rstrip("/")
        self.source = source
        self.credential_env_var = credential_env_var
        self.base_url_env_var = base_url_env_var
        self.origin = _origin(base_url)
        self.timeout = (connect_timeout_s, timeout_s)
        # requests' read timeout bounds each socket read, not the answer: a body trickling in a byte at a time, each
        # inside the timeout, would hold a sync forever. This bounds the whole request.
        self.total_timeout_s = total_timeout_s if total_timeout_s is not None else TOTAL_TIMEOUT_FACTOR * timeout_s
        self.retry = retry or RetryPolicy()
        self.limiters = dict(limiters or {})
        self.classifier = classifier
        self.redact = Redactor(secrets)
        # Registered process-wide: the log filter and the raw store (quarantine rows, run errors) mask them too.
        _LOG_FILTER.add(secrets)
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self.stats = HttpStats()
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        if headers:
            self.session.headers.update(headers)
        if auth:
            self.session.auth = auth

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ----------------------------------------------------------------------------------------------

    def get(
        self, path: str, *, params: Any = None, limiter: str | None = "default", expect: Expect | None = None
    ) -> Any:
        return self.request("GET", path, params=params, limiter=limiter, expect=expect)

    def post(
        self,
        path: str,
        *,
        json_body: Any = None,
        params: Any = None,
        limiter: str | None = "default",
        expect: Expect | None = None,
    ) -> Any:
        return self.request("POST", path, params=params, json_body=json_body, limiter=limiter, expect=expect)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json_body: Any = None,
        data: Any = None,
        limiter: str | None = "default",
        accept_statuses: Sequence[int] = (),
        expect: Expect | None = None,
    ) -> Any:
        """Send a request, retrying transient failures; return the parsed JSON body (None for an empty body).

        ``accept_statuses`` lists non-2xx statuses the caller handles itself (e.g. HubSpot's 207 multi-status is
        2xx anyway, but a caller may want a 404 back as data). ``expect`` checks a successful body's envelope. A 2xx
        body that is not JSON or fails ``expect`` is retried; after ``retry.malformed_attempts`` such answers the
        request raises :class:`MalformedPageError`, which the sync engine quarantines instead of failing the run.
        """
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"
        if _origin(url) != self.origin:
            # The session carries the credentials: never to another host, whoever built the URL.
            raise ConfigurationError(
                f"{self.source}: refusing to send a request to {_host(url)}, which is not the host of the base URL "
                f"({_host(self.base_url)}); credentials only ever go to the configured host",
                source=self.source,
            )
        request_label = f"{method} {self._path_for_log(url)}"
        label = f"{self.source} {request_label}"
        last: ConnectorError | None = None
        malformed = 0
        for attempt in range(1, self.retry.max_attempts + 1):
            if limiter is not None and limiter in self.limiters:
                self.stats.waited_for_rate_limit_s += self.limiters[limiter].acquire()
            try:
                return self._attempt(method, url, params, json_body, data, accept_statuses, expect)
            except (RateLimitedError, TransientError) as exc:
                last = exc
                self.stats.failures[type(exc).__name__] += 1
                if isinstance(exc, _MalformedBody):
                    malformed += 1
                    if malformed >= self.retry.malformed_attempts or attempt == self.retry.max_attempts:
                        raise MalformedPageError(
                            f"{label}: malformed page after {malformed} attempts: {exc.problem}",
                            source=self.source,
                            status=exc.status,
                            request=request_label,
                            problem=exc.problem,
                            excerpt=exc.excerpt,
                            attempts=malformed,
                        ) from None
                if isinstance(exc, RateLimitedError) and limiter in self.limiters and exc.retry_after_s:
                    self.limiters[limiter].penalise(exc.retry_after_s)
                if attempt == self.retry.max_attempts:
                    break
                retry_after = exc.retry_after_s if isinstance(exc, RateLimitedError) else None
                if retry_after is not None and retry_after > self.retry.max_retry_after_s:
                    raise RetriesExhaustedError(
                        f"{label}: the vendor asked us to wait {retry_after:.0f}s, longer than the "
                        f"{self.retry.max_retry_after_s:.0f}s we allow; {exc}",
                        source=self.source,
                        status=exc.status,
                    ) from None
                pause = self.retry.delay(attempt, retry_after, self._rng)
                self.stats.retries += 1
                self.stats.slept_for_backoff_s += pause
                log.warning("%s: %s; retry %d/%d in %.1fs", label, exc, attempt, self.retry.max_attempts - 1, pause)
                self._sleep(pause)
        assert last is not None
        raise RetriesExhaustedError(
            f"{label}: still failing after {self.retry.max_attempts} attempts: {last}",
            source=self.source,
            status=last.status,
        ) from None

    # -- internals -------------------------------------------------------------------------------------------

    def _path_for_log(self, url: str) -> str:
        # The path only: query strings may carry keys (key=, access_token=) and say nothing a reader needs.
        parts = urlsplit(url)
        return scrub(self.redact(parts.path))

    def _excerpt(self, content: bytes) -> str:
        """The start of a body, decoded leniently, with this client's and every registered secret masked."""
        text = content[: MALFORMED_EXCERPT_CHARS * 2].decode("utf-8", "replace")
        return scrub(self.redact(text))[:MALFORMED_EXCERPT_CHARS]

    def _timed_out(self) -> TransientError:
        return TransientError(
            f"no complete answer within {self.total_timeout_s:.0f}s (timeout: the total deadline for one request)",
            source=self.source,
        )

    def _read_body(self, resp: requests.Response, deadline: float) -> bytes:
        """The whole (decoded) body, read as it arrives, giving up at ``deadline``.

        ``read1`` returns what one socket read brings, so the deadline is checked between reads however slowly the
        bytes come; the last read can still take up to one read timeout.
        """
        raw = resp.raw
        read1 = getattr(raw, "read1", None)  # urllib3 >= 2; older ones read whole chunks, checked between them
        chunks: list[bytes] = []
        try:
            while True:
                if self._clock() > deadline:
                    raise self._timed_out()
                chunk = read1(_READ_CHUNK, decode_content=True) if read1 else raw.read(8192, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
        except urllib3.exceptions.ReadTimeoutError:
            raise TransientError(f"no answer within {self.timeout[1]:.0f}s (timeout)", source=self.source) from None
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.IncompleteRead, OSError):
            raise TransientError("connection cut before the whole body arrived", source=self.source) from None
        except urllib3.exceptions.DecodeError:
            raise TransientError("the body could not be decompressed (Content-Encoding)", source=self.source) from None
        except urllib3.exceptions.HTTPError as exc:
            raise TransientError(f"HTTP failure: {type(exc).__name__}", source=self.source) from None
        content = b"".join(chunks)
        # Read by hand above; handing the bytes to the Response keeps resp.content and resp.text working for callers
        # and classifiers, and marks the connection as reusable.
        resp._content = content
        resp._content_consumed = True
        return content

    def _refuse_redirect(self, resp: requests.Response, url: str) -> RequestError:
        """No vendor API we read redirects, and following one would carry credentials to wherever it points."""
        location = resp.headers.get("Location")
        where = "no Location" if not location else _host(urljoin(url, location))
        if location and _origin(urljoin(url, location)) == self.origin:
            where += " (the same host)"
        return RequestError(
            f"HTTP {resp.status_code} redirect to {self.redact(where)}: not followed (the connectors never follow "
            f"redirects, so credentials only ever reach {_host(self.base_url)}); check "
            + (self.base_url_env_var or "the base URL"),
            source=self.source,
            status=resp.status_code,
        )

    def _attempt(
        self,
        method: str,
        url: str,
        params: Any,
        json_body: Any,
        data: Any,
        accept_statuses: Sequence[int],
        expect: Expect | None = None,
    ) -> Any:
        self.stats.requests += 1
        deadline = self._clock() + self.total_timeout_s
        try:
            resp = self.session.request(
                method,
                url,
                params=params,
                json=json_body,
                data=data,
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
            )
        except requests.exceptions.Timeout:
            raise TransientError(f"no answer within {self.timeout[1]:.0f}s (timeout)", source=self.source) from None
        except requests.exceptions.ConnectionError as exc:
            # A refused connection and a connection cut mid-body both land here.
            reason = (
                "connection cut before the whole body arrived"
                if _is_incomplete_read(exc)
                else (
                    f"could not connect to {self.redact(self.base_url)}"
                    + (f" (set by {self.base_url_env_var})" if self.base_url_env_var else "")
                )
            )
            raise TransientError(reason, source=self.source) from None
        except requests.exceptions.ChunkedEncodingError:
            raise TransientError("connection cut before the whole body arrived", source=self.source) from None
        except requests.exceptions.RequestException as exc:
            raise TransientError(f"HTTP failure: {type(exc).__name__}", source=self.source) from None

        try:
            content = self._read_body(resp, deadline)
        finally:
            resp.close()
        self.stats.by_status[resp.status_code] += 1
        self.stats.bytes_received += len(content)
        if 300 <= resp.status_code < 400:
            raise self._refuse_redirect(resp, url)
        body = decode_json(content)
        verdict = self.classifier(resp, body) if self.classifier else None
        if verdict is None:
            verdict = self._classify_default(resp, body)
        if verdict.kind == "ok" or (resp.status_code in accept_statuses and verdict.kind == "request"):
            problem = None
            if isinstance(body, Unparseable):
                problem = (
                    f"HTTP {resp.status_code} with a body that is {body.why} "
                    f"({len(content)} bytes, content-type {resp.headers.get('Content-Type', '?')})"
                )
            elif expect is not None and verdict.kind == "ok":
                problem = expect(body)
                problem = f"HTTP {resp.status_code} without the expected envelope: {problem}" if problem else None
            if problem:
                raise _MalformedBody(
                    self.redact(problem), source=self.source, status=resp.status_code, excerpt=self._excerpt(content)
                )
            return body
        message = self.redact(verdict.message)
        if verdict.kind == "rate_limited":
            raise RateLimitedError(
                message, source=self.source, status=resp.status_code, retry_after_s=verdict.retry_after_s
            )
        if verdict.kind == "transient":
            raise TransientError(message, source=self.source, status=resp.status_code)
        if verdict.kind == "auth":
            raise AuthenticationError(
                f"{self.source} refused the credentials: {message}. "
                f"Set {self.credential_env_var} to a valid token for this account.",
                source=self.source,
                status=resp.status_code,
            )
        raise RequestError(message, source=self.source, status=resp.status_code)

    def _classify_default(self, resp: requests.Response, body: Any) -> Classified:
        status = resp.status_code
        if 200 <= status < 300:
            return Classified("ok", "")
        detail = _vendor_message(body) or resp.reason or ""
        text = f"HTTP {status}" + (f": {detail}" if detail else "")
        if status == 429:
            return Classified("rate_limited", text, parse_retry_after(resp.headers.get("Retry-After")))
        if status in RETRYABLE_STATUSES or status >= 500:
            return Classified("transient", text)
        if status in (401, 403):
            return Classified("auth", text)
        return Classified("request", text)


def is_unparseable(body: Any) -> bool:
    return isinstance(body, Unparseable)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1  # an unparseable port matches no real origin
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port if port is not None else default


def _host(url: str) -> str:
    """Host and port of a URL for a message: never its path or query, which may carry a token."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "?"
    return f"{host}:{port}" if port else host


def _vendor_message(body: Any) -> str:
    """Pull a human message out of the common vendor error shapes."""
    if not isinstance(body, dict):
        return ""
    for key in ("message", "detail", "title", "error_description"):
        if isinstance(body.get(key), str):
            category = body.get("category") or body.get("errorType")
            return f"{category}: {body[key]}" if isinstance(category, str) else body[key]
    err = body.get("error")
    if isinstance(err, dict) and isinstance(err.get("message"), str):
        return err["message"]
    if isinstance(err, str):
        return err
    return ""


def _is_incomplete_read(exc: BaseException) -> bool:
    text = repr(exc)
    return "IncompleteRead" in text or "Connection broken" in text or "RemoteDisconnected" in text
