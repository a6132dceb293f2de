"""Each student's own data for data-wrangling, and the generator of every set of its CSVs.

``make_variant(rng, student)`` is the assignment's ``[variants]`` generator: the grader runs it
(in its own process, its current folder the student's) when it releases a student's copy
(``grader release data-wrangling --roster roster.csv``) and each time it grades them. It writes
``data/{orders,customers,products,targets}.csv`` with the student's own rows: other counts,
other ID ranges, another half-year, other prices and dates, other rows carrying the defects.
The columns, the regions, the categories and the kinds of dirt are the same for everyone, so
a correct solution does the same work on every student's data; only the numbers it finds
differ, and a neighbour's numbers are wrong for you. It returns the parameters the checks need
(the ``variant`` fixture; they are in the student's ``variant.json`` too, so they hold nothing
a student should not know).

``make_data.py`` uses :func:`make` for the shared sets: the common release's ``data/`` and the
hidden checks' held-out export in ``tests/hidden/data/`` (the same for every student, never in
a student's working folder).

Every set carries the same defects on purpose, the ones the questions teach to handle:
prices stored as text with a currency symbol, thousands separators, stray spaces and "N/A";
missing customer IDs, quantities and prices; orders by customers missing from the customer
table; inconsistently written status labels; exact duplicate rows in the customer table; and
monthly targets stored wide, one column per month.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import NamedTuple

import numpy as np


class Variant(NamedTuple):
    """Everything that differs between two sets of the data (a student's, shared, hidden)."""

    seed: int
    out: Path
    """The folder the four CSVs are written to."""
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


REGIONS = ("North", "South", "East", "West")
CATEGORIES = ("Books", "Electronics", "Garden", "Kitchen", "Toys")


def student_variant(rng: np.random.Generator, out: Path) -> Variant:
    """A student's variant: counts, ID ranges, half-year and unknown customers drawn from rng."""
    first_customer = int(rng.integers(1, 200))
    unknown = rng.choice(np.arange(900, 1000), size=int(rng.integers(2, 4)), replace=False)
    return Variant(
        seed=int(rng.integers(2**63)),
        out=out,
        n_customers=int(rng.integers(70, 91)),
        n_products=int(rng.integers(20, 29)),
        n_orders=int(rng.integers(360, 441)),
        first_customer=first_customer,
        first_product=int(rng.integers(1, 60)),
        first_order=1001 + 1000 * int(rng.integers(0, 90)),
        regions=REGIONS,
        categories=CATEGORIES,
        start=add_months(dt.date(2024, 1, 1), int(rng.integers(0, 7))),
        unknown_customers=tuple(f"C{int(i):03d}" for i in sorted(unknown)),
    )


def make_variant(rng: np.random.Generator, student: str) -> dict[str, object]:
    """Write the student's ``data/`` CSVs into the current folder; return their parameters."""
    v = student_variant(rng, Path("data"))
    make(v)
    return {
        "n_orders": v.n_orders,
        "n_customers": v.n_customers,
        "n_products": v.n_products,
        "months": [add_months(v.start, k).strftime("%Y-%m") for k in range(6)],
        "regions": sorted(v.regions),
        "categories": sorted(v.categories),
    }
