"""Failure probabilities of the statistical checks for a CORRECT solution.

Run: ``python tolerances.py`` (a few seconds). For every check whose inputs include the
student's own random draws it prints the probability that a correct function, whatever its
seed handling or draw order, fails the check, and (``--simulate``) re-runs the reference
solution's functions on 200 other seeds per check as an empirical sanity check.

Each bound is computed from the exact sampling distribution where there is one (chi-square for
Q4, binomial counts for Q5-Q7, Hoeffding for Q1) and from a moment-matched chi-square for Q2.
NOTES.md quotes these numbers.
"""

from __future__ import annotations

import itertools
import sys
from math import comb, exp

import numpy as np
from scipy import integrate, stats


def q1_die() -> dict[str, float]:
    n = 200_000
    return {
        # |mean - 3.5| > 0.035 for a mean of n rolls in [1, 6]: Hoeffding 2 exp(-2 n t^2 / 5^2)
        "q1 hidden die mean (Hoeffding)": 2 * exp(-2 * n * 0.035**2 / 25),
        # a face frequency off 1/6 by > 0.01: Hoeffding per face, six faces
        "q1 hidden face frequencies (Hoeffding)": 6 * 2 * exp(-2 * n * 0.01**2),
        "q1 hidden generator: two calls equal": 6.0**-30,
        "q1 hidden seeds 1, 2 give equal rolls": 6.0**-50,
    }


def _se_failure(n: int, reps: int = 2000, tol: float = 0.12) -> float:
    # s^2 / sigma^2 of `reps` means of n exponentials: variance 2/(reps-1) + kappa/reps with
    # kappa = 6/n the excess kurtosis of such a mean; matched to chi2_nu / nu.
    var = 2 / (reps - 1) + (6 / n) / reps
    nu = 2 / var
    lo, hi = (1 - tol) ** 2, (1 + tol) ** 2
    return float(stats.chi2.cdf(lo * nu, nu) + stats.chi2.sf(hi * nu, nu))


def q2_se() -> dict[str, float]:
    hidden = sum(_se_failure(n) for n in (4, 100, 400))
    # slope of 5 points, log SE sd <= 0.021 each (n = 4 worst), sum of squared log-n deviations
    log_n = np.log([4, 16, 64, 256, 1024])
    slope_sd = 0.021 / np.sqrt(np.sum((log_n - log_n.mean()) ** 2))
    return {
        "q2 public simulate_se n=25": _se_failure(25),
        "q2 hidden simulate_se n=4, 100, 400": hidden,
        "q2 hidden se_slope within 0.06 (normal)": float(2 * stats.norm.sf(0.06 / slope_sd)),
    }


def _chi2_failure(n: int, reps: int, tol: float) -> float:
    # mean MLE variance = sigma^2 / (n reps) * chi2_{reps (n-1)}; its ratio to the expectation
    # is chi2_nu / nu; the sample-variance average is the same variable times n/(n-1).
    nu = reps * (n - 1)
    return float(stats.chi2.cdf((1 - tol) * nu, nu) + stats.chi2.sf((1 + tol) * nu, nu))


def q4_variance() -> dict[str, float]:
    return {
        "q4 public n=5, 20,000 reps, 3%": _chi2_failure(5, 20_000, 0.03),
        "q4 hidden n=2 (50,000 reps) and n=10 (5,000 reps), 4%": _chi2_failure(2, 50_000, 0.04)
        + _chi2_failure(10, 5_000, 0.04),
    }


def _endpoint_failure(n_boot: int, q: float, delta: float, ref_size: int | None) -> float:
    """P(a correct bootstrap end falls outside [q - delta, q + delta] of the bootstrap CDF).

    The end is an interpolation between the order statistics T_(k) and T_(k+1), k = floor((B-1)q)
    + 1 (np.percentile); other quantile rules stay within T_(k-1) .. T_(k+2). It fails low only
    if at least k-1 of the B draws fall where the CDF is below q - delta, which has probability
    at most P(Bin(B, q - delta) >= k - 1); it fails high only if at most k+1 draws fall where
    the CDF is below q + delta: P(Bin(B, q + delta) <= k + 1). When the CDF is estimated from
    `ref_size` reference resamples, delta is reduced by 6 of their standard deviations first.
    """
    if ref_size:
        delta -= 6 * np.sqrt(q * (1 - q) / ref_size)
    k = int(np.floor((n_boot - 1) * q)) + 1
    low = stats.binom.sf(k - 2, n_boot, q - delta)
    high = stats.binom.cdf(k + 1, n_boot, q + delta)
    return float(low + high)


