"""Images a student's notebook drew, made safe to show on a page.

An image is kept only as a ``data:`` URL of an image type whose bytes decode (a remote image
never loads), SVG only as a base64 ``data:`` URL for an ``<img>`` (where it can neither run
script nor fetch). Used by the feedback page (the figures of questions marked ``FIGURE``) and
by the review app (every output of an answer).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from grader.models import SubmissionResult

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_DATA_IMAGE = re.compile(r"^data:(image/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)$")


def image_src(value: str, attachments: Mapping[str, Any]) -> str | None:
    """A ``data:`` URL of an image whose bytes decode; an attachment's, looked up; else None."""
    if value.startswith("attachment:"):
        bundle = attachments.get(value.removeprefix("attachment:"))
        if not isinstance(bundle, Mapping):
            return None
        mime = next((m for m in IMAGE_TYPES if m in bundle), None)
        if mime is None:
            return None
        value = f"data:{mime};base64,{joined(bundle[mime])}"
    match = _DATA_IMAGE.match(value)
    if match is None:
        return None
    payload = "".join(match[2].split())
    try:
        base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None
    return f"data:{match[1]};base64,{payload}"


def output_image(data: Mapping[str, Any]) -> str | None:
    """The image of an output's data bundle as a safe ``data:`` URL (None: it has none)."""
    for mime in IMAGE_TYPES:
        if mime in data:
            src = image_src(f"data:{mime};base64,{joined(data[mime])}", {})
            if src:
                return src
    if "image/svg+xml" in data:
        svg = joined(data["image/svg+xml"]).encode()
        return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    return None


def figures_by_question(result: SubmissionResult) -> dict[str, list[str]]:
    """The images the cells marked ``FIGURE: <question>`` drew in the graded run, by question."""
    found: dict[str, list[str]] = {}
    for answer in result.answers:
        if not answer.figure:
            continue
        for cell in answer.cells:
            for output in cell.outputs:
                data = output.get("data")
                src = output_image(data) if isinstance(data, Mapping) else None
                if src:
                    found.setdefault(answer.question, []).append(src)
    return found


def joined(value: object) -> str:
    """Nbformat keeps multi-line strings as lists of lines."""
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return str(value)
