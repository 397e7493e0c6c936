"""Reading connector settings from environment variables, with errors that say which variable to set."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.core.errors import ConfigurationError


def require(env: Mapping[str, str], var: str, *, source: str, hint: str) -> str:
    """The stripped value of ``var``; a ConfigurationError naming it (and how to get one) when unset."""
    value = (env.get(var) or "").strip()
    if not value:
        raise ConfigurationError(
            f"{var} is not set. {hint} Or start the bundled sandbox (`make sandbox`) and use the variables it "
            f"writes to var/sandbox.env.",
            source=source,
        )
    return value


def numbers(env: Mapping[str, str], spec: Mapping[str, tuple[str, type]], *, source: str) -> dict[str, Any]:
    """``{field: value}`` for every variable of ``spec`` (``{VAR: (field, int|float)}``) that is set."""
    values: dict[str, Any] = {}
    for var, (name, kind) in spec.items():
        raw = (env.get(var) or "").strip()
        if raw:
            try:
                values[name] = kind(raw)
            except ValueError:
                raise ConfigurationError(f"{var}={raw!r} is not a number", source=source) from None
    return values
