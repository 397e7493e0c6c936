"""The array annotations of the engine are true: every array a dataclass holds (or a path property hands out) has the
dtype its annotation names (attribution/arrays.py), on every code path that builds it.

mypy cannot check this by itself: most numpy operations are typed as returning arrays of any dtype, so a field
annotated float64 that really holds int64 would pass it.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import types
from typing import Any, Union, get_args, get_origin, get_type_hints

import numpy as np
import pytest

import attribution
from attribution import AttributionConfig, Conversions, Touches, aggregate_paths, attribute, fit_chain
from attribution.arrays import weighted_bincount

from .util import conversions, random_dataset, touches


def _dtype_of(hint: Any) -> Any:
    """The scalar type an ``NDArray[...]`` hint names (``Any`` for any dtype)."""
    dtype_hint = get_args(hint)[1]
    return get_args(dtype_hint)[0]


def assert_matches(value: Any, hint: Any, where: str) -> None:
    """Fail unless ``value`` fits ``hint`` as far as arrays go: right dtype, inside unions, tuples and dicts."""
    origin = get_origin(hint)
    assert hint is not np.ndarray, f"{where} is annotated np.ndarray without its dtype"
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        if value is None:
            assert len(options) < len(get_args(hint)), f"{where} is None, which its annotation does not allow"
            return
        arrays = [a for a in options if get_origin(a) is np.ndarray or a is np.ndarray]
        if isinstance(value, np.ndarray):
            assert len(arrays) == 1, f"{where}: expected one array type in {hint}"
            assert_matches(value, arrays[0], where)
        return
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return
        assert isinstance(value, tuple) and len(value) == len(args), f"{where}: expected a {len(args)}-tuple"
        for i, (v, h) in enumerate(zip(value, args, strict=True)):
            assert_matches(v, h, f"{where}[{i}]")
        return
    if origin is dict:
        for k, v in value.items():
            assert_matches(v, get_args(hint)[1], f"{where}[{k!r}]")
        return
    if origin is not np.ndarray:
        return
    assert isinstance(value, np.ndarray), f"{where} is a {type(value).__name__}, not an array"
    scalar = _dtype_of(hint)
    if scalar is Any:
        return
    if isinstance(scalar, type) and not scalar.__subclasses__():
        assert value.dtype == np.dtype(scalar), f"{where} holds {value.dtype}, annotated {scalar.__name__}"
    else:  # an abstract scalar type such as np.integer[Any]
        kind = get_origin(scalar) or scalar
        assert np.issubdtype(value.dtype, kind), f"{where} holds {value.dtype}, annotated {kind.__name__}"


def _array_fields(cls: type) -> dict[str, Any]:
    hints = get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if "ndarray" in str(hints[f.name])}


def check_instance(obj: Any) -> None:
    cls = type(obj)
    for name, hint in _array_fields(cls).items():
        assert_matches(getattr(obj, name), hint, f"{cls.__name__}.{name}")
    for name, member in vars(cls).items():
        if isinstance(member, property):
            assert_matches(getattr(obj, name), get_type_hints(member.fget).get("return"), f"{cls.__name__}.{name}")


def _array_dataclasses() -> set[type]:
    """Every dataclass of the attribution package that holds an array."""
    found = set()
    for info in pkgutil.iter_modules(attribution.__path__):
        module = importlib.import_module(f"attribution.{info.name}")
        for obj in vars(module).values():
            ours = isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == module.__name__
            if ours and _array_fields(obj):
                found.add(obj)
    return found


CASES = {
    "default": {},
    # the iterative Markov solver, repeats collapsed, zero-credit rows kept, no window, no conversion cycles
    "iterative": {"markov_dense_max_states": 1, "markov_collapse_repeats": True, "emit_zero_credit_rows": True},
    "unlimited": {"lookback_days": None, "restart_after_conversion": False, "emit_unattributed": False},
    # more channels than the exact Shapley limit: the rarest are grouped
    "shapley_grouped": {"shapley_max_channels": 3, "conversion_types": ("purchase",)},
}


def _objects(touch_input: Touches, conversion_input: Conversions, config: AttributionConfig) -> list[Any]:
    result = attribute(touch_input, conversion_input, config)
    paths = result.paths
    objects: list[Any] = [touch_input, conversion_input, paths, aggregate_paths(paths)]
    objects += [*result.credits.values(), *result.markov.values(), *result.channel_credits.values()]
    if result.shapley is not None:
        objects.append(result.shapley)
    if paths.n_rows or paths.n_null_paths:
        objects.append(fit_chain(*paths.sequences(), 2, paths.n_channels))
    return objects


def _check_result_methods(touch_input: Touches, conversion_input: Conversions, config: AttributionConfig) -> None:
    result = attribute(touch_input, conversion_input, config)
    paths = result.paths
    assert_matches(paths.sequences(), get_type_hints(type(paths).sequences)["return"], "Paths.sequences()")
    assert_matches(paths.currency_codes(), get_type_hints(type(paths).currency_codes)["return"], "currency_codes()")
    for model in result.touch_models:
        assert_matches(result.revenue_credit(model), get_type_hints(type(result).revenue_credit)["return"], model)


@pytest.mark.parametrize("case", sorted(CASES))
def test_arrays_hold_the_dtypes_their_annotations_name(case):
    config = AttributionConfig(**CASES[case])
    t_rows, c_rows = random_dataset(3, n_channels=7)
    covered = set()
    for obj in _objects(touches(t_rows), conversions(c_rows), config):
        check_instance(obj)
        covered.add(type(obj))
    _check_result_methods(touches(t_rows), conversions(c_rows), config)
    assert _array_dataclasses() <= covered, "a dataclass holding arrays is not checked here"


def test_integer_codes_and_empty_inputs_keep_the_dtypes():
    # channel codes with their names (what attribution.duckdb_io reads), integer keys, epoch seconds
    coded = Touches(
        person_key=np.array([7, 7, 8]),
        touch_id=np.array([1, 2, 3]),
        occurred_at=np.array([0.0, 86400.0, 0.0]),
        channel=np.array([0, 1, 1], dtype=np.int16),
        channel_names=["email", "search"],
    )
    coded_conversions = Conversions(np.array([10]), np.array([7]), np.array([2 * 86400.0]))
    for obj in _objects(coded, coded_conversions, AttributionConfig()):
        check_instance(obj)
    for obj in _objects(touches([]), conversions([]), AttributionConfig()):
        check_instance(obj)
    for obj in _objects(touches([]), conversions([("c", "p", 1.0, 5.0)]), AttributionConfig()):
        check_instance(obj)


def test_weighted_bincount_sums_weights_as_float64_even_of_nothing():
    sums = weighted_bincount(np.array([0, 2, 2]), weights=np.array([True, True, False]), minlength=4)
    assert sums.dtype == np.float64
    assert sums.tolist() == [1.0, 0.0, 1.0, 0.0]
    # np.bincount itself answers int64 zeros here, weights or not
    empty = weighted_bincount(np.zeros(0, dtype=np.int64), weights=np.zeros(0), minlength=2)
    assert empty.dtype == np.float64
    assert empty.tolist() == [0.0, 0.0]


def test_the_checker_catches_a_wrong_dtype():
    @dataclasses.dataclass
    class Wrong:
        values: np.ndarray[tuple[Any, ...], np.dtype[np.float64]]

    with pytest.raises(AssertionError, match="holds int64, annotated float64"):
        check_instance(Wrong(np.zeros(2, dtype=np.int64)))
