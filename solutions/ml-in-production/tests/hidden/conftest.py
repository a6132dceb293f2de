"""Shared by the hidden checks: reference computations (fixture `ref`), the correct and planted
buggy versions of `rolling_zscore` for Q5 (fixture `zscore_versions`), and helpers.

The references are the checks' own, written for clarity and independently of the solution
notebook where there is another route (bins by `searchsorted`, rolling statistics by explicit
sums, the day's share by counting).
"""

from __future__ import annotations

import ast
import hashlib
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from grader import StudentError

NUMERIC = ["age", "tenure_months", "monthly_charges", "support_calls"]
FEATURES = NUMERIC + ["plan"]


# ----------------------------------------------------------------------------- Q2 helpers


def rejection(call):
    """The first line of the message of the ValueError that ``call()`` makes the notebook raise."""
    try:
        call()
    except StudentError as exc:
        first = str(exc).split("\n", 1)[0]
        assert exc.ename == "ValueError", f"expected a ValueError, got: {first}"
        return exc.evalue.split("\n", 1)[0]
    raise AssertionError("the request was accepted: expected a ValueError")


def good_requests(n, seed):
    """``n`` valid requests drawn from the training distribution (the checks' own sample)."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "standard", "premium"], size=n)
    base = pd.Series(plan).map({"basic": 35.0, "standard": 65.0, "premium": 95.0}).to_numpy()
    return pd.DataFrame(
        {
            "age": rng.integers(18, 86, n),
            "tenure_months": rng.integers(0, 73, n),
            "monthly_charges": np.round(base + rng.normal(0, 8, n), 2),
            "support_calls": rng.poisson(1.5, n),
            "plan": plan,
        }
    )


# ---------------------------------------------------------------------------- references


def psi(reference, current, n_bins=10):
    reference = np.asarray(reference, dtype=float)
    current = np.asarray(current, dtype=float)
    inner = np.quantile(reference, np.linspace(0, 1, n_bins + 1))[1:-1]

    def shares(values):
        # bin i holds inner[i-1] <= v < inner[i]: the number of inner edges at or below v
        index = np.searchsorted(inner, values, side="right")
        counts = np.array([np.sum(index == i) for i in range(n_bins)], dtype=float)
        return np.maximum(counts / len(values), 1e-4)

    r, c = shares(reference), shares(current)
    return float(np.sum((c - r) * np.log(c / r)))


def drift_report(reference, current, columns, n_bins=10, psi_threshold=0.2, alpha=0.01):
    rows = []
    for column in columns:
        value = psi(reference[column], current[column], n_bins)
        test = stats.ks_2samp(reference[column].to_numpy(float), current[column].to_numpy(float))
        rows.append(
            (value, float(test.statistic), float(test.pvalue),
             value > psi_threshold and test.pvalue < alpha)
        )  # fmt: skip
    return pd.DataFrame(rows, index=list(columns),
                        columns=["psi", "ks_statistic", "p_value", "drifted"])  # fmt: skip


def rolling_zscore(values, window):
    x = np.asarray(values, dtype=float)
    z = np.full(len(x), np.nan)
    for i in range(window, len(x)):
        past = x[i - window : i]
        mean = sum(past) / window
        std = np.sqrt(sum((p - mean) ** 2 for p in past) / window)
        if std > 0:
            z[i] = (x[i] - mean) / std
        else:
            z[i] = 0.0 if x[i] == mean else np.copysign(np.inf, x[i] - mean)
    return z


def rate_alerts(rates, window=14, z_limit=3.0):
    z = rolling_zscore(rates.to_numpy(dtype=float), window)
    return [label for label, score in zip(rates.index, z, strict=True) if np.abs(score) > z_limit]


def daily_rates(probabilities, dates, threshold=0.5):
    frame = pd.DataFrame({"date": np.asarray(dates), "hit": np.asarray(probabilities) >= threshold})
    days = sorted(frame["date"].unique())
    return pd.Series([frame.loc[frame["date"] == d, "hit"].sum() / (frame["date"] == d).sum()
                      for d in days], index=days, dtype=float)  # fmt: skip


def fingerprint(df):
    return hashlib.sha256(df.to_csv(index=False, lineterminator="\n").encode("utf-8")).hexdigest()


def run_record_auc(df, seed):
    pre = ColumnTransformer(
        [
            ("num", StandardScaler(), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan"]),
        ]
    )
    X_tr, X_te, y_tr, y_te = train_test_split(
        df[FEATURES], df["churned"], test_size=0.25, random_state=seed, stratify=df["churned"]
    )
    forest = Pipeline(
        [("pre", pre), ("clf", RandomForestClassifier(n_estimators=10, max_depth=5,
                                                      random_state=seed))]  # fmt: skip
    ).fit(X_tr, y_tr)
    return float(roc_auc_score(y_te, forest.predict_proba(X_te)[:, 1]))


@pytest.fixture
def ref():
    return SimpleNamespace(
        psi=psi,
        drift_report=drift_report,
        rolling_zscore=rolling_zscore,
        rate_alerts=rate_alerts,
        daily_rates=daily_rates,
        fingerprint=fingerprint,
        run_record_auc=run_record_auc,
        rejection=rejection,
        good_requests=good_requests,
        NUMERIC=NUMERIC,
        FEATURES=FEATURES,
    )


# ------------------------------------------------------------------- Q5: the implementations

# Every version is the notebook's function with one realistic bug, nothing else changed (same
# name, signature and docstring), so only calling it tells them apart.
CORRECT = '''
import numpy as np


def rolling_zscore(values, window):
    """How unusual each value is compared with the `window` values just before it."""
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 2:
        raise ValueError(f"window must be an integer of at least 2, got {window!r}")
    x = np.asarray(values, dtype=float)
    z = np.full(len(x), np.nan)
    for i in range(window, len(x)):
        history = x[i - window:i]
        mean, std = history.mean(), history.std()
        if std > 0:
            z[i] = (x[i] - mean) / std
        elif x[i] == mean:
            z[i] = 0.0
        else:
            z[i] = np.inf if x[i] > mean else -np.inf
    return z
'''

BUGS = {
    # the value is part of its own window (history = x[i - window + 1 : i + 1])
    "current_in_window": ("history = x[i - window:i]", "history = x[i - window + 1:i + 1]"),
    # the sample standard deviation (ddof=1) instead of the population one
    "sample_std": ("history.std()", "history.std(ddof=1)"),
    # drops the leading nan positions: a shorter array, misaligned with the input
    "drops_leading_nans": ("    return z", "    return z[window:]"),
    # "avoids" division by zero by scoring every flat window 0: a spike after a flat line is missed
    "flat_window_scores_zero": ("        elif x[i] == mean:", "        elif True:"),
    # accepts window = 1 (the check is < 1), where every window is flat
    "accepts_window_one": ("or window < 2:", "or window < 1:"),
    # starts one position late: z[window] is nan too
    "starts_one_late": ("range(window, len(x))", "range(window + 1, len(x))"),
}


def buggy(name):
    old, new = BUGS[name]
    assert CORRECT.count(old) == 1, f"the bug {name} does not apply exactly once"
    return CORRECT.replace(old, new)


# What only code that reads a function's code object or source needs (a name, attribute or
# string anywhere in a test or in a notebook function it uses); the modules inspect and dis
# count where they are imported, under whatever name they are bound to.
BANNED = {"getsource", "getsourcelines", "getsourcefile", "findsource", "__code__", "co_code",
          "co_consts", "co_names", "disassemble", "get_instructions"}  # fmt: skip
CODE_MODULES = ("inspect", "dis")


def _top_level_nodes(source):
    """The notebook's top-level statements: the whole source parsed, else chunk by chunk.

    The whole source fails to parse on one broken cell or one IPython magic; then a chunk runs
    from a line starting at column 0 to the next such line, and only the chunks that start with
    ``def`` or an import and parse are kept.
    """
    try:
        return ast.parse(source).body
    except SyntaxError:
        pass
    lines = source.splitlines()
    starts = [
        i
        for i, line in enumerate(lines)
        if line[:1] and not line[:1].isspace() and not line.startswith(("#", ")", "]", "}"))
    ]
    nodes = []
    for a, b in zip(starts, starts[1:] + [len(lines)], strict=True):
        if not re.match(r"(async\s+def|def|import|from)\b", lines[a]):
            continue
        try:
            nodes.extend(ast.parse("\n".join(lines[a:b])).body)
        except SyntaxError:
            continue
    return nodes


def _imports_code_module(node):
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] in CODE_MODULES for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] in CODE_MODULES
    return False


def _words(node):
    """Every name, attribute and string constant used inside ``node``, and whether it imports
    inspect or dis itself."""
    found, imports = set(), False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found.add(sub.value)
        elif isinstance(sub, ast.Import | ast.ImportFrom):
            imports = imports or _imports_code_module(sub)
    return found, imports


def inspecting_tests(source, prefix="test_"):
    """The names of the test functions that read code instead of calling it.

    A test is rejected when it, or a function of the notebook it uses (followed to any depth),
    imports inspect or dis, or uses a name of BANNED or a name the notebook bound to one of
    those modules or to something imported from them.
    """
    nodes = _top_level_nodes(source)
    banned = set(BANNED)
    for node in nodes:
        if _imports_code_module(node):
            if isinstance(node, ast.Import):
                banned.update((a.asname or a.name).split(".")[0] for a in node.names)
            else:
                banned.update(a.asname or a.name for a in node.names)
    functions = {n.name: n for n in nodes if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    functions.pop("rolling_zscore", None)  # the function under test, replaced while tests run
    offenders = []
    for name, node in functions.items():
        if not name.startswith(prefix):
            continue
        seen, todo, words, imports = {name}, [node], set(), False
        while todo:
            used, imported = _words(todo.pop())
            words |= used
            imports = imports or imported
            for other in (used & functions.keys()) - seen:
                seen.add(other)
                todo.append(functions[other])
        if imports or words & banned:
            offenders.append(name)
    return offenders


_correct_runs = {}


def correct_outcomes(nb):
    """The student's tests run on the correct version: once per submission (``nb`` is the
    session's), then the same outcomes, or the same error, for every check that asks."""
    if id(nb) not in _correct_runs:
        try:
            _correct_runs[id(nb)] = (nb, nb.student_tests(CORRECT), None)
        except Exception as exc:  # a timeout or a dead kernel: every check reports it
            _correct_runs[id(nb)] = (nb, None, exc)
    _, outcomes, error = _correct_runs[id(nb)]
    if error is not None:
        raise error
    return outcomes


