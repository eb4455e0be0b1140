"""Shared behaviour of result objects: a JSON-able dict and a tidy table.

Every analysis returns a frozen dataclass that derives from :class:`Result`. ``to_dict()`` turns
numpy arrays into lists, NaN and infinities into ``None`` and nested results into dicts, so that
``json.dumps(result.to_dict())`` always works. ``to_frame()`` is the stable tidy export; its column
names never depend on options such as the confidence level.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def jsonable(value: Any) -> Any:
    """Convert numpy scalars and arrays, tuples, results and non-finite floats to JSON types."""
    if isinstance(value, Result):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


class Result:
    """Mixin for frozen result dataclasses: ``to_dict()`` and an abstract ``to_frame()``."""

    def to_dict(self) -> dict[str, Any]:
        """Every field, converted to JSON-able types (NaN and inf become ``None``)."""
        if not dataclasses.is_dataclass(self):
            raise TypeError(f"{type(self).__name__} must be a dataclass")
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_frame(self) -> pd.DataFrame:
        """The tidy table of this result (one row per estimate)."""
        raise NotImplementedError(f"{type(self).__name__}.to_frame")
