"""Which touches make up each conversion's path and each null path: lookback, cycles, types, ties, ordering."""

from __future__ import annotations

import numpy as np
import pytest

from attribution import AttributionConfig, AttributionError, Conversions, Touches, aggregate_paths, build_paths

from .util import conversions, credit_map, run, touches


def path_ids(t_rows, c_rows, **config) -> tuple[dict[str, list[str]], list[list[str]]]:
    t, c = touches(t_rows), conversions(c_rows)
    paths = build_paths(t, c, AttributionConfig(**config))
    tid = np.asarray(t.touch_id)
    cid = np.asarray(c.conversion_id)
    conv = {
        cid[paths.conversion_index[i]]: list(tid[paths.touch_index[paths.offsets[i] : paths.offsets[i + 1]]])
        for i in range(paths.n_conversions)
    }
    null = [
        list(tid[paths.null_touch_index[paths.null_offsets[j] : paths.null_offsets[j + 1]]])
        for j in range(paths.n_null_paths)
    ]
    return conv, null


def test_lookback_window_is_inclusive_at_both_ends():
    t = [("p", "t0", 0, "a"), ("p", "t1", 1, "b"), ("p", "t2", 10, "c"), ("p", "t3", 31, "d"), ("p", "t4", 32, "e")]
    conv, null = path_ids(t, [("c1", "p", 31, 1.0)], lookback_days=30)
    # Window [day 1, day 31]: t0 is out, t1 (exactly 30 days before) and t3 (same instant) are in, t4 is after.
    assert conv == {"c1": ["t1", "t2", "t3"]}
    assert null == [["t4"]]
    conv, _ = path_ids(t, [("c1", "p", 31, 1.0)], lookback_days=None)
    assert conv == {"c1": ["t0", "t1", "t2", "t3"]}


def test_conversion_cycles_restart_the_path():
    t = [("p", "t0", 0, "a"), ("p", "t1", 2, "b"), ("p", "t2", 3, "c"), ("p", "t3", 5, "d")]
    c = [("c1", "p", 1, 1.0), ("c2", "p", 4, 1.0)]
    conv, null = path_ids(t, c)
    assert conv == {"c1": ["t0"], "c2": ["t1", "t2"]}
    assert null == [["t3"]]
    conv, null = path_ids(t, c, restart_after_conversion=False)
    assert conv == {"c1": ["t0"], "c2": ["t0", "t1", "t2"]}
    assert null == [["t3"]]


def test_only_counted_conversion_types_cut_cycles():
    t = [("p", "t0", 0, "a"), ("p", "t1", 2, "b")]
    c = [("signup", "p", 1, 0.0, "signup"), ("buy", "p", 3, 9.0, "purchase")]
    conv, _ = path_ids(t, c, conversion_types=("purchase",))
    assert conv == {"buy": ["t0", "t1"]}
    paths = build_paths(touches(t), conversions(c), AttributionConfig(conversion_types=("purchase",)))
    assert paths.n_conversions_excluded == 1


def test_null_paths_of_people_without_conversions_use_the_lookback_of_their_last_touch():
    t = [("q", "u0", 0, "a"), ("q", "u1", 50, "b"), ("q", "u2", 60, "c"), ("r", "v0", 5, "a")]
    conv, null = path_ids(t, [], lookback_days=30)
    assert conv == {}
    assert sorted(null) == [["u1", "u2"], ["v0"]]


def test_second_conversion_at_the_same_instant_gets_an_empty_path():
    t = [("p", "t0", 0, "a")]
    conv, _ = path_ids(t, [("c1", "p", 1, 1.0), ("c2", "p", 1, 1.0)])
    assert conv == {"c1": ["t0"], "c2": []}


def test_simultaneous_touches_are_ordered_by_touch_id_whatever_the_input_order():
    t = [("p", "t2", 1, "b"), ("p", "t1", 1, "a"), ("p", "t0", 0, "c")]
    conv, _ = path_ids(t, [("c1", "p", 2, 1.0)])
    assert conv == {"c1": ["t0", "t1", "t2"]}