def passing_tests(nb):
    """The student's tests that pass on the correct version (asserting there are some)."""
    outcomes = correct_outcomes(nb)
    assert outcomes, "no tests found: write functions with no arguments named test_..."
    passing = [name for name, outcome in outcomes.items() if outcome is None]
    assert passing, (
        "none of your tests passes on a correct rolling_zscore, so none can catch a bug: "
        + "; ".join(f"{name}: {outcome}" for name, outcome in list(outcomes.items())[:3])
    )
    offenders = inspecting_tests(nb.source)
    assert not offenders, (
        f"these tests read the function's code instead of calling it: {', '.join(offenders)}"
    )
    return passing


def assert_catches(nb, bug):
    passing = passing_tests(nb)
    outcomes = nb.student_tests(buggy(bug))
    caught = [name for name in passing if outcomes.get(name) is not None]
    assert caught, (
        f"all {len(passing)} of your tests that pass on the correct version also pass on one "
        "with a bug"
    )


@pytest.fixture
def zscore_versions():
    return SimpleNamespace(
        correct=CORRECT,
        correct_outcomes=correct_outcomes,
        buggy=buggy,
        bugs=sorted(BUGS),
        inspecting_tests=inspecting_tests,
        passing_tests=passing_tests,
        assert_catches=assert_catches,
    )
