"""Generate the data of the ml-in-production assignment (instructor side, never released).

Run from anywhere: ``python make_data.py``. The output depends only on the seeds below:
running it twice writes byte-identical files.

A subscription service's customers, one row each, with whether they cancelled ("churned"):

- ``age`` (whole years, 18-85), ``tenure_months`` (whole months as a customer, 0-72),
  ``monthly_charges`` (currency, two decimals), ``support_calls`` (calls in the last quarter,
  0-15), ``plan`` (basic / standard / premium), ``churned`` (0 or 1).
- Churn is more likely for short tenure, many support calls and high charges, less likely for
  older customers and the premium plan (a logistic model with noise).

Released (``data/``):

- ``customers.csv``: 1,600 labelled customers, the training data.
- ``batch_2025_01.csv``: 600 production requests (no labels) after a price rise: monthly
  charges up by about 12, support calls up (Poisson mean 1.5 -> 2.6). Age and tenure unchanged.
- ``requests.csv``: the production log, 42 days from 2025-02-01, 150-250 requests a day, with a
  ``date`` column. On 2025-03-05 and 2025-03-06 a promotion brings in a wave of brand-new
  customers (tenure 0-2 months), so the share predicted to churn jumps on those two days.

Hidden (``tests/hidden/data/``, read only by the hidden checks):

- ``batch_shifted.csv``: 600 requests from younger, newer customers (age about 8 years lower,
  tenure drawn with mean 12 instead of 24); charges and calls unchanged.
- ``batch_stable.csv``: 600 requests from the training distribution (a new sample).
- ``requests_hidden.csv``: another log, 28 days from 2025-06-01, 60-90 requests a day, the
  promotion wave on 2025-06-20.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
HIDDEN = HERE / "tests" / "hidden" / "data"
PLANS = np.array(["basic", "standard", "premium"])
PLAN_BASE = {"basic": 35.0, "standard": 65.0, "premium": 95.0}


def customers(
    rng: np.random.Generator,
    n: int,
    *,
    age_shift: float = 0.0,
    tenure_mean: float = 24.0,
    charge_shift: float = 0.0,
    calls_mean: float = 1.5,
) -> pd.DataFrame:
    """``n`` customers' features, drawn in a fixed order so a seed gives one frame."""
    age = np.clip(np.rint(rng.normal(45 + age_shift, 14, n)), 18, 85).astype(int)
    tenure = np.clip(np.rint(rng.exponential(tenure_mean, n)), 0, 72).astype(int)
    plan = rng.choice(PLANS, size=n, p=[0.5, 0.35, 0.15])
    base = np.array([PLAN_BASE[p] for p in plan])
    charges = np.round(np.clip(base + charge_shift + rng.normal(0, 8, n), 15, 180), 2)
    calls = np.minimum(rng.poisson(calls_mean, n), 15)
    return pd.DataFrame(
        {
            "age": age,
            "tenure_months": tenure,
            "monthly_charges": charges,
            "support_calls": calls,
            "plan": plan,
        }
    )


def churn_labels(rng: np.random.Generator, frame: pd.DataFrame) -> np.ndarray:
    """Draw churn from a logistic model of the features."""
    logit = (
        -0.9
        - 0.05 * (frame["tenure_months"] - 24)
        + 0.55 * (frame["support_calls"] - 1.5)
        + 0.03 * (frame["monthly_charges"] - 55)
        - 0.025 * (frame["age"] - 45)
        - 0.5 * (frame["plan"] == "premium")
    ).to_numpy(dtype=float)
    return (rng.random(len(frame)) < 1 / (1 + np.exp(-logit))).astype(int)


def request_log(
    rng: np.random.Generator,
    start: str,
    days: int,
    wave_days: list[str],
    per_day: tuple[int, int] = (150, 250),
) -> pd.DataFrame:
    """A production log: ``per_day`` requests a day (inclusive); on ``wave_days`` 60% of them
    are brand-new customers (tenure 0-2 months)."""
    frames = []
    for date in pd.date_range(start, periods=days, freq="D"):
        day = date.strftime("%Y-%m-%d")
        n = int(rng.integers(per_day[0], per_day[1] + 1))
        frame = customers(rng, n)
        if day in wave_days:
            new = rng.random(n) < 0.6
            frame.loc[new, "tenure_months"] = rng.integers(0, 3, int(new.sum()))
        frame.insert(0, "date", day)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    print(f"wrote {path.relative_to(HERE)}: {frame.shape[0]} rows x {frame.shape[1]} columns")


def main() -> None:
    rng = np.random.default_rng(20250101)
    train = customers(rng, 1600)
    train["churned"] = churn_labels(rng, train)
    write(train, DATA / "customers.csv")
    write(customers(rng, 600, charge_shift=12.0, calls_mean=2.6), DATA / "batch_2025_01.csv")
    write(request_log(rng, "2025-02-01", 42, ["2025-03-05", "2025-03-06"]), DATA / "requests.csv")

    hidden = np.random.default_rng(777)
    write(customers(hidden, 600, age_shift=-8.0, tenure_mean=12.0), HIDDEN / "batch_shifted.csv")
    write(customers(hidden, 600), HIDDEN / "batch_stable.csv")
    write(
        request_log(hidden, "2025-06-01", 28, ["2025-06-20"], per_day=(60, 90)),
        HIDDEN / "requests_hidden.csv",
    )


if __name__ == "__main__":
    main()
