"""Readable assertion messages for checks that compare arrays and DataFrames.

numpy's and pandas' testing functions fail with messages written for library developers:
whole arrays printed, or one internal detail of the first difference. While checks run,
:func:`readable_assertions` wraps them so that a failure says what a student needs: the
shapes and dtypes, the first entries that differ (where, what was got, what was expected) and
the tolerance; for DataFrames, the missing or extra columns, the differing dtypes and the
first differing rows of each column.

The wrapping lasts only while the checks run, in the process that runs them, and changes only
the message of an ``AssertionError`` that the original function raised: what passes and
what fails is decided by numpy and pandas themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

SHOWN = 5
"""Differing entries (or rows) listed per message."""

_NUMPY = ("assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_equal")
_PANDAS = ("assert_frame_equal", "assert_series_equal")
_ERR_MSG_AT = {"assert_allclose": 5, "assert_array_equal": 2, "assert_array_almost_equal": 3}
_ERR_MSG_AT["assert_equal"] = 2


@contextmanager
def readable_assertions() -> Iterator[None]:
    """Within the block, numpy/pandas testing functions fail with readable messages."""
    saved: list[tuple[Any, str, Any]] = []
    for module, names in ((np.testing, _NUMPY), (pd.testing, _PANDAS)):
        for name in names:
            original = getattr(module, name)
            saved.append((module, name, original))
            setattr(module, name, _explaining(name, original))
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _explaining(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        except AssertionError:
            try:
                text = explain(name, args, kwargs)
            except Exception:  # an explanation must never hide the failure
                text = None
            if text is None:
                raise
            raise AssertionError(text) from None

    wrapper.__grader_explains__ = True  # type: ignore[attr-defined]
    return wrapper


def explain(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The readable message for a failed ``name(*args, **kwargs)``, or None to keep numpy's."""
    if name in _PANDAS:
        left, right = _two(args, kwargs, "left", "right")
        if isinstance(left, pd.DataFrame) and isinstance(right, pd.DataFrame):
            return explain_frames(left, right, kwargs)
        if isinstance(left, pd.Series) and isinstance(right, pd.Series):
            return explain_series(left, right, kwargs)
        return None
    actual, desired = _two(args, kwargs, "actual", "desired")
    if name == "assert_equal" and not isinstance(actual, np.ndarray | list | tuple):
        return None
    if name == "assert_allclose":
        rtol = float(_arg(args, kwargs, 2, "rtol", 1e-7))
        atol = float(_arg(args, kwargs, 3, "atol", 0.0))
        tolerance = f"rtol={rtol:g}, atol={atol:g}"
    elif name == "assert_array_almost_equal":
        decimal = int(_arg(args, kwargs, 2, "decimal", 6))
        rtol, atol = 0.0, 1.5 * 10.0**-decimal
        tolerance = f"{decimal} decimals (|got - expected| < {atol:g})"
    else:
        rtol, atol, tolerance = 0.0, 0.0, "exact"
    header = _custom(args, kwargs, _ERR_MSG_AT[name])
    return header + explain_arrays(actual, desired, rtol, atol, tolerance)


def explain_arrays(
    actual: Any, desired: Any, rtol: float = 0.0, atol: float = 0.0, tolerance: str = "exact"
) -> str:
    """Shape, dtype, how many entries differ and the first of them, and the tolerance."""
    got = np.asarray(actual)
    want = np.asarray(desired)
    lines = []
    if got.shape != want.shape and want.shape != () and got.shape != ():
        lines.append(f"shape {got.shape}, expected {want.shape}")
        lines.append(f"dtype {got.dtype}, expected dtype {want.dtype}")
        return "\n".join(lines)
    if got.shape == want.shape == ():
        return f"got {_show(got[()])}, expected {_show(want[()])} (tolerance: {tolerance})"
    got, want = np.broadcast_arrays(got, want)
    differ = _differ(got, want, rtol, atol)
    count = int(differ.sum())
    lines.append(
        f"{count} of {differ.size} entries differ (shape {got.shape}; tolerance: {tolerance})"
    )
    if got.dtype != want.dtype and got.dtype.kind != want.dtype.kind:
        lines.append(f"dtype {got.dtype}, expected dtype {want.dtype}")
    for index in list(zip(*np.nonzero(differ), strict=True))[:SHOWN]:
        where = "[" + ", ".join(str(int(i)) for i in index) + "]"
        lines.append(f"  at {where}: got {_show(got[index])}, expected {_show(want[index])}")
    if count > SHOWN:
        lines.append(f"  … and {count - SHOWN} more")
    return "\n".join(lines)


