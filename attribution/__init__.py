"""Attribution engine: rule-based, exact Markov (any order) and exact Shapley models over conversion paths.

Pure Python + numpy. The entry point is :func:`attribute`; :mod:`attribution.duckdb_io` reads inputs from and writes
results to a DuckDB connection.

>>> result = attribute(touches, conversions, AttributionConfig(lookback_days=30))   # doctest: +SKIP
>>> result.rows("markov_path_1"); result.channel_totals(); result.summary()   # doctest: +SKIP

``markov_k`` is the standard Markov model (whole-data-set channel credits, ChannelAttribution's definition);
``markov_path_k`` splits each conversion over its own path by the same removal effects (per-touch rows).
"""

from attribution.config import (
    ALL_MODELS,
    FIRST_TOUCH,
    LAST_NON_DIRECT,
    LAST_TOUCH,
    LINEAR,
    POSITION_BASED,
    RULE_MODELS,
    SHAPLEY,
    TIME_DECAY,
    UNATTRIBUTED,
    W_SHAPED,
    AttributionConfig,
    AttributionError,
    is_channel_level,
    markov_model_name,
    markov_path_model_name,
)
from attribution.credits import ModelCredits
from attribution.data import Conversions, Touches
from attribution.engine import AttributionResult, ConservationReport, attribute, attribute_paths
from attribution.markov import MarkovChain, MarkovResult, fit_chain, markov_model, removal_effects
from attribution.paths import Paths, PathSummary, aggregate_paths, build_paths
from attribution.rules import rule_based_credits
from attribution.shapley import ShapleyResult, fit_game, shapley_values, subgame_shapley
from attribution.standard_markov import ChannelCredits, removal_effects_table, standard_credits

__all__ = [
    "ALL_MODELS",
    "FIRST_TOUCH",
    "LAST_NON_DIRECT",
    "LAST_TOUCH",
    "LINEAR",
    "POSITION_BASED",
    "RULE_MODELS",
    "SHAPLEY",
    "TIME_DECAY",
    "UNATTRIBUTED",
    "W_SHAPED",
    "AttributionConfig",
    "AttributionError",
    "AttributionResult",
    "ChannelCredits",
    "ConservationReport",
    "Conversions",
    "MarkovChain",
    "MarkovResult",
    "ModelCredits",
    "PathSummary",
    "Paths",
    "ShapleyResult",
    "Touches",
    "aggregate_paths",
    "attribute",
    "attribute_paths",
    "build_paths",
    "fit_chain",
    "fit_game",
    "is_channel_level",
    "markov_model",
    "markov_model_name",
    "markov_path_model_name",
    "removal_effects",
    "removal_effects_table",
    "rule_based_credits",
    "shapley_values",
    "standard_credits",
    "subgame_shapley",
]
