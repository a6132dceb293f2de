"""Feedback reports: JSON and HTML per student, rendered only from Jinja2 templates.

Templates live in ``grader/templates`` and are autoescaped: anything a student wrote or
printed appears as text, never as markup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

from grader.models import SubmissionResult

if TYPE_CHECKING:
    from grader.checker import CheckReport


def environment() -> Environment:
    """The Jinja2 environment of the package's templates (autoescaping on)."""
    return Environment(
        loader=PackageLoader("grader", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_student_reports(result: SubmissionResult, out_dir: Path) -> list[Path]:
    """Write ``<student>.json`` and ``<student>.html`` into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = safe_name(result.student)
    json_path = out_dir / f"{stem}.json"
    json_path.write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(render_student_html(result), encoding="utf-8")
    return [json_path, html_path]


def render_student_html(result: SubmissionResult) -> str:
    """The student's feedback page."""
    return environment().get_template("student.html.j2").render(r=result)


def render_check_report(report: CheckReport) -> str:
    """The in-notebook result of ``check(...)``: a compact HTML table."""
    return environment().get_template("check.html.j2").render(report=report)


def safe_name(student: str) -> str:
    """A file-name-safe form of a student's name."""
    cleaned = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in student).strip(".")
    return cleaned or "student"
