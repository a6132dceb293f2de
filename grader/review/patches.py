"""What a grader's click sends (one change to a grade), read and checked."""

from __future__ import annotations

import math

from flask import abort

from grader.manual import Patch
from grader.settings import QuestionConfig


def read_patch(body: object, config: QuestionConfig, who: str) -> tuple[Patch, str]:
    """The change a request's JSON ``body`` asks for, checked; and who makes it.

    ``who`` makes it unless the body names a grader. Anything else is refused with a 400 that
    says which field is wrong.
    """
    if not isinstance(body, dict):
        abort(400, "the request must be a JSON object")
    grader = body.get("grader", who)
    if not isinstance(grader, str) or not grader.strip() or len(grader) > 100:
        abort(400, "grader must be a name")
    changes = {k: v for k, v in body.items() if k != "grader"}
    if unknown := set(changes) - {"item", "on", "adjustment", "comment"}:
        abort(400, f"unknown field: {sorted(unknown)}")
    item = changes.get("item")
    if item is not None and (
        isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= len(config.rubric)
    ):
        abort(400, f"item must be a rubric item's number, 1 to {len(config.rubric)}")
    on = changes.get("on", True)
    if not isinstance(on, bool):
        abort(400, "on must be true or false")
    adjustment = changes.get("adjustment")
    if adjustment is not None and (
        isinstance(adjustment, bool)
        or not isinstance(adjustment, int | float)
        or not math.isfinite(adjustment)
        or abs(adjustment) > max(config.points, 1) * 10
    ):
        abort(400, "adjustment must be a number of points")
    comment = changes.get("comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > 20_000):
        abort(400, "comment must be text (at most 20,000 characters)")
    return Patch(
        item=item,
        on=on,
        adjustment=None if adjustment is None else float(adjustment),
        comment=comment,
    ), grader.strip()
