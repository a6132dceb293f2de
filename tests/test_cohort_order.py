"""A batch starts the students who took longest last time first (pure: no kernel)."""

from pathlib import Path

from grader.cohort import slowest_first
from grader.submissions import Submission


def subs(*names):
    return [Submission(name, Path(f"{name}.ipynb")) for name in names]


def names(found):
    return [s.student for s in found]


def test_the_slowest_last_time_start_first_and_the_unknown_count_as_the_median():
    seconds = {"ada": 2.0, "jack": 35.0, "ben": 1.5, "kim": 4.0}
    order = slowest_first(subs("ada", "ben", "cara", "jack", "kim"), seconds)
    # the median of the known (1.5, 2, 4, 35) is taken as 4: cara, never graded, ties with kim
    # and keeps her place before him
    assert names(order) == ["jack", "cara", "kim", "ada", "ben"]


def test_without_any_history_the_order_is_kept():
    assert names(slowest_first(subs("b", "a", "c"), {})) == ["b", "a", "c"]