def explain_frames(left: pd.DataFrame, right: pd.DataFrame, kwargs: dict[str, Any]) -> str:
    """The differing columns (missing, extra, dtype) and the first differing rows of each."""
    lines = []
    missing = [c for c in right.columns if c not in left.columns]
    extra = [c for c in left.columns if c not in right.columns]
    if missing:
        lines.append(f"missing columns: {_names(missing)}")
    if extra:
        lines.append(f"unexpected columns: {_names(extra)}")
    if len(left) != len(right):
        lines.append(f"{len(left)} rows, expected {len(right)}")
    elif not left.index.equals(right.index):
        lines.append(f"row labels {_cut(list(left.index))}, expected {_cut(list(right.index))}")
    common = [c for c in right.columns if c in left.columns]
    if kwargs.get("check_like") is not True and not missing and not extra:
        if list(left.columns) != list(right.columns):
            lines.append(
                f"columns in order {_names(left.columns)}, expected {_names(right.columns)}"
            )
    for column in common:
        lines += _column_lines(left[column], right[column], kwargs, f"column {column!r}: ")
    if not lines:
        return "the DataFrames differ: " + _frame_attrs(left, right)
    return "\n".join(lines)


def explain_series(left: pd.Series, right: pd.Series, kwargs: dict[str, Any]) -> str:
    """Length, labels, dtype and the first differing rows of two Series."""
    lines = []
    if len(left) != len(right):
        lines.append(f"{len(left)} rows, expected {len(right)}")
    elif not left.index.equals(right.index):
        lines.append(f"row labels {_cut(list(left.index))}, expected {_cut(list(right.index))}")
    lines += _column_lines(left, right, kwargs, "")
    if left.name != right.name and kwargs.get("check_names", True):
        lines.append(f"name {left.name!r}, expected {right.name!r}")
    return "\n".join(lines) if lines else "the Series differ: " + _frame_attrs(left, right)


def _column_lines(
    got: pd.Series, want: pd.Series, kwargs: dict[str, Any], prefix: str
) -> list[str]:
    lines = []
    if kwargs.get("check_dtype", True) and got.dtype != want.dtype:
        lines.append(f"{prefix}dtype {got.dtype}, expected {want.dtype}")
    if len(got) != len(want):
        return lines
    exact = kwargs.get("check_exact") is True
    rtol = 0.0 if exact else float(kwargs.get("rtol", 1e-5))
    atol = 0.0 if exact else float(kwargs.get("atol", 1e-8))
    rows = _differing_rows(got, want, rtol, atol)
    if rows:
        lines.append(f"{prefix}{len(rows)} of {len(got)} rows differ")
        for i in rows[:SHOWN]:
            got_value, want_value = _show(got.iloc[i]), _show(want.iloc[i])
            lines.append(f"  row {got.index[i]!r}: got {got_value}, expected {want_value}")
        if len(rows) > SHOWN:
            lines.append(f"  … and {len(rows) - SHOWN} more")
    return lines


def _differ(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    if got.dtype.kind in "biufc" and want.dtype.kind in "biufc":
        with np.errstate(all="ignore"):
            close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
        return np.asarray(~close)
    same = np.frompyfunc(_same_value, 2, 1)(got, want).astype(bool)
    return np.asarray(~same)


def _differing_rows(got: pd.Series, want: pd.Series, rtol: float, atol: float) -> list[int]:
    a = got.to_numpy(dtype=object)
    b = want.to_numpy(dtype=object)
    out = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if _is_number(x) and _is_number(y):
            if not np.isclose(float(x), float(y), rtol=rtol, atol=atol, equal_nan=True):
                out.append(i)
        elif not _same_value(x, y):
            out.append(i)
    return out


def _same_value(x: Any, y: Any) -> bool:
    if _missing(x) and _missing(y):
        return True
    try:
        return bool(x == y)
    except Exception:
        return False


def _missing(x: Any) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.number) and not isinstance(x, bool | np.bool_)


def _show(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _names(columns: Any) -> str:
    return _cut([str(c) for c in columns])


def _cut(items: list[Any], limit: int = 8) -> str:
    shown = ", ".join(repr(x) for x in items[:limit])
    return f"[{shown}{', …' if len(items) > limit else ''}]"


def _frame_attrs(left: pd.DataFrame | pd.Series, right: pd.DataFrame | pd.Series) -> str:
    if left.index.names != right.index.names:
        return f"index names {left.index.names}, expected {right.index.names}"
    return f"index type {type(left.index).__name__}, expected {type(right.index).__name__}"


def _two(args: tuple[Any, ...], kwargs: dict[str, Any], first: str, second: str) -> tuple[Any, Any]:
    a = args[0] if len(args) > 0 else kwargs.get(first)
    b = args[1] if len(args) > 1 else kwargs.get(second)
    return a, b


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], pos: int, key: str, default: Any) -> Any:
    return args[pos] if len(args) > pos else kwargs.get(key, default)


def _custom(args: tuple[Any, ...], kwargs: dict[str, Any], pos: int) -> str:
    """The check author's own ``err_msg``, as the first line."""
    text = _arg(args, kwargs, pos, "err_msg", "")
    return f"{text}\n" if isinstance(text, str) and text else ""
