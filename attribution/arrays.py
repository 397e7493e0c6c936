"""The array types of the engine: one alias per dtype it computes in, so every signature says what its arrays hold.

Codes, indices and offsets are int64 (numpy's ``intp`` on the 64-bit platforms the engine runs on), channel codes of
built paths int32, credits, probabilities and money float64. Input columns (:class:`attribution.Touches`,
:class:`attribution.Conversions`) take any dtype: the engine normalises them itself. ``tests/attribution`` checks
that every dataclass field holds the dtype its annotation names.
"""

from __future__ import annotations

from typing import Any, TypeAlias, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

Float64Array: TypeAlias = NDArray[np.float64]
Int64Array: TypeAlias = NDArray[np.int64]
Int32Array: TypeAlias = NDArray[np.int32]
BoolArray: TypeAlias = NDArray[np.bool_]
#: Python objects: names, currencies (None where a conversion has none), ids read from a warehouse.
ObjectArray: TypeAlias = NDArray[np.object_]
#: Integer codes of any width (channel codes are int32 in built paths, int64 once mapped to Shapley game channels).
CodeArray: TypeAlias = NDArray[np.integer[Any]]
#: An input column, or a table column of a mixed-dtype result (``dict[str, AnyArray]``).
AnyArray: TypeAlias = NDArray[Any]

#: The element type of an array a function hands back unchanged in kind (``repeat_per_row``, ``collapse_consecutive``).
ScalarT = TypeVar("ScalarT", bound=np.generic)


def weighted_bincount(x: CodeArray, *, weights: ArrayLike, minlength: int = 0) -> Float64Array:
    """``np.bincount`` with weights: the float64 sum of the weights of each code, empty ``x`` included."""
    # np.bincount of an empty x ignores the weights and answers int64 zeros (its stub even types every bincount as
    # intp): the cast keeps the sums float64 whatever the input, a no-op (no copy) on every non-empty one.
    return np.bincount(x, weights=weights, minlength=minlength).astype(np.float64, copy=False)
