"""The corpus of bench/similarity.py (bench/similarity_corpus.py): reproducible, valid notebooks,
a ground truth about real students, independent students who really differ, and copies that
still work. No kernel, no timing: the students' code runs in this process."""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import itertools
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_corpus() -> Any:
    spec = importlib.util.spec_from_file_location(
        "similarity_corpus", ROOT / "bench" / "similarity_corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus()
STUDENTS = 60


@pytest.fixture(scope="module", params=corpus.CORPORA)
def built(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> tuple[Path, dict[str, Any]]:
    """The corpus, varied and narrow (every test below holds for both)."""
    dest = tmp_path_factory.mktemp(f"simbench-{request.param}")
    return dest, corpus.build(dest, STUDENTS, seed=0, corpus=request.param)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _code(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _answers(path: Path) -> dict[str, str]:
    """Per question, the code cell that defines its graded function."""
    out = {}
    for source in _code(path):
        for q in corpus.QUESTIONS:
            if re.search(rf"^def {q.func}\(", source, re.M):
                out[q.key] = source
    return out


def _functions(source: str) -> dict[str, str]:
    """Every function of more than one statement a cell defines, by name, as written (the
    released stub left out). One line such as ``return sum(v) / len(v)`` is often written alike
    by students who never met, in this corpus as in a real cohort."""
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            text = ast.get_source_segment(source, node) or ""
            body = [
                s
                for s in node.body
                if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
            ]
            if len(body) > 1 and "raise NotImplementedError()" not in text:
                out[node.name] = text
    return out


def test_same_seed_same_files_other_seed_other_students(
    built: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    dest, truth = built
    corpus.build(tmp_path / "again", STUDENTS, seed=0, corpus=truth["corpus"])
    assert _files(tmp_path / "again") == _files(dest)
    corpus.build(tmp_path / "other", STUDENTS, seed=1, corpus=truth["corpus"])
    other = _files(tmp_path / "other")
    mine = _files(dest)
    cohort = [name for name in mine if name.startswith("cohort/")]
    assert sum(other.get(name) == mine[name] for name in cohort) == 0
    assert {
        n: b for n, b in other.items() if not n.startswith(("cohort/", "reference/", "ground"))
    } == {
        n: b for n, b in mine.items() if not n.startswith(("cohort/", "reference/", "ground"))
    }  # the assignment is the same whatever the seed


def test_notebooks_are_valid_and_distinct(built: tuple[Path, dict[str, Any]]) -> None:
    dest, truth = built
    paths = sorted((dest / "cohort").glob(f"*/{corpus.NOTEBOOK}"))
    paths += sorted((dest / "reference").glob(f"*/{corpus.NOTEBOOK}"))
    assert len(paths) == len(truth["students"]) == STUDENTS + len(corpus.PLAN) + 2 + 2
    for path in paths:
        nbformat.validate(nbformat.read(path, as_version=4))
    assert len({p.read_bytes() for p in paths}) == len(paths)
    independent = [n for n, s in truth["students"].items() if s["kind"] == "independent"]
    codes = {"\n".join(_code(dest / "cohort" / n / corpus.NOTEBOOK)) for n in independent}
    assert len(codes) == len(independent) == STUDENTS


def test_ground_truth_names_real_students(built: tuple[Path, dict[str, Any]]) -> None:
    dest, truth = built
    folders = {p.name for p in (dest / "cohort").iterdir()}
    references = {p.name for p in (dest / "reference").iterdir()}
    assert references == set(truth["references"]) == set(corpus.REFERENCES)
    assert set(truth["students"]) == folders | references
    copiers = {n for n, s in truth["students"].items() if s["kind"] == "copier"}
    in_pairs: set[str] = set()
    for pair in truth["pairs"]:
        assert pair["a"] in folders and pair["a"] != pair["b"]
        assert pair["b"] in folders or pair["b"] == "online-solution"
        assert pair["kind"] in ("copy", "shared-source", "reference")
        assert pair["copied"] and set(pair["copied"]) <= {q.key for q in corpus.QUESTIONS}
        in_pairs |= {pair["a"], pair["b"]}
        if pair["kind"] == "copy":
            assert truth["students"][pair["b"]]["kind"] == "independent"
            for key in pair["copied"]:
                assert (
                    truth["students"][pair["a"]]["questions"][key]
                    == (truth["students"][pair["b"]]["questions"][key])
                )
    assert copiers <= in_pairs
    assert "github-2023" not in in_pairs  # the reference nobody copied
    kinds = Counter(tuple(p["transformations"]) for p in truth["pairs"] if p["kind"] == "copy")
    assert set(kinds) == set(corpus.PLAN)


def test_a_planted_pair_is_whole_when_every_answer_of_its_source_was_copied(
    built: tuple[Path, dict[str, Any]],
) -> None:
    _, truth = built
    links: dict[str, list[str]] = {}
    for pair in truth["pairs"]:
        if pair["kind"] == "shared-source":
            continue
        source = truth["students"][pair["b"]]["questions"]
        answered = sorted(k for k, v in source.items() if v not in ("unanswered", "partial"))
        assert pair["scope"] == ("whole" if sorted(pair["copied"]) == answered else "partial")
        assert (pair["scope"] == "partial") == any(
            t.startswith("partial:") for t in pair["transformations"]
        )
        links.setdefault(pair["a"], []).append(pair["scope"])
    for pair in truth["pairs"]:
        if pair["kind"] == "shared-source":
            both = links[pair["a"]] + links[pair["b"]]
            assert pair["scope"] == ("whole" if set(both) == {"whole"} else "partial")
    assert Counter(p["scope"] for p in truth["pairs"]) == {"whole": 9, "partial": 5}


def test_the_released_notebook_is_the_solution_stripped(built: tuple[Path, dict[str, Any]]) -> None:
    from grader.authoring.release import strip_notebook

    dest, _ = built
    solution = dest / "solutions" / "simbench" / corpus.NOTEBOOK
    stripped = strip_notebook(nbformat.read(solution, as_version=4), solution)
    released = nbformat.read(dest / "assignments" / "simbench" / corpus.NOTEBOOK, as_version=4)
    assert [c.source for c in stripped.cells] == [c.source for c in released.cells]


def test_independent_students_really_differ(built: tuple[Path, dict[str, Any]]) -> None:
    dest, truth = built
    students = truth["students"]
    independent = sorted(n for n, s in students.items() if s["kind"] == "independent")
    answers = {n: _answers(dest / "cohort" / n / corpus.NOTEBOOK) for n in independent}
    released = _answers(dest / "assignments" / "simbench" / corpus.NOTEBOOK)
    half = len(corpus.QUESTIONS) // 2
    for a, b in itertools.combinations(independent, 2):
        same = [k for k, v in answers[a].items() if answers[b].get(k) == v and v != released.get(k)]
        assert len(same) <= half, f"{a} and {b} wrote the same cells for {same}"
    # No independent student shares a function, as written, with a planted copy's source.
    sources = {p["b"] for p in truth["pairs"] if p["kind"] == "copy"}
    copiers = {p["a"] for p in truth["pairs"]}
    written = {  # the questions answered in full (a half-done stub is often written alike)
        n: {
            f: t
            for k, cell in answers[n].items()
            if students[n]["questions"][k] not in ("partial", "unanswered")
            for f, t in _functions(cell).items()
        }
        for n in independent
    }
    for source in sorted(sources):
        for other in independent:
            if other == source or other in copiers:
                continue
            shared = [f for f, t in written[source].items() if written[other].get(f) == t]
            assert not shared, f"{other} wrote {shared} exactly as {source} did"
    # Every question is answered in several ways, none by most students.
    for q in corpus.QUESTIONS:
        used = Counter(students[n]["questions"][q.key] for n in independent)
        ways = {k: v for k, v in used.items() if k not in ("partial", "unanswered")}
        assert len(ways) >= 4, (q.key, used)
        assert max(ways.values()) <= 0.5 * len(independent), (q.key, used)
        assert 0 < used["partial"] + used["unanswered"] < 0.4 * len(independent), (q.key, used)


def test_varied_students_spell_one_implementation_their_own_ways(
    built: tuple[Path, dict[str, Any]],
) -> None:
    """In the varied corpus, independent students who chose one implementation spell it in
    several ways (spaces, quotes, brackets, small rewrites); in the narrow one, as the
    templates do (the spacing of every line of code is the same)."""
    dest, truth = built
    students = truth["students"]
    independent = sorted(n for n, s in students.items() if s["kind"] == "independent")
    spacing: dict[str, set[str]] = {}
    for name in independent:
        for key, cell in _answers(dest / "cohort" / name / corpus.NOTEBOOK).items():
            impl = students[name]["questions"][key]
            if impl in ("partial", "unanswered"):
                continue
            code = [line for line in cell.split("\n") if line.strip()
                    and not line.lstrip().startswith(("#", '"""', "def "))]  # fmt: skip
            spaced = "\n".join(re.sub(r"\w+", "", line.strip()) for line in code)
            spacing.setdefault(f"{key}:{impl}", set()).add(spaced)
    assert spacing
    if truth["corpus"] == "varied":
        assert sum(len(v) >= 3 for v in spacing.values()) >= 0.5 * len(spacing)
        assert any("'" in s for v in spacing.values() for s in v)  # some single quotes
    else:
        assert sum(len(v) >= 3 for v in spacing.values()) < 0.5 * len(spacing)


def _rising(x: Any) -> int:
    best = current = 0
    for i in range(len(x)):
        current = current + 1 if i > 0 and x[i] > x[i - 1] else 1
        best = max(best, current)
    return best


def _checks(ns: dict[str, Any]) -> dict[str, Any]:
    """Per question, a function that raises AssertionError unless ``ns`` answers it right."""
    temps = np.asarray(ns["temperatures"], dtype=float)
    review, y_true, y_pred = ns["review"], ns["y_true"], ns["y_pred"]
    counts = dict(Counter(re.findall("[a-z]+", review.lower())))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def q1() -> None:
        f = ns["moving_average"]
        assert np.allclose(list(f(temps, 7)), np.convolve(temps, np.ones(7) / 7, mode="valid"))
        assert np.allclose(list(f([1.0, 2.0, 3.0, 4.0], 2)), [1.5, 2.5, 3.5])

    def q2() -> None:
        f = ns["standardize"]
        assert np.allclose(f(temps), (temps - temps.mean()) / temps.std())
        assert np.allclose(f([5.0, 5.0, 5.0]), 0)

    def q3() -> None:
        f = ns["word_counts"]
        assert dict(f(review)) == counts
        assert dict(f("Hello, hello world!")) == {"hello": 2, "world": 1}

    def q4() -> None:
        f = ns["top_words"]
        assert [tuple(p) for p in f(counts, 7)] == top[:7]
        assert [tuple(p) for p in f({"b": 2, "a": 2, "c": 5}, 2)] == [("c", 5), ("a", 2)]

    def q5() -> None:
        f = ns["longest_rising_run"]
        for x in (temps, [], [3, 2, 1], [1, 2, 3, 1, 2, 3, 4], [5]):
            assert f(x) == _rising(x), x

    def q6() -> None:
        f = ns["confusion_matrix"]
        want = np.zeros((3, 3), dtype=int)
        np.add.at(want, (y_true, y_pred), 1)
        assert np.array_equal(f(y_true, y_pred, 3), want)
        assert np.array_equal(f([0, 1, 1, 2], [0, 1, 0, 2], 3), [[1, 0, 0], [1, 1, 0], [0, 0, 1]])

    return {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5, "q6": q6}


def test_every_answer_works_copies_included(
    built: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Independent students' full answers are correct, and so are the copies: a transformation
    never breaks the code (a detector could tell a broken copy apart)."""
    dest, truth = built
    monkeypatch.chdir(dest / "assignments" / "simbench")  # its data/
    checked = 0
    for name, student in truth["students"].items():
        folder = "reference" if student["kind"] == "reference" else "cohort"
        ns: dict[str, Any] = {}
        for source in _code(dest / folder / name / corpus.NOTEBOOK):
            defines = any(f"def {q.func}(" in source for q in corpus.QUESTIONS)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(source, name, "exec"), ns)  # the corpus's own code
            except Exception:
                # a demo cell calling an unanswered question; never a cell that defines one
                assert not defines, f"{name}: {source}"
        checks = _checks(ns)
        for key, impl in student["questions"].items():
            if impl not in ("partial", "unanswered"):
                checks[key]()
                checked += 1
    assert checked > 0.7 * len(truth["students"]) * len(corpus.QUESTIONS)
