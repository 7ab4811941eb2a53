"""One conversion to JSON-ready values, shared by the CLI, the records and the web API."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["jsonable"]


def jsonable(obj: Any) -> Any:
    """NumPy arrays and scalars to Python, non-finite floats to ``None``, recursively through
    dicts, lists and tuples.

    >>> jsonable({"a": np.array([1.0, np.nan]), "b": (np.int64(2), np.bool_(True))})
    {'a': [1.0, None], 'b': [2, True]}
    >>> jsonable(np.array([[np.inf, 2.5], [3.0, -np.inf]]))
    [[None, 2.5], [3.0, None]]
    """
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f":  # the whole array at once: C loops, not a Python walk
            finite = np.isfinite(obj)
            return obj.tolist() if finite.all() else \
                np.where(finite, obj.astype(object), None).tolist()
        if obj.dtype.kind in "iub":
            return obj.tolist()
        return jsonable(obj.tolist())
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj
