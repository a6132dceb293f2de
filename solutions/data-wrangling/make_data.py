"""Generate the data-wrangling CSVs: the released set and a hidden variant.

Run from anywhere: ``python make_data.py``. It writes

- ``data/{orders,customers,products,targets}.csv``: released to students with the notebook;
- ``tests/hidden/data/{orders,customers,products,targets}.csv``: a variant with other rows,
  other values, other ID ranges, a half-year in another year, an extra region and an extra
  category, read only by the hidden checks. A notebook that hard-codes anything read off the
  released files gets it wrong on this variant.

The output is a pure function of the seeds below: running the script twice writes
byte-identical files (numpy ``default_rng``, fixed row order, ``\\n`` line endings).

Both variants carry the same defects on purpose, the ones the questions teach to handle:
prices stored as text with a currency symbol, thousands separators, stray spaces and "N/A";
missing customer IDs, quantities and prices; orders by customers missing from the customer
table; inconsistently written status labels; exact duplicate rows in the customer table; and
monthly targets stored wide, one column per month.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Variant:
    """Everything that differs between the released and the hidden data."""

    seed: int
    out: Path
    n_customers: int
    n_products: int
    n_orders: int
    first_customer: int
    first_product: int
    first_order: int
    regions: tuple[str, ...]
    categories: tuple[str, ...]
    start: dt.date
    """First day of the six months the orders cover."""
    unknown_customers: tuple[str, ...]
    """IDs that appear in orders but not in the customer table."""


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

STATUSES = ("shipped", "pending", "cancelled", "returned")
STATUS_P = (0.68, 0.12, 0.12, 0.08)
# Base price range per category (dollars): Electronics are expensive, Books cheap.
PRICE_RANGE = {
    "Books": (6, 45),
    "Electronics": (80, 1800),
    "Garden": (15, 400),
    "Kitchen": (10, 250),
    "Sports": (20, 900),
    "Toys": (8, 120),
}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write a CSV with ``\\n`` line endings (byte-identical on every platform)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def fmt_price(value: float, rng: np.random.Generator) -> str:
    """Format a price the way a spreadsheet export might: ``$1,234.50``, sometimes padded."""
    text = f"${value:,.2f}"
    if rng.random() < 0.1:
        text = " " + text + " "
    return text


def messy_status(status: str, rng: np.random.Generator) -> str:
    """Most labels are clean; about one in four is capitalised, shouted or padded."""
    u = rng.random()
    if u < 0.10:
        return status.capitalize()
    if u < 0.17:
        return status.upper()
    if u < 0.25:
        return " " + status
    return status


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def make(v: Variant) -> None:
    """Generate and write one variant."""
    rng = np.random.default_rng(v.seed)

    # Customers: a few rows are exported twice (exact duplicates).
    customers = []
    for i in range(v.n_customers):
        cid = f"C{v.first_customer + i:03d}"
        region = v.regions[rng.integers(len(v.regions))]
        segment = "business" if rng.random() < 0.3 else "consumer"
        signup = dt.date(2021, 1, 1) + dt.timedelta(days=int(rng.integers(0, 900)))
        customers.append([cid, region, segment, signup.isoformat()])
    duplicated = rng.choice(v.n_customers, size=5, replace=False)
    customer_rows = customers + [customers[i] for i in sorted(duplicated)]
    order = rng.permutation(len(customer_rows))
    customer_rows = [customer_rows[i] for i in order]
    write_csv(
        v.out / "customers.csv", ["customer_id", "region", "segment", "signup_date"], customer_rows
    )

    # Products: every category has at least one product, so all of them show up.
    product_rows = []
    base_price = {}
    for i in range(v.n_products):
        pid = f"P{v.first_product + i:03d}"
        if i < len(v.categories):
            category = v.categories[i]
        else:
            category = v.categories[rng.integers(len(v.categories))]
        low, high = PRICE_RANGE[category]
        base_price[pid] = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        product_rows.append([pid, category, f"{base_price[pid]:.2f}"])
    write_csv(v.out / "products.csv", ["product_id", "category", "list_price"], product_rows)

    # Orders.
    customer_ids = [c[0] for c in customers]
    product_ids = list(base_price)
    n_days = (add_months(v.start, 6) - v.start).days
    order_rows = []
    for i in range(v.n_orders):
        u = rng.random()
        if u < 0.03:
            cid = ""
        elif u < 0.06:
            cid = v.unknown_customers[rng.integers(len(v.unknown_customers))]
        else:
            cid = customer_ids[rng.integers(len(customer_ids))]
        pid = product_ids[rng.integers(len(product_ids))]
        day = v.start + dt.timedelta(days=int(rng.integers(0, n_days)))
        quantity = "" if rng.random() < 0.04 else str(1 + min(int(rng.poisson(0.8)), 7))
        price = round(base_price[pid] * rng.uniform(0.9, 1.1), 2)
        u = rng.random()
        if u < 0.04:
            price_text = ""
        elif u < 0.05:
            price_text = "N/A"
        else:
            price_text = fmt_price(price, rng)
        status = STATUSES[rng.choice(len(STATUSES), p=STATUS_P)]
        order_rows.append(
            [
                str(v.first_order + i),
                cid,
                pid,
                day.isoformat(),
                quantity,
                price_text,
                messy_status(status, rng),
            ]
        )
    write_csv(
        v.out / "orders.csv",
        ["order_id", "customer_id", "product_id", "order_date", "quantity", "unit_price", "status"],
        order_rows,
    )

    # Monthly revenue targets per region, wide: one column per month.
    months = [add_months(v.start, k).strftime("%Y-%m") for k in range(6)]
    target_rows = []
    for region in sorted(v.regions):
        level = rng.uniform(1_500, 5_000)
        target_rows.append(
            [region] + [f"{round(level * rng.uniform(0.8, 1.2), -2):.0f}" for _ in months]
        )
    write_csv(v.out / "targets.csv", ["region", *months], target_rows)


def main() -> None:
    """Write both variants."""
    for variant in (RELEASED, HIDDEN):
        make(variant)
        print(f"wrote {variant.out.relative_to(HERE)}/")


if __name__ == "__main__":
    main()
