import json

import nbformat
import pytest

from grader.notebook import Unreadable, imported_modules, parse_notebook


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