def q5_bootstrap() -> dict[str, float]:
    ref6 = 2 * stats.norm.sf(6)  # a fixed reference CDF off by more than 6 sd at one point
    return {
        "q5 public mean, B=20,000, 95%, delta 0.01": _endpoint_failure(20_000, 0.025, 0.01, 400_000)
        + _endpoint_failure(20_000, 0.975, 0.01, 400_000)
        + 2 * ref6,
        "q5 hidden median (exact), B=20,000, 90%, delta 0.01": _endpoint_failure(
            20_000, 0.05, 0.01, None
        )
        + _endpoint_failure(20_000, 0.95, 0.01, None),
        "q5 hidden mean, B=20,000, 80%, delta 0.015": _endpoint_failure(
            20_000, 0.10, 0.015, 400_000
        )
        + _endpoint_failure(20_000, 0.90, 0.015, 400_000)
        + 2 * ref6,
        "q5 hidden gap median (exact) and mean, B=10,000, 95%, delta 0.0125": 2
        * _endpoint_failure(10_000, 0.025, 0.0125, None)
        + 2 * _endpoint_failure(10_000, 0.025, 0.0125, 200_000)
        + 2 * ref6,
    }


def exact_permutation_p(x: np.ndarray, y: np.ndarray) -> float:
    pooled = np.concatenate([x, y])
    d = []
    for idx in itertools.combinations(range(len(pooled)), len(x)):
        m = np.zeros(len(pooled), dtype=bool)
        m[list(idx)] = True
        d.append(pooled[m].mean() - pooled[~m].mean())
    return float(np.mean(np.abs(np.array(d)) >= abs(x.mean() - y.mean())))


def check_exact_ties(x: np.ndarray, y: np.ndarray) -> None:
    """Assert that |d*| >= |d| in floating point agrees with exact rational arithmetic for
    every split, so that float rounding of mirror-image splits cannot change the count."""
    from fractions import Fraction

    pooled = np.concatenate([x, y])
    nx, ny = len(x), len(y)
    total = int(pooled.sum())
    d_obs = abs(Fraction(int(x.sum()), nx) - Fraction(int(y.sum()), ny))
    f_obs = abs(x.mean() - y.mean())
    for idx in itertools.combinations(range(len(pooled)), nx):
        m = np.zeros(len(pooled), dtype=bool)
        m[list(idx)] = True
        s1 = int(pooled[m].sum())
        exact = abs(Fraction(s1, nx) - Fraction(total - s1, ny)) >= d_obs
        assert exact == (abs(pooled[m].mean() - pooled[~m].mean()) >= f_obs), (x, y, idx)


def _perm_failure(p0: float, n_perm: int, tol: float) -> float:
    # p = (1 + K) / (1 + B), K ~ Bin(B, p0); fail when |p - p0| > tol
    k_lo = int(np.ceil((p0 - tol) * (1 + n_perm) - 1))  # smallest passing K
    k_hi = int(np.floor((p0 + tol) * (1 + n_perm) - 1))  # largest passing K
    return float(stats.binom.cdf(k_lo - 1, n_perm, p0) + stats.binom.sf(k_hi, n_perm, p0))


def q6_permutation() -> dict[str, float]:
    pub = exact_permutation_p(
        np.array([12.0, 15, 9, 20, 17, 11, 16]), np.array([10.0, 8, 13, 11, 7, 14, 9, 15])
    )
    h1 = exact_permutation_p(
        np.array([23.0, 31, 18, 27, 35, 22]), np.array([19.0, 25, 16, 21, 30, 14, 20, 24, 17])
    )
    h2 = exact_permutation_p(
        np.array([10.0, 8, 13, 11, 17, 14, 9, 15]), np.array([12.0, 15, 9, 19, 13, 11, 16])
    )
    for x, y in (
        ([12.0, 15, 9, 20, 17, 11, 16], [10.0, 8, 13, 11, 7, 14, 9, 15]),
        ([23.0, 31, 18, 27, 35, 22], [19.0, 25, 16, 21, 30, 14, 20, 24, 17]),
        ([10.0, 8, 13, 11, 17, 14, 9, 15], [12.0, 15, 9, 19, 13, 11, 16]),
    ):
        check_exact_ties(np.array(x), np.array(y))
    p_sep = 2 / comb(20, 10)
    ab_sd = np.hypot(np.sqrt(0.25 / 10_000), np.sqrt(0.25 / 100_000))
    return {
        f"q6 public p0={pub:.4f}, B=20,000, tol 0.015": _perm_failure(pub, 20_000, 0.015),
        f"q6 hidden p0={h1:.4f} (tol 0.015) and p0={h2:.4f} (tol 0.025)": _perm_failure(
            h1, 20_000, 0.015
        )
        + _perm_failure(h2, 20_000, 0.025),
        "q6 hidden separated groups: count >= 4 of 2,000": float(stats.binom.sf(3, 2_000, p_sep)),
        "q6 hidden perm_p vs 100,000-shuffle reference, tol 0.04 (normal)": float(
            2 * stats.norm.sf(0.04 / ab_sd)
        ),
    }


