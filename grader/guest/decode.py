"""Decoding the codec's JSON text into plain data of checked types (see :mod:`.codec`).

Its source is also sent into the student's kernel (after the codec's), where it decodes the
checks' arguments; in the grader it decodes the kernel's answers. Nothing is unpickled, no
attribute of any class named by the data is looked up, and sizes and depth are capped.
"""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any

from .codec import EXTENSION_DTYPES, MAX_DEPTH, MAX_PAYLOAD, CodecError, EstimatorData

_DTYPE = re.compile(r"^[<>|=]?(b1|[iu][1248]|f[248]|c(8|16)|[US]\d{1,6}|[mM]8(\[\d*[a-zA-Z]+\])?)$")


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


_SCALARS = (bool, int, float, str)
"""What decodes as itself (see :func:`_dec`)."""


def _items(v: dict[str, Any], d: int) -> list[Any]:
    items = v["items"]
    if type(items) is not list:
        raise CodecError("malformed payload")
    if all(x is None or type(x) in _SCALARS for x in items):  # a column of text or numbers
        return items
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
        if name not in EXTENSION_DTYPES:
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
    if any(len(col) != len(index) for col in data):
        raise CodecError("malformed data frame payload")
    # Columns by position (names may repeat), each already as long as the index: no alignment.
    frame = pd.DataFrame(dict(enumerate(data)), index=index, copy=False)
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
