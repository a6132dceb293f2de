"""Progress of a batch on stderr: a live bar on a terminal, a log line per submission otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from grader.models import SubmissionResult


class BatchProgress:
    """Reports each finished submission; counts the ungradable ones."""

    def __init__(self, title: str, total: int, stream: TextIO, live: bool) -> None:
        self.total = total
        self.done = 0
        self.ungradable = 0
        self.reused = 0
        self._stream = stream
        self._bar: Progress | None = None
        self._task = None
        if live:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=stream),
                transient=False,
            )
            self._task = self._bar.add_task(title, total=total, status="")

    def advance(self, result: SubmissionResult, reused: bool) -> None:
        """Count one finished submission and show it."""
        self.done += 1
        self.ungradable += not result.gradable
        self.reused += reused
        line = result.summary() + (" (unchanged, not graded again)" if reused else "")
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, status=self._status())
        else:
            print(f"[{self.done}/{self.total}] {line}", file=self._stream, flush=True)

    def _status(self) -> str:
        parts = []
        if self.ungradable:
            parts.append(f"{self.ungradable} ungradable")
        if self.reused:
            parts.append(f"{self.reused} unchanged")
        return ", ".join(parts)


@contextmanager
def batch_progress(title: str, total: int, stream: TextIO | None = None) -> Iterator[BatchProgress]:
    """A progress display for ``total`` submissions, live when ``stream`` is a terminal."""
    out = stream or sys.stderr
    progress = BatchProgress(title, total, out, live=out.isatty())
    if progress._bar is None:
        yield progress
        return
    with progress._bar:
        yield progress