def _exact_prob_greater(a1: float, b1: float, a2: float, b2: float) -> float:
    value, _ = integrate.quad(
        lambda t: stats.beta.pdf(t, a2, b2) * stats.beta.cdf(t, a1, b1), 0, 1, epsabs=1e-12
    )
    return value


def _mc_failure(p: float, n: int, tol: float) -> float:
    return float(
        stats.binom.cdf(np.ceil((p - tol) * n) - 1, n, p)
        + stats.binom.sf(np.floor((p + tol) * n), n, p)
    )


def q7_beta() -> dict[str, float]:
    hidden = sum(
        _mc_failure(_exact_prob_greater(*params), 200_000, 0.01)
        for params in ((30, 70, 28, 72), (28, 72, 30, 70), (2, 2, 2, 2))
    )
    return {
        "q7 public prob_greater (3, 9, 5, 7)": _mc_failure(
            _exact_prob_greater(3, 9, 5, 7), 200_000, 0.01
        ),
        "q7 hidden prob_greater, three calls": hidden,
        "q7 hidden p_b_beats_a (18, 104, 24, 98)": _mc_failure(
            _exact_prob_greater(18, 104, 24, 98), 200_000, 0.01
        ),
    }


def simulate(n_seeds: int = 200) -> None:
    """Re-run the statistical criteria with the reference solution on other seeds."""
    import json
    from pathlib import Path

    here = Path(__file__).resolve().parent
    cells = json.loads((here / "probability-statistics.ipynb").read_text())["cells"]
    ns: dict = {"np": np, "stats": stats}
    for cell in cells:
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and src.lstrip().startswith("def "):
            exec(src, ns)
    worst: dict[str, float] = {}
    for s in range(1000, 1000 + n_seeds):
        m = ns["die_running_mean"](200_000, seed=s)[-1]
        worst["q1 |mean - 3.5| / 0.035"] = max(
            worst.get("q1 |mean - 3.5| / 0.035", 0), abs(m - 3.5) / 0.035
        )
        for n in (4, 25):
            r = abs(ns["simulate_se"](n, 2000, seed=s) / (2 / np.sqrt(n)) - 1) / 0.12
            worst[f"q2 n={n} rel err / 0.12"] = max(worst.get(f"q2 n={n} rel err / 0.12", 0), r)
        mle, _ = ns["variance_estimates"](5, 20_000, sigma=2.0, seed=s)
        worst["q4 n=5 rel err / 0.03"] = max(
            worst.get("q4 n=5 rel err / 0.03", 0), abs(mle / 3.2 - 1) / 0.03
        )
        p = ns["prob_greater"](3, 9, 5, 7, 200_000, seed=s)
        ex = _exact_prob_greater(3, 9, 5, 7)
        worst["q7 |p - exact| / 0.01"] = max(
            worst.get("q7 |p - exact| / 0.01", 0), abs(p - ex) / 0.01
        )
    for s in range(1000, 1000 + n_seeds // 10):
        x = np.array([12.0, 15, 9, 20, 17, 11, 16])
        y = np.array([10.0, 8, 13, 11, 7, 14, 9, 15])
        _, p = ns["permutation_test"](x, y, 20_000, seed=s)
        worst["q6 |p - p0| / 0.015"] = max(
            worst.get("q6 |p - p0| / 0.015", 0), abs(p - 0.0778554778554779) / 0.015
        )
    print(f"\nworst of {n_seeds} seeds (20 for q6) as a fraction of the tolerance (must be < 1):")
    for k, v in worst.items():
        print(f"  {k:32s} {v:.3f}")


def main() -> None:
    total = 0.0
    for part in (q1_die, q2_se, q4_variance, q5_bootstrap, q6_permutation, q7_beta):
        for name, p in part().items():
            total += p
            print(f"{name:72s} {p:.2e}")
    print(f"{'all statistical checks together (union bound)':72s} {total:.2e}")
    if "--simulate" in sys.argv:
        simulate()


if __name__ == "__main__":
    main()
