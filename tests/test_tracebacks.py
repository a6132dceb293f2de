"""Tracebacks shown to students: their cells named, library frames folded."""

from __future__ import annotations

from grader.tracebacks import readable_traceback

SITE = "/srv/venv/lib/python3.11/site-packages"

IPYTHON_TB = f"""---------------------------------------------------------------------------
KeyError                                  Traceback (most recent call last)
Cell In[5], line 1
----> 1 total_by_region(orders)

Cell In[4], line 2, in total_by_region(df)
      1 def total_by_region(df):
----> 2     return df["price"].groupby(df["region"]).sum()

File {SITE}/pandas/core/frame.py:4102, in DataFrame.__getitem__(self, key)
   4100 if self.columns.nlevels > 1:
-> 4102 indexer = self.columns.get_loc(key)

File {SITE}/pandas/core/indexes/base.py:3812, in Index.get_loc(self, key)
-> 3812     raise KeyError(key) from err

KeyError: 'price'"""


def test_ipython_traceback_folds_library_frames_and_names_notebook_cells():
    text = readable_traceback(IPYTHON_TB, {4: 7, 5: 9})
    assert "Cell In[5] (notebook cell 10), line 1" in text
    assert "Cell In[4] (notebook cell 8), line 2, in total_by_region(df)" in text
    assert "[… 2 frames inside pandas]" in text
    assert "frame.py" not in text and "get_loc" not in text
    assert text.endswith("KeyError: 'price'")


def test_python_traceback_of_a_called_function_reads_like_ipythons():
    raw = (
        "calling f() raised ValueError: bad\n"
        '  File "Cell In[3]", line 4, in f\n'
        "    return np.linalg.inv(a)\n"
        f'  File "{SITE}/numpy/linalg/_linalg.py", line 609, in inv\n'
        "    ainv = _umath_linalg.inv(a, signature=signature)\n"
        '  File "/usr/lib/python3.11/json/decoder.py", line 3, in x\n'
        "    pass\n"
        "ValueError: bad"
    )
    assert readable_traceback(raw, {3: 2}).splitlines() == [
        "calling f() raised ValueError: bad",
        "  Cell In[3] (notebook cell 3), line 4, in f",
        "    return np.linalg.inv(a)",
        "  [… 2 frames inside numpy, json]",
        "ValueError: bad",
    ]


def test_unknown_counts_and_plain_messages_are_left_alone():
    assert readable_traceback("Cell In[9], line 1", {}) == "Cell In[9], line 1"
    message = "total should be 10, got 11\n\nsee the hint"
    assert readable_traceback(message, {1: 0}) == message
