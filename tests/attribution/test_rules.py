"""Rule-based models on small paths, against answers computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import pytest

from attribution import RULE_MODELS

from .util import credit_map, run

# Person a: email (day 0), direct (day 2), search (day 5), direct (day 6); converts on day 7 for 100.
# Person b: one direct touch (day 1); converts on day 1.5 for 10.
# Person c: social (day 0), email (day 1); converts on day 1, the same instant as the email touch (included).
# Person d: converts on day 3 with no touch at all.
TOUCHES = [
    ("a", "a1", 0, "email"),
    ("a", "a2", 2, "direct"),
    ("a", "a3", 5, "search"),
    ("a", "a4", 6, "direct"),
    ("b", "b1", 1, "direct"),
    ("c", "c1", 0, "social"),
    ("c", "c2", 1, "email"),
]
CONVERSIONS = [("ca", "a", 7, 100.0), ("cb", "b", 1.5, 10.0), ("cc", "c", 1, 30.0), ("cd", "d", 3, 5.0)]


@pytest.fixture(scope="module")
def result():
    return run(TOUCHES, CONVERSIONS, models=RULE_MODELS, half_life_days=1.0)


def expect(result, model, credits):
    got = credit_map(result, model)
    assert set(got) == set(credits), model
    for key, value in credits.items():
        assert got[key] == pytest.approx(value, abs=1e-12), (model, key)


def test_first_and_last_touch(result):
    expect(result, "first_touch", {("ca", "a1"): 1, ("cb", "b1"): 1, ("cc", "c1"): 1, ("cd", None): 1})
    expect(result, "last_touch", {("ca", "a4"): 1, ("cb", "b1"): 1, ("cc", "c2"): 1, ("cd", None): 1})


def test_last_non_direct(result):
    # a: the last touch a4 is direct, so the last non-direct touch is a3 (search).
    # b: direct only -> falls back to the last touch.
    expect(result, "last_non_direct", {("ca", "a3"): 1, ("cb", "b1"): 1, ("cc", "c2"): 1, ("cd", None): 1})


def test_linear(result):
    # 1/n per touch: a has 4 touches -> 0.25 each; c has 2 -> 0.5 each.
    expect(
        result,
        "linear",
        {
            ("ca", "a1"): 0.25,
            ("ca", "a2"): 0.25,
            ("ca", "a3"): 0.25,
            ("ca", "a4"): 0.25,
            ("cb", "b1"): 1,
            ("cc", "c1"): 0.5,
            ("cc", "c2"): 0.5,
            ("cd", None): 1,
        },
    )


def test_time_decay(result):
    # Half-life 1 day. a: touches 7, 5, 2, 1 days before the conversion -> 2^-7, 2^-5, 2^-2, 2^-1
    # = (1, 4, 32, 64) / 128, total 101/128 -> 1/101, 4/101, 32/101, 64/101.
    # c: 1 and 0 days before -> 1/2 and 1 -> 1/3 and 2/3.
    expect(
        result,
        "time_decay",
        {
            ("ca", "a1"): 1 / 101,
            ("ca", "a2"): 4 / 101,
            ("ca", "a3"): 32 / 101,
            ("ca", "a4"): 64 / 101,
            ("cb", "b1"): 1,
            ("cc", "c1"): 1 / 3,
            ("cc", "c2"): 2 / 3,
            ("cd", None): 1,
        },
    )


def test_position_based(result):
    # 40/20/40. n = 4: 0.4, 0.2/2, 0.2/2, 0.4. n = 2: 0.4 + 0.1 each. n = 1: 1.
    expect(
        result,
        "position_based",
        {
            ("ca", "a1"): 0.4,
            ("ca", "a2"): 0.1,
            ("ca", "a3"): 0.1,
            ("ca", "a4"): 0.4,
            ("cb", "b1"): 1,
            ("cc", "c1"): 0.5,
            ("cc", "c2"): 0.5,
            ("cd", None): 1,
        },
    )


def test_w_shaped_without_stage_flags(result):
    # No lead/opportunity touch: roles present = first (0.3) + rest (0.1), rescaled to 1.
    # a: first 0.3/0.4 = 0.75, the 3 others share 0.1/0.4 = 0.25 -> 1/12 each. c: 0.75 / 0.25. b: 1.
    expect(
        result,
        "w_shaped",
        {
            ("ca", "a1"): 0.75,
            ("ca", "a2"): 0.25 / 3,
            ("ca", "a3"): 0.25 / 3,
            ("ca", "a4"): 0.25 / 3,
            ("cb", "b1"): 1,
            ("cc", "c1"): 0.75,
            ("cc", "c2"): 0.25,
            ("cd", None): 1,
        },
    )


def test_w_shaped_with_stage_flags():
    touches = [
        # e: first, lead (e2), opportunity (e3), one more touch (e4) -> exactly 0.3 / 0.3 / 0.3 / 0.1.
        ("e", "e1", 0, "email"),
        ("e", "e2", 1, "search", "l"),
        ("e", "e3", 2, "social", "o"),
        ("e", "e4", 3, "email"),
        # f: the first touch is also the lead touch -> 0.3 + 0.3 = 0.6; f3 opportunity 0.3; f2, f4 share 0.1.
        ("f", "f1", 0, "email", "l"),
        ("f", "f2", 1, "search"),
        ("f", "f3", 2, "social", "o"),
        ("f", "f4", 3, "email"),
        # g: one touch holding every role -> 1.
        ("g", "g1", 0, "email", "lo"),
        # h: lead flagged twice -> only the first flagged touch (h2) is the lead touch; no opportunity:
        # first 0.3, lead 0.3, rest h3 0.1 -> total 0.7 -> 3/7, 3/7, 1/7.
        ("h", "h1", 0, "email"),
        ("h", "h2", 1, "search", "l"),
        ("h", "h3", 2, "social", "l"),
    ]
    convs = [("ce", "e", 4, 1.0), ("cf", "f", 4, 1.0), ("cg", "g", 4, 1.0), ("ch", "h", 4, 1.0)]
    result = run(touches, convs, models=("w_shaped",))
    expect(
        result,
        "w_shaped",
        {
            ("ce", "e1"): 0.3,
            ("ce", "e2"): 0.3,
            ("ce", "e3"): 0.3,
            ("ce", "e4"): 0.1,
            ("cf", "f1"): 0.6,
            ("cf", "f2"): 0.05,
            ("cf", "f3"): 0.3,
            ("cf", "f4"): 0.05,
            ("cg", "g1"): 1.0,
            ("ch", "h1"): 3 / 7,
            ("ch", "h2"): 3 / 7,
            ("ch", "h3"): 1 / 7,
        },
    )


def test_revenue_follows_credit(result):
    rows = result.rows("time_decay")
    for cid, credit, rev in zip(rows["conversion_id"], rows["credit"], rows["revenue_credit"], strict=True):
        revenue = {"ca": 100.0, "cb": 10.0, "cc": 30.0, "cd": 5.0}[cid]
        assert rev == pytest.approx(credit * revenue)


def test_is_direct_flag_and_custom_direct_channel():
    touches = [("a", "a1", 0, "email"), ("a", "a2", 1, "search", "d"), ("a", "a3", 2, "(none)")]
    # a2 is flagged direct, a3's channel is the configured direct channel -> last non-direct is a1.
    result = run(touches, [("ca", "a", 3, 1.0)], models=("last_non_direct",), direct_channel="(none)")
    assert credit_map(result, "last_non_direct") == {("ca", "a1"): 1.0}


def test_custom_position_weights():
    touches = [("a", f"a{i}", i, "email") for i in range(5)]
    result = run(touches, [("ca", "a", 9, 1.0)], models=("position_based",), position_weights=(0.5, 0.2, 0.3))
    got = credit_map(result, "position_based")
    # n = 5: 0.5, 0.2/3 x 3, 0.3.
    assert [got[("ca", f"a{i}")] for i in range(5)] == pytest.approx([0.5, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.3])


def test_zero_credit_rows_on_request():
    result = run(TOUCHES, CONVERSIONS, models=("first_touch",), emit_zero_credit_rows=True)
    got = credit_map(result, "first_touch")
    assert got[("ca", "a1")] == 1 and got[("ca", "a2")] == 0 and got[("ca", "a4")] == 0
    assert len(got) == 7 + 1  # every touch of every path, plus the unattributed conversion
