"""By-value encoding of Python values as JSON text, for the bridge between kernel and checks.

This module is self-contained (stdlib and numpy; pandas and scikit-learn only when a value of
theirs is met) because its source is also sent into the student's kernel, where it encodes
the student's values and decodes the checks' arguments.

Decoding builds only plain data of checked types: None, bool, int, float, complex, str, bytes,
Ellipsis, list, tuple, dict, set, frozenset, numeric/bool/str/datetime numpy arrays and scalars,
pandas Index/Series/DataFrame, and :class:`EstimatorData`. Nothing is unpickled, no attribute of
any class named by the data is looked up, and sizes and depth are capped.
"""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any

MAX_DEPTH = 64
MAX_PAYLOAD = 64 * 1024 * 1024
_DTYPE = re.compile(r"^[<>|=]?(b1|[iu][1248]|f[248]|c(8|16)|[US]\d{1,6}|[mM]8(\[\d*[a-zA-Z]+\])?)$")
_EXTENSION_DTYPES = {
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
            return {
                "$": "ndarray_obj",
                "shape": list(v.shape),
                "items": [_enc(x, d) for x in v.ravel().tolist()],
            }
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
    if name not in _EXTENSION_DTYPES and not name.startswith("string"):
        raise CodecError(f"a pandas column of dtype {name} cannot travel as data")
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


# ---------------------------------------------------------------------------------- decode


def loads(text: str, limit: int = MAX_PAYLOAD) -> Any:
    """Decode JSON text made by :func:`dumps` into plain data of checked types.

    Raises:
        CodecError: the text is too large, not JSON, or not a valid encoding.
    """
    if not isinstance(text, str):
        raise CodecError("the payload is not text")
    if len(text) > limit:
        raise CodecError(f"the value is too large to transfer ({len(text) >> 20} MiB encoded)")
    try:
        tree = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CodecError(f"the payload is not valid JSON: {exc}") from None
    return decode_tree(tree)


def decode_tree(tree: Any) -> Any:
    """Decode an already parsed JSON tree made by :func:`dumps` (see :func:`loads`)."""
    return _dec(tree, 0)


def _dec(v: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError("the value is nested too deeply")
    if v is None or type(v) in (bool, int, float, str):
        return v
    if type(v) is not dict or not isinstance(v.get("$"), str):
        raise CodecError("malformed payload")
    d = depth + 1
    tag = v["$"]
    decoder = _DECODERS.get(tag)
    if decoder is None:
        raise CodecError(f"unknown value kind {tag!r}")
    try:
        return decoder(v, d)
    except CodecError:
        raise
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise CodecError(f"malformed {tag} payload: {type(exc).__name__}") from None


def _items(v: dict[str, Any], d: int) -> list[Any]:
    items = v["items"]
    if type(items) is not list:
        raise CodecError("malformed payload")
    return [_dec(x, d) for x in items]


def _str(v: Any) -> str:
    if type(v) is not str:
        raise CodecError("malformed payload")
    return v


def _dec_dict(v: dict[str, Any], d: int) -> dict[Any, Any]:
    out = {}
    for pair in v["items"]:
        if type(pair) is not list or len(pair) != 2:
            raise CodecError("malformed dict payload")
        key = _dec(pair[0], d)
        try:
            out[key] = _dec(pair[1], d)
        except TypeError:
            raise CodecError("a dict key is not hashable") from None
    return out


def _dec_ndarray(v: dict[str, Any], d: int) -> Any:
    import numpy as np

    dtype_str = _str(v["dtype"])
    if not _DTYPE.match(dtype_str):
        raise CodecError(f"dtype {dtype_str!r} is not allowed")
    dtype = np.dtype(dtype_str)
    shape = v["shape"]
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise CodecError("malformed array shape")
    raw = base64.b64decode(_str(v["b64"]), validate=True)
    count = math.prod(shape)
    if count * dtype.itemsize != len(raw):
        raise CodecError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _dec_ndarray_obj(v: dict[str, Any], d: int) -> Any:
    import numpy as np

    shape = v["shape"]
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise CodecError("malformed array shape")
    items = _items(v, d)
    if math.prod(shape) != len(items):
        raise CodecError("array data does not match its shape")
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out.reshape(shape)


def _dec_values(v: Any, d: int) -> Any:
    import pandas as pd

    tag = v.get("$") if type(v) is dict else None
    if tag == "categorical":
        categories = _dec(v["categories"], d)
        return pd.Categorical.from_codes(
            _dec(v["codes"], d), categories=categories, ordered=bool(v["ordered"])
        )
    if tag == "datetimetz":
        naive = pd.DatetimeIndex(_dec(v["v"], d))
        return naive.tz_localize("UTC").tz_convert(_str(v["tz"])).array
    if tag == "period":
        ordinals = _dec(v["v"], d)
        if getattr(ordinals, "dtype", None) is None or ordinals.dtype.kind != "i":
            raise CodecError("malformed period payload")
        return pd.PeriodIndex.from_ordinals(ordinals, freq=_str(v["freq"])).array
    if tag == "extarray":
        name = _str(v["dtype"])
        if name not in _EXTENSION_DTYPES:
            raise CodecError(f"pandas dtype {name!r} is not allowed")
        return pd.array(_items(v, d), dtype=name)
    if tag in ("ndarray", "ndarray_obj"):
        return _dec(v, d)
    raise CodecError("malformed column payload")


def _dec_index(v: dict[str, Any], d: int) -> Any:
    import pandas as pd

    if v.get("$") == "rangeindex":
        ints = [v["start"], v["stop"], v["step"]]
        if not all(type(i) is int for i in ints):
            raise CodecError("malformed range index")
        return pd.RangeIndex(*ints, name=_dec(v["name"], d))
    if v.get("$") == "multiindex":
        levels = [_dec(level, d) for level in v["levels"]]
        names = [_dec(n, d) for n in v["names"]]
        return pd.MultiIndex.from_arrays(levels, names=names)
    return pd.Index(_dec_values(v["values"], d), name=_dec(v["name"], d), copy=False)


def _dec_series(v: dict[str, Any], d: int) -> Any:
    import pandas as pd

    return pd.Series(
        _dec_values(v["values"], d), index=_dec(v["index"], d), name=_dec(v["name"], d)
    )


def _dec_dataframe(v: dict[str, Any], d: int) -> Any:
    import pandas as pd

    columns = _dec(v["columns"], d)
    index = _dec(v["index"], d)
    data = [_dec_values(col, d) for col in v["data"]]
    if len(data) != len(columns):
        raise CodecError("malformed data frame payload")
    frame = pd.DataFrame({i: pd.Series(col, index=index) for i, col in enumerate(data)})
    frame = frame.reindex(index=index) if len(data) == 0 else frame
    frame.columns = columns
    return frame


def _dec_estimator(v: dict[str, Any], d: int) -> EstimatorData:
    params = v["params"]
    attrs = v["attrs"]
    if type(params) is not dict or type(attrs) is not dict:
        raise CodecError("malformed estimator payload")
    return EstimatorData(
        _str(v["module"]),
        _str(v["class"]),
        {_str(k): _dec(x, d) for k, x in params.items()},
        {_str(k): _dec(x, d) for k, x in attrs.items()},
    )


def _dec_float(v: dict[str, Any], d: int) -> float:
    text = _str(v["v"])
    if text not in ("nan", "inf", "-inf"):
        raise CodecError("malformed float payload")
    return float(text)


def _dec_bigint(v: dict[str, Any], d: int) -> int:
    text = _str(v["v"])
    if len(text) > 4000 or not re.fullmatch(r"-?\d+", text):
        raise CodecError("malformed integer payload")
    return int(text)


def _dec_npscalar(v: dict[str, Any], d: int) -> Any:
    arr = _dec(v["v"], d)
    if getattr(arr, "shape", None) != ():
        raise CodecError("malformed numpy scalar payload")
    return arr[()]


def _dec_npdtype(v: dict[str, Any], d: int) -> Any:
    import numpy as np

    text = _str(v["v"])
    if not _DTYPE.match(text):
        raise CodecError(f"dtype {text!r} is not allowed")
    return np.dtype(text)


def _dec_timestamp(v: dict[str, Any], d: int) -> Any:
    import pandas as pd

    return pd.Timestamp(_str(v["v"]))


def _dec_timedelta(v: dict[str, Any], d: int) -> Any:
    import pandas as pd

    if type(v["ns"]) is not int:
        raise CodecError("malformed timedelta payload")
    return pd.Timedelta(v["ns"], unit="ns")


def _dec_pandas_const(v: dict[str, Any], d: int) -> Any:
    import pandas as pd

    return pd.NaT if v["$"] == "nat" else pd.NA


def _dec_complex(v: dict[str, Any], d: int) -> complex:
    re_, im = _dec(v["re"], d), _dec(v["im"], d)
    if type(re_) not in (int, float) or type(im) not in (int, float):
        raise CodecError("malformed complex payload")
    return complex(re_, im)


_DECODERS: dict[str, Any] = {
    "list": lambda v, d: _items(v, d),
    "tuple": lambda v, d: tuple(_items(v, d)),
    "set": lambda v, d: set(_items(v, d)),
    "frozenset": lambda v, d: frozenset(_items(v, d)),
    "dict": _dec_dict,
    "bytes": lambda v, d: base64.b64decode(_str(v["b64"]), validate=True),
    "ellipsis": lambda v, d: Ellipsis,
    "float": _dec_float,
    "bigint": _dec_bigint,
    "complex": _dec_complex,
    "repr": lambda v, d: _str(v["v"]),
    "ndarray": _dec_ndarray,
    "ndarray_obj": _dec_ndarray_obj,
    "npscalar": _dec_npscalar,
    "npdtype": _dec_npdtype,
    "index": _dec_index,
    "rangeindex": _dec_index,
    "multiindex": _dec_index,
    "series": _dec_series,
    "dataframe": _dec_dataframe,
    "estimator": _dec_estimator,
    "timestamp": _dec_timestamp,
    "timedelta": _dec_timedelta,
    "nat": _dec_pandas_const,
    "na": _dec_pandas_const,
}
