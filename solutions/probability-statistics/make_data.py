"""Generate the CSV files in data/ (released to students with the notebook).

Run from anywhere: ``python make_data.py``. The output is a pure function of SEED (numpy
``default_rng``, fixed row order, ``\\n`` line endings): running it twice writes
byte-identical files.

- ``data/ticket_gaps.csv``: minutes between consecutive support tickets (one column,
  ``minutes``), 251 gaps drawn from an exponential distribution with rate 0.2 per minute and
  rounded to 0.01 min. Used for the exponential MLE (Q3) and the bootstrap (Q5).
- ``data/daily_incidents.csv``: production incidents per day over 90 days (``day``,
  ``incidents``), Poisson with rate 3.4 per day. Used for the Poisson MLE (Q3).
- ``data/ab_test.csv``: an A/B test of two landing pages, 120 visitors each (``visitor``,
  ``variant``, ``clicked``, ``seconds_on_page``). Clicks are Bernoulli(0.11) on A and
  Bernoulli(0.16) on B; time on page is normal, mean 61 s (sd 17) on A and 67 s (sd 24) on B,
  rounded to 0.1 s. Used for the normal MLE (Q3), the permutation and t tests (Q6) and the
  Beta-Binomial update (Q7).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

SEED = 20260415
HERE = Path(__file__).resolve().parent


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main() -> None:
    rng = np.random.default_rng(SEED)
    gaps = np.round(rng.exponential(scale=1 / 0.2, size=251), 2)
    gaps = np.maximum(gaps, 0.01)  # a gap rounded to 0.00 would be a zero-length wait
    _write(HERE / "data" / "ticket_gaps.csv", ["minutes"], [[f"{g:.2f}"] for g in gaps])

    counts = rng.poisson(3.4, size=90)
    start = dt.date(2026, 1, 5)
    _write(
        HERE / "data" / "daily_incidents.csv",
        ["day", "incidents"],
        [[(start + dt.timedelta(days=i)).isoformat(), int(c)] for i, c in enumerate(counts)],
    )

    rows: list[list[object]] = []
    for variant, p_click, mean, sd in (("A", 0.11, 61.0, 17.0), ("B", 0.16, 67.0, 24.0)):
        clicked = (rng.random(120) < p_click).astype(int)
        seconds = np.round(np.clip(rng.normal(mean, sd, size=120), 2.0, None), 1)
        rows += [[variant, int(c), f"{s:.1f}"] for c, s in zip(clicked, seconds, strict=True)]
    order = rng.permutation(len(rows))  # visitors arrive in random order
    _write(
        HERE / "data" / "ab_test.csv",
        ["visitor", "variant", "clicked", "seconds_on_page"],
        [[f"v{i + 1:04d}", *rows[j]] for i, j in enumerate(order)],
    )


if __name__ == "__main__":
    main()
