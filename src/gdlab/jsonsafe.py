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
    """
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj
