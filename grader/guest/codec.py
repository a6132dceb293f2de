"""By-value encoding of Python values as JSON text, for the bridge between kernel and checks.

Its source is also sent into the student's kernel, where it encodes the student's values
(:mod:`grader.guest.decode` decodes the checks' arguments there, and the answers in the
grader). Stdlib and numpy only; pandas and scikit-learn only when a value of theirs is met.

Decoding builds only plain data of checked types: None, bool, int, float, complex, str, bytes,
Ellipsis, list, tuple, dict, set, frozenset, numeric/bool/str/datetime numpy arrays and scalars,
pandas Index/Series/DataFrame, and :class:`EstimatorData`. Nothing is unpickled, no attribute of
any class named by the data is looked up, and sizes and depth are capped.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

MAX_DEPTH = 64
MAX_PAYLOAD = 64 * 1024 * 1024
EXTENSION_DTYPES = {
    "string", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
    "Float32", "Float64", "boolean", "str",
}  # fmt: skip


class CodecError(ValueError):
    """A value cannot travel as data, or a payload is not valid data."""


class EstimatorData:
    """A fitted scikit-learn estimator as data: its class, parameters and fitted attributes.

    Fitted attributes (those ending in ``_``) are reachable as attributes (``est.coef_``);
    methods such as ``predict`` are not: evaluate them in the kernel with ``nb.eval``.
    """

    def __init__(self, module: str, name: str, params: dict[str, Any], attrs: dict[str, Any]):
        self.module = module
        self.class_name = name
        self.params = params
        self.fitted = attrs

    @property
    def named_steps(self) -> dict[str, Any]:
        """A pipeline's steps by name (empty for other estimators)."""
        steps = self.params.get("steps") or []
        return {name: step for name, step in steps}

    def __getattr__(self, attr: str) -> Any:
        fitted = self.__dict__.get("fitted", {})
        if attr in fitted:
            return fitted[attr]
        raise AttributeError(
            f"{self.__dict__.get('class_name', 'estimator')} has no fitted attribute {attr!r}"
            " (only data crosses from the notebook; call methods with nb.eval)"
        )

    def __repr__(self) -> str:
        return f"EstimatorData({self.class_name}, params={self.params!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, EstimatorData)
            and (self.module, self.class_name) == (other.module, other.class_name)
            and self.params == other.params
        )

    __hash__ = None  # type: ignore[assignment]


# ---------------------------------------------------------------------------------- encode


def dumps(value: Any, limit: int = MAX_PAYLOAD) -> str:
    """Encode ``value`` as JSON text.

    Raises:
        CodecError: the value (or something inside it) cannot travel as data, or is too large.
    """
    text = json.dumps(_enc(value, 0), allow_nan=True, separators=(",", ":"))
    if len(text) > limit:
        raise CodecError(f"the value is too large to transfer ({len(text) >> 20} MiB encoded)")
    return text


