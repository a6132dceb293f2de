"""Solution markers: pure functions that turn a solution cell into its student version.

Both dialects are accepted: nbgrader's block markers (``### BEGIN SOLUTION`` … ``### END
SOLUTION``, any number of ``#``) and otter's line marker (``x = 42  # SOLUTION`` → ``x = ...``).
Markdown answers between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` become
``YOUR ANSWER HERE``.
"""

from __future__ import annotations

import io
import re
import tokenize

BEGIN_CODE = re.compile(r"^(\s*)#+\s*BEGIN SOLUTION\s*$")
END_CODE = re.compile(r"^\s*#+\s*END SOLUTION\s*$")
LINE_MARK = re.compile(r"^(?P<code>.*?\S)\s*#\s*SOLUTION\s*$")
BEGIN_MD = re.compile(r"^\s*<!--\s*BEGIN SOLUTION\s*-->\s*$")
END_MD = re.compile(r"^\s*<!--\s*END SOLUTION\s*-->\s*$")

CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
ANSWER_STUB = "YOUR ANSWER HERE"
_ASSIGN_OPS = {
    "=",
    "+=",
    "-=",
    "*=",
    "/=",
    "//=",
    "%=",
    "**=",
    "@=",
    "&=",
    "|=",
    "^=",
    ">>=",
    "<<=",
}


class MarkerError(ValueError):
    """A solution region is not closed, or closed without being opened."""


def has_solution_markers(source: str) -> bool:
    """Whether a cell's source holds any solution marker of either dialect."""
    return any(
        BEGIN_CODE.match(line) or END_CODE.match(line) or LINE_MARK.match(line)
        for line in source.splitlines()
    ) or any(BEGIN_MD.match(line) or END_MD.match(line) for line in source.splitlines())


def strip_code(source: str) -> str:
    """Return the student version of a code cell's source.

    Raises:
        MarkerError: a ``BEGIN SOLUTION`` without its ``END SOLUTION`` or the reverse.
    """
    out: list[str] = []
    indent: str | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN_CODE.match(line)
        if indent is None:
            if begin:
                indent = begin.group(1)
                out.extend(indent + stub for stub in CODE_STUB)
            elif END_CODE.match(line):
                raise MarkerError(f"line {number}: END SOLUTION without BEGIN SOLUTION")
            else:
                out.append(_strip_line(line))
        elif END_CODE.match(line):
            indent = None
        elif begin:
            raise MarkerError(f"line {number}: BEGIN SOLUTION inside another solution region")
    if indent is not None:
        raise MarkerError("BEGIN SOLUTION is never closed by END SOLUTION")
    return "\n".join(out)


def strip_markdown(source: str) -> str:
    """Return the student version of a markdown cell's source.

    Raises:
        MarkerError: an unbalanced ``<!-- BEGIN SOLUTION -->`` region.
    """
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        if BEGIN_MD.match(line):
            if inside:
                raise MarkerError(f"line {number}: nested BEGIN SOLUTION")
            inside = True
            out.append(ANSWER_STUB)
        elif END_MD.match(line):
            if not inside:
                raise MarkerError(f"line {number}: END SOLUTION without BEGIN SOLUTION")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError("<!-- BEGIN SOLUTION --> is never closed")
    return "\n".join(out)


def _strip_line(line: str) -> str:
    """``lhs = rhs  # SOLUTION`` → ``lhs = ...``; ``return x  # SOLUTION`` → ``return ...``."""
    marked = LINE_MARK.match(line)
    if not marked:
        return line
    code = marked.group("code")
    indent = code[: len(code) - len(code.lstrip())]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code.strip() + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return indent + "..."
    depth = 0
    for tok in tokens:
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif depth == 0 and tok.type == tokenize.OP and tok.string in _ASSIGN_OPS:
            lhs = code.strip()[: tok.start[1]].rstrip()
            return f"{indent}{lhs} {tok.string} ..."
    first = tokens[0] if tokens else None
    if first is not None and first.type == tokenize.NAME and first.string in {"return", "yield"}:
        return f"{indent}{first.string} ..."
    return indent + "..."
