"""Reference solutions shared by the hidden checks, as the `reference` fixture.

Q2 to Q4 build on each other (type, clean, join), and Q5 to Q8 start from the joined table,
so the chain is written once here rather than copied into every check file.

Each student has their own data (``variants.py``): the checks of a global the notebook computes
from its data (``n_missing_customer``, ``top_region``, ``best_month``) compute the expected
value from that student's files (the ``variant_data`` fixture), read here, never through the
student's kernel. The functions are checked on the held-out export in ``data/`` beside this
file, the same for every student.
"""

from types import SimpleNamespace

import pandas as pd
import pytest


def reference_types(raw):
    """Reference solution of Q2."""
    orders = raw.copy()
    orders["order_date"] = pd.to_datetime(orders["order_date"], format="%Y-%m-%d")
    price = orders["unit_price"].astype("string").str.strip()
    price = price.mask(price.isin(["", "N/A"])).str.replace("[$,]", "", regex=True)
    orders["unit_price"] = pd.to_numeric(price).astype("float64")
    orders["quantity"] = orders["quantity"].astype("Int64")
    orders["status"] = orders["status"].str.strip().str.lower().astype("category")
    return orders


def reference_fill(orders):
    """Reference solution of Q3."""
    clean = orders.dropna(subset=["customer_id"]).reset_index(drop=True)
    overall_median = clean["unit_price"].median()  # of the known prices
    median = clean.groupby("product_id")["unit_price"].transform("median")
    clean["unit_price"] = clean["unit_price"].fillna(median).fillna(overall_median)
    clean["quantity"] = clean["quantity"].fillna(1)
    return clean


def reference_clean(raw):
    """Reference solutions of Q2 and Q3."""
    return reference_fill(reference_types(raw))


def reference_join(orders, customers, products):
    """Reference solution of Q4."""
    customers = customers.drop_duplicates(subset="customer_id")
    joined = orders.merge(
        customers[["customer_id", "region", "segment"]], on="customer_id", how="left"
    )
    joined = joined.merge(products[["product_id", "category"]], on="product_id", how="left")
    joined["region"] = joined["region"].fillna("Unknown")
    joined["revenue"] = (joined["quantity"] * joined["unit_price"]).astype("float64")
    return joined


def reference_joined(raw, customers, products):
    """Reference solutions of Q2 to Q4: the typed, cleaned and joined orders."""
    return reference_join(reference_clean(raw), customers, products)


def load_joined(folder):
    """The reference joined table of the export in `folder`."""
    return reference_joined(
        pd.read_csv(folder / "orders.csv"),
        pd.read_csv(folder / "customers.csv"),
        pd.read_csv(folder / "products.csv"),
    )


def mine(variant_data, name):
    """One of the student's own CSVs (their data variant, as their working folder has it)."""
    return pd.read_csv(variant_data / "data" / name)


def my_joined(variant_data):
    """The reference joined table of the student's own data."""
    return load_joined(variant_data / "data")


@pytest.fixture(scope="session")
def reference():
    """The reference solutions: types, fill, clean, join, joined, load_joined, mine…"""
    return SimpleNamespace(
        types=reference_types,
        fill=reference_fill,
        clean=reference_clean,
        join=reference_join,
        joined=reference_joined,
        load_joined=load_joined,
        mine=mine,
        my_joined=my_joined,
    )
