"""How long the cohort summary takes to render and to open, as the cohort grows.

    .venv/bin/python bench/summary_scale.py [--sizes 100 1000 5000] [--check]

For each size, makes up that many results (``bench/made_up.py``: 12 checks, a few ungradable
and timed-out submissions) and times, side by side (medians of ``--repeat``): the baseline of
writing the same results as JSON (what any report must at least do) and rendering the summary
page, both in CPU seconds of this process (steadier than wall time on a shared machine), and
loading the page in headless Chromium until its script has run, in wall seconds (when
Chromium is installed; the driver is the test suite's ``tests/browser.py``). The JSON must
read back as every result and the page must name every student, or the run fails.

Ratios (``bench/baseline.py``): rendering over writing JSON at each size of at least
``MIN_RATIO_SIZE`` students, and how the per-student cost of rendering (and of opening the
page) grows from the second-largest size to the largest (1.0: linear). Smaller cohorts render
in a few hundredths of a second, where a busy machine moves the ratios several-fold.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import baseline
import made_up

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.feedback.report import write_summary  # noqa: E402
from grader.models import SubmissionResult  # noqa: E402

# Relative tolerances, from runs on the loaded 2-core machine: the CPU-time ratios moved by
# under 3% between runs; Chromium's load time (wall, another process) by up to 2x.
TOLERANCE = {"render/json": 0.2, "growth": 0.2, "open growth": 1.0}
MIN_RATIO_SIZE = 1000


def median_of(repeat: int, func: Callable[[], Any], clock: Callable[[], float]) -> float:
    """The median seconds, by ``clock``, of ``repeat`` calls of ``func``."""
    times = []
    for _ in range(repeat):
        started = clock()
        func()
        times.append(clock() - started)
    return statistics.median(times)


def write_json(results: list[SubmissionResult], out: Path) -> None:
    (out / "all.json").write_text(json.dumps([r.to_dict() for r in results]))


def check_outputs(results: list[SubmissionResult], out: Path) -> None:
    """Fail unless the JSON holds every result and the page names every student."""
    students = {r.student for r in results}
    back = json.loads((out / "all.json").read_text())
    if len(back) != len(results):
        raise baseline.fail(f"all.json holds {len(back)} results of {len(results)}")
    page = (out / "index.html").read_text(encoding="utf-8")
    named = set(re.findall(r"student-\d{5}", page))
    if named != students:
        raise baseline.fail(f"the summary names {len(named)} of {len(students)} students")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    baseline.add_arguments(parser)
    args = parser.parse_args()
    try:
        from tests.browser import CHROMIUM, Browser
    except ImportError:  # pytest is not installed: the page is not opened
        CHROMIUM, Browser = None, None
    settings = {"sizes": args.sizes, "repeat": args.repeat, "chromium": CHROMIUM is not None,
                "clock": "process_time"}  # fmt: skip
    bench = baseline.Run("summary_scale", args, settings)
    print(f"{'students':>8} {'json CPU s':>11} {'render CPU s':>13} {'ratio':>6} {'page KiB':>9}"
          f" {'open s':>7}")  # fmt: skip
    rows: dict[int, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        browser = Browser() if Browser is not None and CHROMIUM else None
        try:
            # Untimed warm-up: the templates' compilation and Chromium's first page load are
            # paid once per process, not per cohort size.
            warm_up = made_up.cohort(10)
            write_json(warm_up, out)
            write_summary("linear-algebra", warm_up, out)
            if browser is not None:
                browser.open(out / "index.html", "#sort=-percent")
            for size in args.sizes:
                results = made_up.cohort(size)
                as_json = median_of(
                    args.repeat, lambda rs=results: write_json(rs, out), time.process_time
                )
                render = median_of(
                    args.repeat,
                    lambda rs=results: write_summary("linear-algebra", rs, out),
                    time.process_time,
                )
                check_outputs(results, out)
                page = out / "index.html"
                opened = float("nan")
                if browser is not None:
                    opened = median_of(
                        args.repeat,
                        lambda b=browser, p=page: b.open(p, "#sort=-percent"),
                        time.perf_counter,
                    )
                rows[size] = (as_json, render, opened)
                print(
                    f"{size:>8} {as_json:>11.3f} {render:>13.3f} {render / as_json:>6.2f} "
                    f"{page.stat().st_size / 1024:>9.0f} {opened:>7.2f}"
                )
        finally:
            if browser is not None:
                browser.close()
    ratios = [
        baseline.Ratio(f"render/json at {size}", render / as_json, "higher",
                       TOLERANCE["render/json"], f"rendering the summary of {size} students over"
                       " writing their results as JSON")
        for size, (as_json, render, _) in rows.items()
        if size >= MIN_RATIO_SIZE
    ]  # fmt: skip
    sizes = sorted(rows)
    if len(sizes) > 1:
        small, large = sizes[-2], sizes[-1]
        scale = large / small
        ratios.append(baseline.Ratio(
            f"render per student {large}/{small}", rows[large][1] / rows[small][1] / scale,
            "higher", TOLERANCE["growth"], f"rendering time per student at {large} students"
            f" over at {small} (1.0: linear)"))  # fmt: skip
        if browser is not None:
            ratios.append(baseline.Ratio(
                f"open per student {large}/{small}", rows[large][2] / rows[small][2] / scale,
                "higher", TOLERANCE["open growth"], f"Chromium's load time per student at {large}"
                f" students over at {small} (1.0: linear)"))  # fmt: skip
    bench.finish(ratios, f"made-up cohorts of {args.sizes} students, medians of {args.repeat}")


if __name__ == "__main__":
    main()