def _enc(v: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError("the value is nested too deeply")
    d = depth + 1
    t = type(v)
    if v is None or t is bool or t is str:
        return v
    if t is int:
        return v if abs(v) < 2**63 else {"$": "bigint", "v": str(v)}
    if t is float:
        return v if math.isfinite(v) else {"$": "float", "v": repr(v)}
    if t is complex:
        return {"$": "complex", "re": _enc(v.real, d), "im": _enc(v.imag, d)}
    if t is bytes:
        return {"$": "bytes", "b64": base64.b64encode(v).decode()}
    if v is Ellipsis:
        return {"$": "ellipsis"}
    if t in (list, tuple, set, frozenset):
        return {"$": t.__name__, "items": [_enc(x, d) for x in v]}
    if t is dict:
        return {"$": "dict", "items": [[_enc(k, d), _enc(x, d)] for k, x in v.items()]}
    module = t.__module__ or ""
    if module.startswith("numpy"):
        return _enc_numpy(v, d)
    if module.startswith("pandas"):
        return _enc_pandas(v, d)
    if hasattr(v, "get_params") and module.startswith("sklearn"):
        return _enc_estimator(v, d)
    raise CodecError(f"a value of type {module}.{t.__qualname__} cannot travel as data")


def _enc_numpy(v: Any, d: int) -> Any:
    import numpy as np

    if isinstance(v, np.ndarray):
        if v.dtype.kind == "O":
            items = v.ravel().tolist()
            if not all(x is None or type(x) is str for x in items):  # text needs no encoding
                items = [_enc(x, d) for x in items]
            return {"$": "ndarray_obj", "shape": list(v.shape), "items": items}
        if v.dtype.kind not in "biufcUSmM" or v.dtype.fields is not None:
            raise CodecError(f"a numpy array of dtype {v.dtype} cannot travel as data")
        data = v if v.flags.c_contiguous else v.copy(order="C")
        return {
            "$": "ndarray",
            "dtype": data.dtype.str,
            "shape": list(data.shape),
            "b64": base64.b64encode(data.tobytes()).decode(),
        }
    if isinstance(v, np.generic):
        return {"$": "npscalar", "v": _enc_numpy(np.asarray(v), d)}
    if isinstance(v, np.dtype):
        return {"$": "npdtype", "v": v.str}
    raise CodecError(f"a value of type numpy.{type(v).__qualname__} cannot travel as data")


def _enc_values(values: Any, d: int) -> Any:
    """A pandas column's values: numpy arrays as such, extension arrays as dtype + list."""
    import numpy as np
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return {
            "$": "categorical",
            "codes": _enc_numpy(np.asarray(values.codes), d),
            "categories": _enc_index(values.categories, d),
            "ordered": bool(dtype.ordered),
        }
    if isinstance(dtype, pd.PeriodDtype):
        freq = values.freqstr
        return {"$": "period", "freq": freq, "v": _enc_numpy(np.asarray(values.asi8), d)}
    if isinstance(dtype, pd.DatetimeTZDtype):
        return {
            "$": "datetimetz",
            "tz": str(dtype.tz),
            "v": _enc_numpy(np.asarray(values.tz_convert("UTC").tz_localize(None)), d),
        }
    if isinstance(values, np.ndarray):
        return _enc_numpy(values, d)
    name = str(dtype)
    if name not in EXTENSION_DTYPES and not name.startswith("string"):
        raise CodecError(f"a pandas column of dtype {name} cannot travel as data")
    items = None
    if name == "str" or name.startswith("string"):  # text: one conversion, not one a value
        items = values.to_numpy(dtype=object, na_value=None).tolist()
        if not all(x is None or type(x) is str for x in items):
            items = None
    if items is None:
        items = [None if pd.isna(x) else _enc(_plain(x), d) for x in values]
    return {
        "$": "extarray",
        "dtype": "string" if name.startswith("string") else name,
        "items": items,
    }


def _plain(x: Any) -> Any:
    item = getattr(x, "item", None)
    return item() if callable(item) and type(x).__module__.startswith("numpy") else x


def _enc_index(index: Any, d: int) -> Any:
    import pandas as pd

    if isinstance(index, pd.RangeIndex):
        return {
            "$": "rangeindex",
            "start": index.start,
            "stop": index.stop,
            "step": index.step,
            "name": _enc(index.name, d),
        }
    if isinstance(index, pd.MultiIndex):
        return {
            "$": "multiindex",
            "levels": [_enc_index(index.get_level_values(i), d) for i in range(index.nlevels)],
            "names": [_enc(n, d) for n in index.names],
        }
    return {"$": "index", "values": _enc_values(index.array if index.dtype.kind not in "biufcmM"
                                                else index.to_numpy(), d),
            "name": _enc(index.name, d)}  # fmt: skip


def _enc_pandas(v: Any, d: int) -> Any:
    import pandas as pd

    if isinstance(v, pd.Index):
        return _enc_index(v, d)
    if isinstance(v, pd.Series):
        return {
            "$": "series",
            "values": _enc_values(_column_values(v), d),
            "index": _enc_index(v.index, d),
            "name": _enc(v.name, d),
        }
    if isinstance(v, pd.DataFrame):
        return {
            "$": "dataframe",
            "columns": _enc_index(v.columns, d),
            "index": _enc_index(v.index, d),
            "data": [_enc_values(_column_values(v.iloc[:, i]), d) for i in range(v.shape[1])],
        }
    if isinstance(v, pd.Timestamp):
        return {"$": "timestamp", "v": v.isoformat()}
    if isinstance(v, pd.Timedelta):
        return {"$": "timedelta", "ns": int(v.value)}
    if v is pd.NaT:
        return {"$": "nat"}
    if v is pd.NA:
        return {"$": "na"}
    raise CodecError(f"a value of type pandas.{type(v).__qualname__} cannot travel as data")


def _column_values(s: Any) -> Any:
    import numpy as np

    arr = s.array
    kind = getattr(s.dtype, "kind", "O")
    if type(s.dtype).__module__.startswith("numpy") and kind in "biufcmMO":
        return np.asarray(s.to_numpy())
    return arr


def _enc_estimator(v: Any, d: int) -> Any:
    params = {}
    for key, value in v.get_params(deep=False).items():
        try:
            params[key] = _enc(value, d)
        except CodecError:
            params[key] = {"$": "repr", "v": repr(value)[:200]}
    attrs = {}
    for key in sorted(vars(v)):
        if key.endswith("_") and not key.startswith("_"):
            try:
                attrs[key] = _enc(getattr(v, key), d)
            except CodecError:
                continue
    t = type(v)
    return {"$": "estimator", "module": t.__module__, "class": t.__qualname__,
            "params": params, "attrs": attrs}  # fmt: skip
