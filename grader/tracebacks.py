"""Tracebacks a student can read: their own cells named, library internals folded away.

Two shapes arrive: IPython's (a cell that raised while the notebook ran: frames are blocks
separated by blank lines, ``Cell In[4], line 2`` or ``File /…/pandas/core/frame.py:4102, in …``)
and Python's (a function called by a check: ``File "Cell In[4]", line 2, in f``). In both,
frames in installed libraries (numpy, pandas, scikit-learn …) are folded into one line naming
the libraries, and ``In[k]`` also names the notebook cell, counted from 1 as the student sees
it, since the execution counts of a graded run need not match the student's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_CELL = re.compile(r"Cell In\[(\d+)\]")
_PY_FRAME = re.compile(r'^  File "(?P<file>[^"]*)"(?=, line \d+)')
_LIB_PATH = re.compile(
    r"(?:site-packages|dist-packages)/(?P<pkg>\w+)"
    r"|lib/python3\.\d+/(?!site-packages|dist-packages)(?P<std>\w+)"
)


def readable_traceback(text: str, cell_of_count: Mapping[int, int] | None = None) -> str:
    """``text`` with library frames folded and ``Cell In[k]`` naming its notebook cell.

    ``cell_of_count`` maps an execution count to the 0-based index of the cell that ran with it.
    """
    if not text:
        return text
    if "\n\n" in text and not _PY_FRAME.search(text.split("\n", 1)[0]):
        folded = _fold_ipython(text)
    else:
        folded = _fold_python(text)
    return name_cells(folded, cell_of_count or {})


def name_cells(text: str, cell_of_count: Mapping[int, int]) -> str:
    """``Cell In[4]`` becomes ``Cell In[4] (notebook cell 7)`` where the count is known."""

    def sub(match: re.Match[str]) -> str:
        index = cell_of_count.get(int(match.group(1)))
        return match.group(0) if index is None else f"{match.group(0)} (notebook cell {index + 1})"

    return _CELL.sub(sub, text)


def _fold_ipython(text: str) -> str:
    blocks = text.split("\n\n")
    out: list[str] = []
    folded: list[str] = []
    for block in blocks:
        head = block.lstrip()
        library = _library(head.split("\n", 1)[0]) if head.startswith("File ") else None
        if library:
            folded.append(library)
            continue
        if folded:
            out.append(_fold_line(folded))
            folded = []
        out.append(block)
    if folded:
        out.append(_fold_line(folded))
    return "\n\n".join(out)


def _fold_python(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    folded: list[str] = []
    i = 0
    while i < len(lines):
        match = _PY_FRAME.match(lines[i])
        library = _library(match.group("file")) if match else None
        if match and library:
            folded.append(library)
            i += 1
            while i < len(lines) and lines[i].startswith("    "):
                i += 1  # the frame's source line(s)
            continue
        if folded:
            out.append("  " + _fold_line(folded))
            folded = []
        line = lines[i]
        if match and match.group("file").startswith("Cell In["):
            line = "  " + match.group("file") + line[match.end() :]  # as IPython writes it
        out.append(line)
        i += 1
    if folded:
        out.append("  " + _fold_line(folded))
    return "\n".join(out)


def _library(where: str) -> str | None:
    """The package a frame's file belongs to, when it is an installed library."""
    match = _LIB_PATH.search(where)
    return (match.group("pkg") or match.group("std")) if match else None


def _fold_line(packages: list[str]) -> str:
    names = ", ".join(dict.fromkeys(packages))
    frames = "frame" if len(packages) == 1 else "frames"
    return f"[… {len(packages)} {frames} inside {names}]"
