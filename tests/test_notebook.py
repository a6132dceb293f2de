import json

import pytest

from grader.notebook import Unreadable, parse_notebook


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
