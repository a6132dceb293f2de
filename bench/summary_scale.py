"""How long the cohort summary takes to render and to open, as the cohort grows.

    .venv/bin/python bench/summary_scale.py [--sizes 100 1000 5000]

For each size, makes up that many results (tests/factories.py: 12 checks, a few ungradable
and timed-out submissions) and times, side by side: the baseline of writing the same results
as JSON (what any report must at least do), rendering the summary page, and loading it in
headless Chromium until its script has run (when Chromium is installed). Prints the seconds
and the ratio of rendering to the JSON baseline. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.feedback.report import write_summary  # noqa: E402
from grader.models import SubmissionResult  # noqa: E402
from tests.browser import CHROMIUM, Browser  # noqa: E402
from tests.factories import cohort  # noqa: E402


def best_of(repeat: int, func) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def write_json(results: list[SubmissionResult], out: Path) -> None:
    (out / "all.json").write_text(json.dumps([r.to_dict() for r in results]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'students':>8} {'json s':>8} {'render s':>9} {'ratio':>6} {'page KiB':>9} {'open s':>7}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        browser = Browser() if CHROMIUM else None
        try:
            for size in args.sizes:
                results = cohort(size)
                as_json = best_of(args.repeat, lambda rs=results: write_json(rs, out))
                render = best_of(
                    args.repeat, lambda rs=results: write_summary("linear-algebra", rs, out)
                )
                page = out / "index.html"
                opened = float("nan")
                if browser is not None:
                    opened = best_of(
                        args.repeat, lambda b=browser, p=page: b.open(p, "#sort=-percent")
                    )
                print(
                    f"{size:>8} {as_json:>8.3f} {render:>9.3f} {render / as_json:>6.1f} "
                    f"{page.stat().st_size / 1024:>9.0f} {opened:>7.2f}"
                )
        finally:
            if browser is not None:
                browser.close()


if __name__ == "__main__":
    main()
