"""Keeping secrets out of everything the connectors write: log lines, exception messages and quarantine rows.

Every :class:`~connectors.core.http.HttpClient` registers its credentials here, so the raw store can scrub quarantine
payloads and run errors without knowing which vendor they came from. Besides the registered values, :func:`scrub`
masks anything that *looks* like a credential (``access_token=…``, ``key=…``, ``Authorization: Bearer …``), because a
vendor may echo a credential we never registered (an app secret, another account's key) in an error page.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

# Query or form parameters that carry credentials (Meta's access_token, Google's key=, Mailchimp's apikey).
_SECRET_PARAM = re.compile(
    r"(?i)(?<![a-z0-9_])(access_token|refresh_token|client_secret|api_key|apikey|key|token|password|appsecret_proof)"
    r"(\"?\s*[=:]\s*\"?)([^&\s\"'<>,;\\]+)"
)
# Credentials in header form, also when a body echoes the request headers.
_SECRET_HEADER = re.compile(r"(?i)\b(bearer|basic)(\s+)[a-z0-9._~+/=-]{4,}")
_SECRET_HEADER_NAMES = re.compile(r"(?i)\b(authorization|developer-token|x-api-key)(\"?\s*[:=]\s*\"?)([^\"\\\r\n,}]+)")


class Redactor:
    """Replaces every known secret in a string with ``***``."""

    def __init__(self, secrets: Sequence[str | None]) -> None:
        # Secrets shorter than 4 characters would shred ordinary text; none of the vendors issues one.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "***")
        return text


_lock = threading.Lock()
_known = Redactor(())


def register_secrets(secrets: Sequence[str | None]) -> None:
    """Remember credentials for this process, so every later :func:`scrub` masks them."""
    global _known
    with _lock:
        _known = Redactor([*_known.secrets, *secrets])


def known_secrets() -> Redactor:
    return _known


def scrub(text: str) -> str:
    """``text`` with registered secrets and credential-looking parameters and headers masked."""
    text = _known(text)
    text = _SECRET_HEADER_NAMES.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _SECRET_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
