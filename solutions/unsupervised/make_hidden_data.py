"""Write tests/hidden/data/segments.csv, the labelled data only the hidden checks see.

Five features of 300 customers from four segments of unequal sizes, labelled by name; the
segments overlap a little, so a clustering of them is good but not perfect. Run once from this
folder (seeded: the same file every time); never released.
"""

from pathlib import Path

import numpy as np

SEGMENTS = {  # name: (size, centre, spread)
    "commuter": (110, [2.0, 0.0, 1.0, -1.0, 0.5], 1.0),
    "family": (80, [-2.5, 2.0, 0.0, 1.5, -1.0], 1.2),
    "retired": (65, [0.5, -3.0, -2.0, 0.0, 1.5], 0.9),
    "student": (45, [-1.0, 0.5, 3.5, -2.5, -2.0], 1.1),
}


def main() -> None:
    rng = np.random.default_rng(20261205)
    rows, names = [], []
    for name, (size, centre, spread) in SEGMENTS.items():
        rows.append(np.asarray(centre) + spread * rng.standard_normal((size, len(centre))))
        names += [name] * size
    X = np.vstack(rows)
    order = rng.permutation(len(X))
    X, names = X[order], [names[i] for i in order]
    out = Path(__file__).parent / "tests" / "hidden" / "data" / "segments.csv"
    lines = ["f1,f2,f3,f4,f5,segment"]
    lines += [",".join(f"{v:.6f}" for v in row) + f",{name}" for row, name in zip(X, names, strict=True)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("wrote", out, X.shape)


if __name__ == "__main__":
    main()
