"""Run in each student kernel as it starts (its source is passed as an ``exec_lines`` entry).

A notebook that fills its memory limit can leave too little for IPython to format the
``MemoryError`` and for ipykernel to send it (how little is chance: where the limit falls among
the notebook's allocations; a few hundred KiB at times). The error is then never published: the
student reads that the cell did not finish, or nothing, instead of ``MemoryError``. So the kernel
keeps a little address space back (an anonymous mapping none of whose pages is touched: it
costs no memory, only that share of the address-space limit) and gives it up when a
``MemoryError`` reaches IPython, which can then report it; before each cell it takes the
reserve back if there is room. This protects honest students only: the grader trusts nothing
done here.
"""

from __future__ import annotations

import functools
import inspect

RESERVE_BYTES = 16 << 20
"""What a kernel keeps back (IPython's first traceback imports its formatting modules)."""


def _grader_reserve_memory(size: int) -> None:
    import mmap
    import sys
    from typing import Any

    from IPython import get_ipython

    shell = get_ipython()
    kept: list[mmap.mmap] = []
    show = shell.showtraceback

    def keep(*_: object) -> None:
        if not kept:
            try:
                kept.append(mmap.mmap(-1, size))
            except (OSError, MemoryError):  # no room now: the next cell tries again
                pass

    def showtraceback(exc_tuple: Any = None, *args: Any, **kwargs: Any) -> Any:
        error = (exc_tuple or sys.exc_info())[0]
        if isinstance(error, type) and issubclass(error, MemoryError):
            while kept:
                kept.pop().close()
        return show(exc_tuple, *args, **kwargs)

    keep()
    shell.showtraceback = showtraceback  # every error of a cell is shown through it
    shell.events.register("pre_run_cell", keep)


@functools.cache
def startup_code(size: int = RESERVE_BYTES) -> str:
    """The code a kernel runs at start: this module's function, called, then deleted."""
    function = inspect.getsource(_grader_reserve_memory)
    return f"{function}\n_grader_reserve_memory({size})\ndel _grader_reserve_memory\n"
