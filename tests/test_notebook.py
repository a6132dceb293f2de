import json

import nbformat
import pytest

from grader.notebook import Unreadable, imported_modules, parse_notebook, read_submission


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"cells": [', "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "not a Jupyter notebook"),
        (json.dumps({"nbformat": 99, "nbformat_minor": 0, "cells": [], "metadata": {}}).encode(), "version 99"),
        (json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "alien"}], "metadata": {}}).encode(), "invalid"),
    ],
)  # fmt: skip
def test_unreadable_notebooks_give_a_one_line_reason(raw, reason):
    got = parse_notebook(raw)
    assert isinstance(got, Unreadable)
    assert reason in got.reason and "\n" not in got.reason


def test_imported_modules_lists_a_notebooks_absolute_imports(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np, pandas\nfrom sklearn.linear_model import X"),
        nbformat.v4.new_markdown_cell("import os"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport matplotlib"),
        nbformat.v4.new_code_cell("from . import local\ndef f():\n    import json\nimport numpy"),
    ]
    assert imported_modules(nb) == ["numpy", "pandas", "sklearn.linear_model", "json"]


# --- text files that stand for a notebook (jupytext) ----------------------------------------


def codes(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_a_percent_script_is_its_cells_and_a_plain_script_is_one_cell(tmp_path):
    percent = tmp_path / "la.py"
    percent.write_text("# %% [markdown]\n# Q1\n\n# %%\nx = 1\n\n# %%\ny = x + 1\n")
    nb = read_submission(percent)
    assert codes(nb) == ["x = 1", "y = x + 1"]
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    plain = tmp_path / "plain.py"
    plain.write_text("import numpy as np\n\nx = np.ones(3)\n\n\ndef f():\n    return x\n")
    assert codes(read_submission(plain)) == [
        "import numpy as np\n\nx = np.ones(3)\n\n\ndef f():\n    return x"
    ]


def test_markdown_and_quarto_files_give_their_python_blocks_as_cells(tmp_path):
    md = tmp_path / "la.md"
    md.write_text(
        "# Q1\n\nSome words.\n\n```python\nx = 1\n```\n\nMore.\n\n```python\ny = 2\n```\n"
    )
    assert codes(read_submission(md)) == ["x = 1", "y = 2"]
    qmd = tmp_path / "la.qmd"
    qmd.write_text(
        "---\ntitle: Linear algebra\njupyter: python3\n---\n\n## Q1\n\n"
        "```{python}\n#| label: setup\nx = 1\n```\n\nText.\n\n```{python}\ny = 2\n```\n"
    )
    assert codes(read_submission(qmd)) == ["#| label: setup\nx = 1", "y = 2"]


def test_an_unreadable_text_file_gives_a_one_line_reason(tmp_path):
    bad = tmp_path / "la.py"
    bad.write_bytes(b"# %%\nx = '\xff'\n")
    got = read_submission(bad)
    assert isinstance(got, Unreadable) and got.reason == "the .py file is not UTF-8 text"