def test_unsorted_input_gives_the_same_paths_as_sorted_input():
    rng = np.random.default_rng(3)
    t = [(f"p{rng.integers(0, 5)}", f"t{i:03d}", float(rng.uniform(0, 40)), "abc"[i % 3]) for i in range(60)]
    c = [(f"c{i}", f"p{i % 5}", float(rng.uniform(0, 45)), 1.0) for i in range(8)]
    sorted_t = sorted(t, key=lambda r: (r[0], r[2], r[1]))
    assert path_ids(t, c) == path_ids(sorted_t, c)
    shuffled = [t[i] for i in rng.permutation(len(t))]
    assert path_ids(shuffled, c) == path_ids(t, c)


def test_integer_keys_and_epoch_seconds():
    t = Touches(
        person_key=np.array([7, 7, 8]),
        touch_id=np.array([1, 2, 3]),
        occurred_at=np.array([0.0, 86400.0, 0.0]),
        channel=np.array([0, 1, 1]),
        channel_names=["email", "search"],
    )
    c = Conversions(
        conversion_id=np.array([10]), person_key=np.array([7]), converted_at=np.array([2 * 86400.0]), revenue=None
    )
    paths = build_paths(t, c)
    assert paths.touch_index.tolist() == [0, 1]
    assert paths.revenue.tolist() == [0.0]
    assert paths.null_touch_index.tolist() == [2]


def test_bad_inputs_raise():
    good = touches([("p", "t0", 0, "a")])
    with pytest.raises(AttributionError):
        build_paths(
            Touches(good.person_key, good.touch_id, np.array(["NaT"], dtype="datetime64[us]"), good.channel),
            conversions([]),
        )
    with pytest.raises(AttributionError):
        build_paths(Touches(good.person_key, np.array(["x", "y"]), good.occurred_at, good.channel), conversions([]))
    with pytest.raises(AttributionError):
        AttributionConfig(position_weights=(0.5, 0.5, 0.5))
    with pytest.raises(AttributionError):
        AttributionConfig(models=("markov_0",))
    with pytest.raises(AttributionError):
        build_paths(
            good,
            Conversions(np.array(["c"]), np.array(["p"]), np.array([1.0])),
            AttributionConfig(conversion_types=("purchase",)),
        )


def test_unattributed_conversions_rows_or_exclusion():
    t = [("p", "t0", 0, "a")]
    c = [("c1", "p", 1, 5.0), ("c2", "nobody", 1, 7.0), ("c3", "p", 100, 3.0)]
    result = run(t, c, models=("linear", "markov_path_1", "shapley", "markov_1"))
    assert result.n_unattributed == 2  # c2 has no touches at all, c3 none within 30 days
    for model in result.touch_models:
        got = credit_map(result, model)
        assert got == {("c1", "t0"): 1.0, ("c2", None): 1.0, ("c3", None): 1.0}
    summary = result.summary()
    for model in result.models:
        un = (summary["channel"] == "(unattributed)") & (summary["model"] == model)
        assert summary["conversions"][un].tolist() == [2.0] and summary["revenue"][un].tolist() == [10.0], model
    excluded = run(t, c, models=("linear",), emit_unattributed=False)
    assert credit_map(excluded, "linear") == {("c1", "t0"): 1.0}
    assert excluded.n_unattributed == 2 and excluded.check_conservation().ok


def test_aggregate_paths_groups_identical_sequences():
    t = [
        ("p", "p1", 0, "a"),
        ("p", "p2", 1, "b"),
        ("q", "q1", 0, "a"),
        ("q", "q2", 1, "b"),
        ("r", "r1", 0, "a"),
        ("r", "r2", 1, "b"),
        ("s", "s1", 0, "b"),
        ("s", "s2", 1, "b"),
    ]
    c = [("cp", "p", 2, 10.0), ("cq", "q", 2, 5.0)]
    summary = aggregate_paths(build_paths(touches(t), conversions(c)))
    got = {
        s: (int(cv), int(nl), float(rv))
        for s, cv, nl, rv in zip(summary.as_strings(), summary.conversions, summary.nulls, summary.revenue, strict=True)
    }
    assert got == {"a > b": (2, 1, 15.0), "b > b": (0, 1, 0.0)}
    collapsed = aggregate_paths(build_paths(touches(t), conversions(c)), collapse_repeats=True)
    assert sorted(collapsed.as_strings()) == ["a > b", "b"]
