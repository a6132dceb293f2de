"""Run in each student kernel as it starts (its source is passed as an ``exec_lines`` entry).

A tight loop of prints kills an IPython 9 kernel with a MemoryError: IPython keeps a copy of
every write of every cell in its history, and ipykernel buffers a cell's output without bound
until its I/O thread sends it. Here writes beyond the per-cell cap are dropped, with one notice,
and IPython keeps no copy. This protects honest students only: the
grader enforces the same cap on what it receives (:class:`grader.execute.OutputCap`) and
trusts nothing done here.
"""

from __future__ import annotations

import functools
import inspect


def _grader_cap_streams(limit: int) -> None:
    import sys
    from typing import Any

    from IPython import get_ipython

    used = {"chars": 0, "noticed": False}

    def reset(*_: object) -> None:
        used.update(chars=0, noticed=False)
        # IPython has just wrapped each stream's ``write`` on the instance, to keep a copy of
        # the cell's output in its history; drop that, so writes reach the capped class method.
        for stream in (sys.stdout, sys.stderr):
            vars(stream).pop("write", None)

    def capped(write: Any) -> Any:
        def write_capped(stream: Any, text: str) -> int:
            room = limit - used["chars"]
            if room > 0:
                used["chars"] += min(len(text), room)
                write(stream, text[:room])
            if len(text) > room and not used["noticed"]:  # something was dropped: say so once
                used["noticed"] = True
                write(stream, "\n[grader: further output of this cell dropped]\n")
            return len(text)

        return write_capped

    # On the class: IPython re-reads each stream's ``write`` around every cell.
    out_stream = type(sys.stdout)
    out_stream.write = capped(out_stream.write)  # type: ignore[method-assign]
    get_ipython().events.register("pre_run_cell", reset)


@functools.cache
def startup_code(limit: int) -> str:
    """The code a kernel runs at start: this module's function, called, then deleted."""
    function = inspect.getsource(_grader_cap_streams)
    return f"{function}\n_grader_cap_streams({limit})\ndel _grader_cap_streams\n"
