"""Configuration of the attribution engine: which conversions count, the lookback window and each model's knobs."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_TOUCH = "first_touch"
LAST_TOUCH = "last_touch"
LAST_NON_DIRECT = "last_non_direct"
LINEAR = "linear"
TIME_DECAY = "time_decay"
POSITION_BASED = "position_based"
W_SHAPED = "w_shaped"
SHAPLEY = "shapley"

#: The rule-based models, in output order.
RULE_MODELS: tuple[str, ...] = (
    FIRST_TOUCH,
    LAST_TOUCH,
    LAST_NON_DIRECT,
    LINEAR,
    TIME_DECAY,
    POSITION_BASED,
    W_SHAPED,
)


def markov_model_name(order: int) -> str:
    """``markov_1``, ``markov_2``, ... : the standard Markov model of that order.

    The standard (ChannelAttribution's, the literature's) allocation is over the whole data set: channel c gets
    ``total conversions x RE_c / sum(RE)``, so it credits channels, not touches (``AttributionResult.channel_totals``).
    """
    return f"markov_{order}"


def markov_path_model_name(order: int) -> str:
    """``markov_path_1``, ... : the path-level variant, which splits each conversion over the channels on its own path
    in proportion to their removal effects (per-touch rows, so it can be cut by campaign, person or month)."""
    return f"markov_path_{order}"


#: Every model :func:`attribution.attribute` runs by default.
ALL_MODELS: tuple[str, ...] = (
    *RULE_MODELS,
    "markov_1",
    "markov_2",
    "markov_3",
    "markov_path_1",
    "markov_path_2",
    "markov_path_3",
    SHAPLEY,
)

#: Channel name used in summaries for conversions that had no touch in their window.
UNATTRIBUTED = "(unattributed)"


class AttributionError(ValueError):
    """Bad input or configuration, or a broken invariant (credit not conserved)."""


@dataclass(frozen=True)
class AttributionConfig:
    """Every knob of :func:`attribution.attribute`.

    Paths. A conversion's path is the touches of the same person with
    ``converted_at - lookback_days <= occurred_at <= converted_at`` and, when ``restart_after_conversion`` is set
    (conversion cycles), ``occurred_at > `` the person's previous counted conversion. Only conversions whose type is in
    ``conversion_types`` count (``None`` = every type); the others are ignored entirely and do not cut cycles.
    A person's *null path* (non-converting journey, used by Markov and Shapley only) is their touches after their last
    counted conversion (all of them if none), within ``lookback_days`` before their last touch.
    """

    #: Window before each conversion, in days (fractions allowed). ``None``: unlimited.
    lookback_days: float | None = 30.0
    #: Conversion types that count; ``None`` counts every conversion.
    conversion_types: tuple[str, ...] | None = None
    #: Conversion cycles: a path starts after the person's previous counted conversion.
    restart_after_conversion: bool = True
    #: Models to run, by name (see :data:`ALL_MODELS`; ``markov_<k>`` and ``markov_path_<k>`` for any order k >= 1).
    models: tuple[str, ...] = ALL_MODELS
    #: Touches whose channel is this name count as direct (as well as touches flagged ``is_direct``).
    direct_channel: str = "direct"
    #: Time decay: weight of a touch is ``2 ** (-days_before_conversion / half_life_days)``.
    half_life_days: float = 7.0
    #: Position based (U-shaped): first, middle (shared), last.
    position_weights: tuple[float, float, float] = (0.4, 0.2, 0.4)
    #: W-shaped: first touch, lead-creation touch, opportunity-creation touch, rest (shared).
    w_weights: tuple[float, float, float, float] = (0.3, 0.3, 0.3, 0.1)
    #: Markov: collapse consecutive repeats of a channel before building states (the "exposure" path transform).
    #: Off by default, as in ChannelAttribution's ``markov_model`` (which only drops self-transitions of states; that
    #: does not change exact absorption probabilities, so this engine drops them too).
    markov_collapse_repeats: bool = False
    #: Markov: state spaces up to this size are solved with a dense LU solve; larger ones iteratively.
    markov_dense_max_states: int = 600
    #: Markov: the iterative solver stops once the probability mass not yet absorbed is below this (an error bound).
    markov_tol: float = 1e-12
    #: Markov: iteration cap of the iterative solver (raises if the bound is not reached).
    markov_max_iter: int = 1_000_000
    #: Shapley: exact over all 2**n subsets for up to this many channels.
    shapley_max_channels: int = 15
    #: Shapley with more channels than the limit: ``"group"`` folds the rarest into ``other_channel``;
    #: ``"error"`` raises.
    shapley_overflow: str = "group"
    #: Shapley: a channel whose value in a conversion's coalition is negative gets 0 credit there
    #: (off: negative credit is kept; credits still sum to 1).
    shapley_clip_negative: bool = True
    #: Name of the grouped channel for Shapley overflow.
    other_channel: str = "(other)"
    #: Emit rows whose credit is exactly 0 (e.g. non-first touches under first touch). Off: only credited touches.
    emit_zero_credit_rows: bool = False
    #: Conversions with no touch in their window get one row per model with no touch (``touch_index == -1``),
    #: credit 1 and the whole revenue, so totals stay whole. Off: they are left out (and counted in the result).
    emit_unattributed: bool = True
    #: Check conservation after every run and raise :class:`AttributionError` if it fails.
    check_conservation: bool = True
    #: Absolute tolerance of the conservation check (credit; revenue uses it relative to max(1, |revenue|)).
    conservation_atol: float = 1e-9

    def __post_init__(self) -> None:
        if self.lookback_days is not None and not self.lookback_days >= 0:
            raise AttributionError(f"lookback_days must be >= 0 or None, got {self.lookback_days!r}")
        if not self.half_life_days > 0:
            raise AttributionError(f"half_life_days must be > 0, got {self.half_life_days!r}")
        for name, weights, size in (("position_weights", self.position_weights, 3), ("w_weights", self.w_weights, 4)):
            if len(weights) != size or any(not w >= 0 for w in weights) or abs(sum(weights) - 1.0) > 1e-9:
                raise AttributionError(f"{name} must be {size} non-negative weights summing to 1, got {weights!r}")
        if self.shapley_overflow not in ("group", "error"):
            raise AttributionError(f"shapley_overflow must be 'group' or 'error', got {self.shapley_overflow!r}")
        if not 1 <= self.shapley_max_channels <= 20:
            raise AttributionError("shapley_max_channels must be between 1 and 20 (2**n subsets are enumerated)")
        for m in self.models:
            if (
                m not in RULE_MODELS
                and m != SHAPLEY
                and parse_markov_order(m) is None
                and parse_markov_path_order(m) is None
            ):
                raise AttributionError(f"unknown model {m!r}")
        if len(set(self.models)) != len(self.models):
            raise AttributionError(f"duplicate model in {self.models!r}")

    @property
    def markov_orders(self) -> tuple[int, ...]:
        """Orders of the standard Markov models (``markov_k``) among :attr:`models`, in the order given."""
        return tuple(o for o in (parse_markov_order(m) for m in self.models) if o is not None)

    @property
    def markov_path_orders(self) -> tuple[int, ...]:
        """Orders of the path-level Markov models (``markov_path_k``) among :attr:`models`, in the order given."""
        return tuple(o for o in (parse_markov_path_order(m) for m in self.models) if o is not None)

    @property
    def fitted_markov_orders(self) -> tuple[int, ...]:
        """Every order a chain is fitted for (``markov_k`` and ``markov_path_k`` of one order share one chain)."""
        return tuple(dict.fromkeys((*self.markov_orders, *self.markov_path_orders)))


def _order_after(model: str, prefix: str) -> int | None:
    rest = model[len(prefix) :] if model.startswith(prefix) else ""
    return int(rest) if rest.isdigit() and int(rest) >= 1 else None


def parse_markov_order(model: str) -> int | None:
    """``"markov_2"`` -> 2; anything else (``markov_path_2`` included) -> None."""
    return _order_after(model, "markov_")


def parse_markov_path_order(model: str) -> int | None:
    """``"markov_path_2"`` -> 2; anything else -> None."""
    return _order_after(model, "markov_path_")


def is_channel_level(model: str) -> bool:
    """Models that credit channels over the whole data set rather than touches (the standard Markov models)."""
    return parse_markov_order(model) is not None
