"""Generate the shared data-wrangling CSVs: the common release's set and the hidden export.

Run from anywhere: ``python make_data.py``. It writes

- ``data/{orders,customers,products,targets}.csv``: the common release's data (what the
  released notebook reads when no student's own data is laid over it);
- ``tests/hidden/data/{orders,customers,products,targets}.csv``: a held-out export with other
  rows, other values, other ID ranges, a half-year in another year, an extra region and an
  extra category, read only by the hidden checks and the same for every student. A function
  that hard-codes anything read off a student's files gets it wrong on this export.

Each student's own data comes from ``variants.py`` (``make_variant``, the ``[variants]``
generator), with the same code, so every set has the same columns and the same defects.

The output is a pure function of the seeds below: running the script twice writes
byte-identical files (numpy ``default_rng``, fixed row order, ``\\n`` line endings).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent

_spec = importlib.util.spec_from_file_location("data_wrangling_variants", HERE / "variants.py")
assert _spec is not None and _spec.loader is not None
variants = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(variants)
Variant, make = variants.Variant, variants.make

RELEASED = Variant(
    seed=20240917,
    out=HERE / "data",
    n_customers=80,
    n_products=24,
    n_orders=400,
    first_customer=1,
    first_product=1,
    first_order=1001,
    regions=("North", "South", "East", "West"),
    categories=("Books", "Electronics", "Garden", "Kitchen", "Toys"),
    start=dt.date(2024, 1, 1),
    unknown_customers=("C998", "C999"),
)

HIDDEN = Variant(
    seed=771,
    out=HERE / "tests" / "hidden" / "data",
    n_customers=95,
    n_products=30,
    n_orders=450,
    first_customer=301,
    first_product=41,
    first_order=70001,
    regions=("Central", "East", "North", "South", "West"),
    categories=("Books", "Electronics", "Garden", "Kitchen", "Sports", "Toys"),
    start=dt.date(2023, 7, 1),
    unknown_customers=("C001", "C002", "C003"),
)


def main() -> None:
    """Write both variants."""
    for variant in (RELEASED, HIDDEN):
        make(variant)
        print(f"wrote {variant.out.relative_to(HERE)}/")


if __name__ == "__main__":
    main()
