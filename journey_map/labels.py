"""Plain-language names and the colour palette shared by the HTML report and the PNG images.

Marketers read these labels, so table vocabulary (``paid_social``, ``w_shaped``) never reaches a chart unexplained.
"""

from __future__ import annotations

# The stage ladder, lowest first. Mirrors the dbt var journey_stages (a test keeps the two in step).
STAGES: tuple[str, ...] = ("awareness", "engagement", "consideration", "conversion", "retention", "advocacy")

# The channel vocabulary of fct_touchpoints.channel (its accepted_values test); designed journeys are checked on it.
CHANNELS: tuple[str, ...] = (
    "direct",
    "cross_network",
    "paid_shopping",
    "paid_search",
    "paid_social",
    "paid_video",
    "display",
    "paid_other",
    "organic_shopping",
    "organic_social",
    "organic_video",
    "organic_search",
    "referral",
    "email",
    "affiliates",
    "audio",
    "sms",
    "mobile_push",
    "unassigned",
    "offline",
    "sales",
    "crm",
)

# Channels left out of channel paths: sales and CRM bookkeeping are not marketing exposure (dbt var
# path_excluded_channels, which rpt_journey_paths uses; the numbers test compares the two).
PATH_EXCLUDED_CHANNELS: tuple[str, ...] = ("sales", "crm")

UNKNOWN_PERSONA = "(unknown)"
NO_COHORT = "(no touches)"

_SPECIAL = {
    "paid_search": "Paid search",
    "paid_social": "Paid social ads",
    "organic_search": "Organic search",
    "organic_social": "Organic social",
    "crm": "CRM update",
    "sales": "Sales team",
    "sms": "SMS",
    "(unattributed)": "No touch to credit",
    UNKNOWN_PERSONA: "No persona set",
    "first_touch": "First touch",
    "last_touch": "Last touch",
    "last_non_direct": "Last non-direct touch",
    "linear": "Linear (equal shares)",
    "time_decay": "Time decay",
    "position_based": "Position based (40/20/40)",
    "w_shaped": "W-shaped",
    "markov_1": "Markov chain (1st order)",
    "markov_2": "Markov chain (2nd order)",
    "markov_3": "Markov chain (3rd order)",
    "markov_path_1": "Markov chain per path (1st order)",
    "markov_path_2": "Markov chain per path (2nd order)",
    "markov_path_3": "Markov chain per path (3rd order)",
    "shapley": "Shapley value",
    "drop_off": "Dropped off",
}


# One line under the model chooser where a Markov model is shown: its two forms share credit differently.
_STANDARD_MARKOV_NOTE = (
    "Standard Markov model: all conversions are shared out by each channel's removal effect (the share of"
    " conversions lost without it), over all journeys at once."
)
_PATH_MARKOV_NOTE = (
    "Markov per path: each conversion is split over the channels on its own path, by the same removal effects."
)
MODEL_NOTES: dict[str, str] = {
    **{f"markov_{k}": _STANDARD_MARKOV_NOTE for k in (1, 2, 3)},
    **{f"markov_path_{k}": _PATH_MARKOV_NOTE for k in (1, 2, 3)},
}


def label(value: str | None) -> str:
    """A readable name: known terms from the table above, else the code with underscores as spaces."""
    if value is None:
        return "Not set"
    if value in _SPECIAL:
        return _SPECIAL[value]
    text = value.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


# Okabe-Ito: the palette designed to stay distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow (light: only for fills with dark text around)
    "#000000",
)
GREY = "#8C8C8C"
DROPPED = "#D55E00"
CONVERTED = "#009E73"
SPEND = "#E69F00"
REVENUE = "#0072B2"
