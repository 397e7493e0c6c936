"""Connector settings from environment variables, declared once per vendor as a table of :class:`Setting` rows.

A vendor's configuration is a frozen dataclass that also derives from :class:`EnvConfig` and lists its variables in
``SETTINGS``; :meth:`EnvConfig.from_env` reads them, so no vendor hand-writes that code, and its ``repr`` shows every
field but the secrets. The defaults live on the dataclass fields (one place), the table says where each field comes
from::

    @dataclass(frozen=True, repr=False)
    class AcmeConfig(EnvConfig):
        SOURCE: ClassVar[str] = "acme"
        SETTINGS: ClassVar[tuple[Setting, ...]] = (
            Setting("ACME_API_KEY", "api_key", secret=True, required="Create a key in Acme > Settings > API."),
            Setting("ACME_BASE_URL", "base_url"),
            Setting("ACME_TIMEOUT_S", "timeout_s", float),
        )
        api_key: str
        base_url: str = "https://api.acme.example"
        timeout_s: float = 30.0

A variable that is not set, empty or blank takes the field's default; a number that does not parse and a required
variable that is missing fail with a :class:`~connectors.core.errors.ConfigurationError` naming the variable.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self, cast

from connectors.core.errors import ConfigurationError

SANDBOX_HINT = "Or start the bundled sandbox (`make sandbox`) and use the variables it writes to var/sandbox.env."


@dataclass(frozen=True)
class Setting:
    """One environment variable of a vendor and the configuration field it sets.

    ``kind`` converts the text (``str``, ``int`` or ``float``). ``required`` is the hint shown when the variable is
    missing (how to get a value); empty means optional. ``secret`` settings are never shown (``repr``, run metadata)
    and are the source's secrets in :mod:`connectors.registry`. ``clean`` normalises the stripped text (Google's
    customer ids lose their dashes); text that is empty after it counts as unset. ``default`` computes the value
    when the variable is unset, from the values read so far (Mailchimp's base URL comes from its key's data center);
    without it the dataclass field's default applies.
    """

    env: str
    field: str
    kind: type = str
    secret: bool = False
    required: str = ""
    clean: Callable[[str], str] | None = None
    default: Callable[[Mapping[str, Any]], Any] | None = None


def missing(var: str, *, source: str, hint: str) -> ConfigurationError:
    """The error for a required variable that is not set: which one, and how to get a value."""
    return ConfigurationError(f"{var} is not set. {hint} {SANDBOX_HINT}", source=source)


def number(var: str, raw: str, kind: type, *, source: str) -> Any:
    """``raw`` as ``kind``; a ConfigurationError naming the variable when it is not a number of that kind."""
    try:
        return kind(raw)
    except ValueError:
        raise ConfigurationError(f"{var}={raw!r} is not a number", source=source) from None


def read_settings(env: Mapping[str, str], settings: Iterable[Setting], *, source: str) -> dict[str, Any]:
    """``{field: value}`` for every setting whose variable is set (required ones must be), in table order."""
    values: dict[str, Any] = {}
    for s in settings:
        text = (env.get(s.env) or "").strip()
        if text and s.clean is not None:
            text = s.clean(text).strip()
        if not text and s.required:
            raise missing(s.env, source=source, hint=s.required)
        if text:
            values[s.field] = text if s.kind is str else number(s.env, text, s.kind, source=source)
        elif s.default is not None:
            values[s.field] = s.default(values)
    return values


def secret_variables(settings: Iterable[Setting]) -> tuple[str, ...]:
    return tuple(s.env for s in settings if s.secret)


class EnvConfig:
    """Base of every vendor configuration: ``from_env`` fed the class's ``SETTINGS``, and a ``repr`` without secrets.

    Subclasses are frozen dataclasses declared with ``repr=False`` (so this ``repr`` is kept) that set ``SOURCE``
    (the name errors carry) and ``SETTINGS``.
    """

    SOURCE: ClassVar[str]
    SETTINGS: ClassVar[tuple[Setting, ...]]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """The configuration the environment describes (default: this process's); ``overrides`` win over it (tests
        use them for fast retries), but a required variable must still be set."""
        values = read_settings(os.environ if env is None else env, cls.SETTINGS, source=cls.SOURCE)
        return cls(**{**values, **overrides})

    def __repr__(self) -> str:
        hidden = {s.field for s in self.SETTINGS if s.secret}
        shown = ", ".join(
            f"{f.name}={'***' if f.name in hidden else repr(getattr(self, f.name))}"
            for f in dataclasses.fields(cast(Any, self))
        )
        return f"{type(self).__name__}({shown})"
