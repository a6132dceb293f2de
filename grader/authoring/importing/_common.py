"""Writing helpers shared by the importers: Python and TOML literals for generated files."""

from __future__ import annotations

import ast
import json


def py_literal(text: str) -> str:
    """A readable Python literal of ``text``: a raw triple-quoted string where one is exact."""
    if not text:
        return '""'
    candidate = f"r'''{text}'''"
    try:
        if "\r" not in text and ast.literal_eval(candidate) == text:
            return candidate
    except (SyntaxError, ValueError):
        pass
    return repr(text)


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes; characters beyond ASCII kept as they are)."""
    return json.dumps(text, ensure_ascii=False)


def number(value: float) -> str:
    """``2`` for 2.0, ``0.5`` for 0.5: points as an instructor writes them."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
