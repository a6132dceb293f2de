"""The kernel's own output cap (`grader/guest/output_cap.py`), run in an IPython shell, no kernel.

A kernel runs ``startup_code(limit)`` as an ``exec_lines`` entry: one ``run_cell`` of an
``InteractiveShell`` whose ``sys.stdout`` and ``sys.stderr`` are ipykernel ``OutStream``s.
Here the same shell runs it, in a fresh interpreter (the cap patches the streams' class and
registers an IPython event, which must not leak into the test process), with streams of a
pure-Python class like ``OutStream`` (``write`` a method of the class), then runs cells.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap

import pytest

from tests.conftest import ROOT

NOTICE = "\n[grader: further output of this cell dropped]\n"

SCRIPT = textwrap.dedent(
    """
    import io, json, sys
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config
    from grader.guest.output_cap import startup_code

    class OutStream(io.TextIOBase):  # like ipykernel.iostream.OutStream: write on the class
        def __init__(self):
            self.parts = []
        def write(self, text):
            self.parts.append(text)
            return len(text)

    real = sys.stdout
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    out, err = OutStream(), OutStream()
    sys.stdout, sys.stderr = out, err
    shell.run_cell(startup_code(int(sys.argv[1])), store_history=False).raise_error()
    seen = []
    for cell in json.loads(sys.argv[2]):
        del out.parts[:], err.parts[:]
        result = shell.run_cell(cell, store_history=True)
        seen.append({"out": "".join(out.parts), "err": "".join(err.parts),
                     "error": repr(result.error_in_exec) if result.error_in_exec else ""})
    history = [str(o.bundle) for outs in shell.history_manager.outputs.values() for o in outs]
    real.write(json.dumps({"cells": seen, "history_chars": sum(map(len, history))}))
    """
)


def run_cells(limit: int, *cells: str) -> dict:
    with tempfile.TemporaryDirectory() as ipython_dir:  # warnings are errors here too
        env = {**os.environ, "IPYTHONDIR": ipython_dir, "PYTHONWARNINGS": "error"}
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(limit), json.dumps(cells)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def capped():
    """Cells run under a cap of 100 characters."""
    return run_cells(
        100,
        "for _ in range(1000): print('x', end='')",  # 1,000 writes of one character
        "print('y' * 1000)",  # one write of 1,001
        "print('z' * 60, end=''); import sys; _ = sys.stderr.write('w' * 60); print('more')",
        "print('short')",
        "print('a' * 1000); n = print('b')",
        "import sys; _ = sys.stdout.write('v' * 1000)",  # one write, nothing after it
    )["cells"]


def test_a_thousand_characters_in_single_writes_give_the_cap_and_one_notice(capped):
    assert capped[0] == {"out": "x" * 100 + NOTICE, "err": "", "error": ""}


def test_one_write_over_the_cap_is_cut_at_the_cap(capped):
    assert capped[1]["out"] == "y" * 100 + NOTICE


def test_the_cap_is_per_cell_and_shared_by_stdout_and_stderr(capped):
    both = capped[2]["out"] + capped[2]["err"]
    assert capped[2]["out"].startswith("z" * 60) and capped[2]["err"].startswith("w" * 40)
    assert both.replace(NOTICE, "") == "z" * 60 + "w" * 40 and both.count(NOTICE) == 1


def test_a_cell_under_the_cap_is_untouched_after_a_capped_one(capped):
    assert capped[3] == {"out": "short\n", "err": "", "error": ""}


def test_writes_past_the_cap_still_succeed_for_the_students_code(capped):
    """print() and write() after the cap return normally: the cell goes on, no error."""
    assert capped[4]["error"] == "" and capped[4]["out"] == "a" * 100 + NOTICE


def test_a_single_write_cut_at_the_cap_still_gets_the_notice(capped):
    assert capped[5]["out"] == "v" * 100 + NOTICE


def test_ipython_keeps_no_copy_of_a_flood_in_its_history():
    flood = run_cells(100, "for _ in range(20_000): print('x' * 50)")
    assert flood["cells"][0]["out"] == "x" * 50 + "\n" + "x" * 49 + NOTICE
    assert flood["history_chars"] < 1000  # IPython would keep all 1,020,000 characters
