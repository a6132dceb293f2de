"""Generate the hidden held-out sets of the model-training assignment.

Run from anywhere: ``python make_hidden.py``. It writes ``tests/hidden/data/*.csv``, read only by
the hidden checks, never released.

scikit-learn's bundled datasets ship with the library, so a student can see every row of them.
A held-out set must still be one that the student's model was not fitted on. Each file here
starts from the **test split** that the notebook itself holds out: the same
``train_test_split(..., test_size=0.25, random_state=0)``, stratified for the classifiers. The
notebook never fits on those rows. Each row is then copied and jittered with a little Gaussian
noise, so the files are new samples from (nearly) the same distribution, and not a copy of
anything the notebook computes. A model that generalises scores about as well on them as on
its test split. Hard-coded predictions, a model fitted on the wrong columns and an unscaled
k-NN all fail the thresholds in the checks.

Files (the noise is added to each copy):

- ``breast_cancer_holdout.csv``: 2 copies, N(0, (0.1 x column std)^2), clipped at 0;
- ``wine_holdout.csv``: 2 copies, N(0, (0.1 x column std)^2), clipped at 0;
- ``diabetes_holdout.csv`` (loaded with ``scaled=False``; the split is not stratified, the
  target being a number): 1 copy, 0.05 x column std on the numeric columns, ``sex`` kept;
- ``digits_holdout.csv``: 1 copy, N(0, 1) rounded to whole numbers on the inked pixels only
  (the blank background stays blank), clipped to 0..16.

The target is the last column, ``target``. The output depends only on the seed and the
scikit-learn datasets: running the script twice writes byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.model_selection import train_test_split

OUT = Path(__file__).resolve().parent / "tests" / "hidden" / "data"
SEED = 2718
TEST_SIZE = 0.25
SPLIT_SEED = 0


def test_split(X: pd.DataFrame, y: pd.Series, stratify: bool) -> tuple[pd.DataFrame, pd.Series]:
    """The rows the notebook holds out."""
    _, X_test, _, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=SPLIT_SEED, stratify=y if stratify else None
    )
    return X_test, y_test


def jitter(X: pd.DataFrame, rng: np.random.Generator, scale: float, copies: int) -> np.ndarray:
    """``copies`` noisy copies of ``X``: noise of ``scale`` times each column's std, >= 0."""
    std = X.std(axis=0).to_numpy()
    base = X.to_numpy(dtype=float)
    noisy = [base + rng.normal(size=base.shape) * std * scale for _ in range(copies)]
    return np.clip(np.vstack(noisy), 0, None)


def write(name: str, X: pd.DataFrame, y: np.ndarray, float_format: str) -> None:
    """Write features and target as ``name``.csv with ``\\n`` line endings."""
    frame = X.copy()
    frame["target"] = y
    OUT.mkdir(parents=True, exist_ok=True)
    frame.to_csv(OUT / f"{name}.csv", index=False, float_format=float_format, lineterminator="\n")
    print(f"wrote {name}.csv: {frame.shape[0]} rows x {frame.shape[1]} columns")


def main() -> None:
    """Write the four held-out sets."""
    rng = np.random.default_rng(SEED)

    for name, loader in [("breast_cancer", load_breast_cancer), ("wine", load_wine)]:
        X, y = loader(return_X_y=True, as_frame=True)
        X_test, y_test = test_split(X, y, stratify=True)
        noisy = pd.DataFrame(jitter(X_test, rng, 0.1, copies=2), columns=X.columns)
        write(f"{name}_holdout", noisy, np.tile(y_test.to_numpy(), 2), "%.5g")

    X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
    X_test, y_test = test_split(X, y, stratify=False)
    numeric = [c for c in X.columns if c != "sex"]
    noisy = X_test.copy()
    noisy[numeric] = jitter(X_test[numeric], rng, 0.05, copies=1)
    noisy["sex"] = noisy["sex"].astype(int)
    write("diabetes_holdout", noisy, y_test.to_numpy(), "%.5g")

    X, y = load_digits(return_X_y=True, as_frame=True)
    X_test, y_test = test_split(X, y, stratify=True)
    base = X_test.to_numpy(dtype=float)
    ink = base > 0  # vary the strokes' intensity; the blank background stays blank
    noisy_pixels = np.clip(base + np.rint(rng.normal(0, 1.0, base.shape)) * ink, 0, 16)
    pixels = pd.DataFrame(noisy_pixels.astype(int), columns=X.columns)
    write("digits_holdout", pixels, y_test.to_numpy(), "%.6g")


if __name__ == "__main__":
    main()
