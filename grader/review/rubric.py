"""Editing a manual question's rubric where it lives: the assignment's assignment.toml.

Stored grades name rubric items by their number (place in the list, from 1), and every total
is computed with the rubric as it is now, so changing an item's points or text re-scores every
grade that applied it at once. Items are therefore changed in place or added at the end, never
reordered or deleted here (an item no longer wanted gets 0 points, and keeps its number).

The file is edited with tomlkit, which keeps the instructor's comments and layout; the edited
text must load as an assignment before it replaces the file (atomically), so a bad edit
changes nothing. The grading key ignores rubrics (:mod:`grader.grading_key`): no notebook is
graded again for it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import tomlkit
from tomlkit.items import AoT, Table

from grader.config import CONFIG_FILE, Assignment, assignment_from_text, load_assignment
from grader.errors import ConfigError


def edit_rubric_item(
    assignment: Assignment,
    question: str,
    number: int | None,
    points: float,
    text: str,
    key: str = "",
) -> Assignment:
    """Set item ``number`` (from 1) of ``question``'s rubric, or add one (``number`` None).

    Returns the assignment as the file now says.

    Raises:
        ConfigError: no such manual question or item, or the edit would not load (bad points,
            empty text, a key used twice); the file is then unchanged.
    """
    path = assignment.root / CONFIG_FILE
    config = assignment.questions.get(question)
    if config is None or not config.manual:
        raise ConfigError(f"{question} is not a manual question of {assignment.name}")
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = document["questions"][question]
    assert isinstance(table, Table)
    items = table.get("rubric")
    if items is None:
        items = AoT([])
        table.append("rubric", items)
    entry: dict[str, object] = {"points": _number(points), "text": text.strip()}
    if key:
        entry["key"] = key
    if number is None:
        items.append(tomlkit.item(entry))
    elif 1 <= number <= len(items):
        item = items[number - 1]
        item["points"] = entry["points"]
        item["text"] = entry["text"]
        if key:
            item["key"] = key
        elif "key" in item:
            del item["key"]
    else:
        raise ConfigError(f"{question} has no rubric item {number}")
    return _replace(path, tomlkit.dumps(document), assignment.name)


def _number(points: float) -> int | float:
    return int(points) if float(points).is_integer() else float(points)


def _replace(path: Path, text: str, name: str) -> Assignment:
    """Write ``text`` as ``path`` if it loads as an assignment; the assignment it loads as."""
    assignment_from_text(text, path.parent, name)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".assignment-", suffix=".toml")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp_name, path)
    return load_assignment(path.parent, name)
