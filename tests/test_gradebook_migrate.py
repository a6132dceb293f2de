"""The gradebook's schema revisions: an older gradebook is upgraded in place, losing nothing.

Fast (no kernels). ``fixtures/gradebooks/before-revisions.sqlite`` was made by grader 245d2b8,
the last version before revisions were kept: model-evaluation graded for ada-complete,
ben-blank and cara-partial, and the Q8 grades of ada and cara imported from the demo's CSV.
"""

import contextlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from grader.config import solution_assignment
from grader.errors import GradebookError
from grader.gradebook import Gradebook, Stamp, latest_results, migrate
from grader.gradebook.schema import metadata

ROOT = Path(__file__).resolve().parents[1]
BEFORE = Path(__file__).parent / "fixtures" / "gradebooks" / "before-revisions.sqlite"
MODEL_EVALUATION = solution_assignment(ROOT, "model-evaluation")


def _copy(tmp_path: Path) -> str:
    path = tmp_path / "gradebook.sqlite"
    shutil.copy(BEFORE, path)
    return f"sqlite:///{path}"


def _indexes(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {ix["name"] for t in inspector.get_table_names() for ix in inspector.get_indexes(t)}
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return migrate.revision(conn)
    finally:
        engine.dispose()


def test_the_head_revision_is_the_newest_migration():
    assert migrate.scripts().get_current_head() == migrate.HEAD


def test_a_gradebook_from_before_revisions_is_upgraded_in_place_and_reads_as_before(tmp_path):
    url = _copy(tmp_path)
    assert _revision(url) is None
    assert "ix_check_results_submission" not in _indexes(url)

    results = {r.student: r for r in latest_results(url, "model-evaluation", MODEL_EVALUATION)}

    assert _revision(url) == migrate.HEAD
    assert {"ix_submissions_assignment_student", "ix_check_results_submission"} <= _indexes(url)
    assert {s: (r.total, r.possible) for s, r in results.items()} == {
        "ada-complete": (62.0, 62.0),
        "ben-blank": (0.0, 58.0),
        "cara-partial": (36.5, 62.0),
    }
    q8 = {s: next(q for q in r.questions if q.name == "q8") for s, r in results.items()}
    assert [item.number for item in q8["cara-partial"].rubric] == [1, 3]
    assert q8["cara-partial"].graded_by == "instructor"
    assert q8["ben-blank"].awaiting


def test_an_upgraded_gradebook_counts_attempts_on_from_the_old_rows(tmp_path):
    url = _copy(tmp_path)
    gradebook = Gradebook(url)
    try:
        [ada] = [r for r in gradebook.latest("model-evaluation") if r.student == "ada-complete"]
        gradebook.record(ada, Stamp("f" * 64, "k" * 64, None))
        gradebook.record(ada, Stamp("e" * 64, "j" * 64, None))
    finally:
        gradebook.close()
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        attempts = db.execute(
            "SELECT attempt FROM submissions JOIN students ON students.id = student_id "
            "WHERE name = 'ada-complete' ORDER BY attempt"
        ).fetchall()
    finally:
        db.close()
    assert [a for (a,) in attempts] == [1, 2, 3]


def test_a_gradebook_missing_the_later_tables_gets_them(tmp_path):
    url = _copy(tmp_path)
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    db.executescript("DROP TABLE manual_grades; DROP TABLE manual_answers;")
    db.close()
    results = latest_results(url, "model-evaluation", MODEL_EVALUATION)
    assert sorted(r.student for r in results) == ["ada-complete", "ben-blank", "cara-partial"]
    assert all(q.awaiting for r in results for q in r.questions if q.manual)


def _differences(url: str) -> list[object]:
    """What tells the database's schema from the one the grader's queries use."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))
    finally:
        engine.dispose()


def test_an_upgraded_gradebook_has_the_schema_the_grader_uses(tmp_path):
    url = _copy(tmp_path)
    Gradebook(url).close()
    assert _differences(url) == []


def test_a_new_gradebook_has_the_schema_the_grader_uses(gradebook_url):
    Gradebook(gradebook_url).close()
    assert _revision(gradebook_url) == migrate.HEAD
    assert _differences(gradebook_url) == []


def test_a_gradebook_of_a_newer_grader_is_refused_and_left_as_it_is(tmp_path):
    url = _copy(tmp_path)
    Gradebook(url).close()
    db = sqlite3.connect(url.removeprefix("sqlite:///"))
    db.execute("UPDATE alembic_version SET version_num = '9999'")
    db.commit()
    db.close()
    with pytest.raises(GradebookError, match="revision 9999, made by a newer grader"):
        Gradebook(url)
    assert _revision(url) == "9999"


@pytest.mark.parametrize("made", [True, False], ids=["at-head", "new"])
def test_a_new_gradebook_or_one_at_the_head_revision_opens_without_importing_alembic(
    tmp_path, made
):
    url = f"sqlite:///{tmp_path / 'gradebook.sqlite'}"
    if made:
        Gradebook(url).close()  # made now: every table, at the head revision
    probe = (
        "import sys\n"
        "from grader.gradebook import Gradebook\n"
        f"Gradebook({url!r}).close()\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert _revision(url) == migrate.HEAD
    assert _differences(url) == []


def _sqlite_schema(path: Path) -> list[tuple[str, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def test_the_migrations_on_an_empty_database_make_exactly_what_a_new_gradebook_gets(tmp_path):
    # A new gradebook is made from the grader's schema and stamped with the head revision
    # (no Alembic); an old one is upgraded by the migrations: the two must agree to the letter.
    new, migrated = tmp_path / "new.sqlite", tmp_path / "migrated.sqlite"
    Gradebook(f"sqlite:///{new}").close()
    engine = sa.create_engine(f"sqlite:///{migrated}")
    try:
        with engine.begin() as conn:
            migrate.migrate(conn, None, "migrated")
    finally:
        engine.dispose()
    assert _sqlite_schema(new) == _sqlite_schema(migrated)
    assert len(_sqlite_schema(new)) > 10  # the tables, their indexes and Alembic's version table
    assert _revision(f"sqlite:///{new}") == _revision(f"sqlite:///{migrated}") == migrate.HEAD
