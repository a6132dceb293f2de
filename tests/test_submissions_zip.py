"""Finding submissions in zips and folders: zip-slip, zip bombs, submission times (no kernel).

`test_submissions.py` covers what a student folder holds; here: what a hostile or unusual zip
can do to the grader's disk, and where each submission's time comes from.
"""

from __future__ import annotations

import datetime as dt
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

import pytest

from grader.config import Assignment
from grader.errors import SubmissionError
from grader.submissions import find_submissions

MINI = Assignment("mini", Path("/nowhere/mini"), "Mini", "mini.ipynb")
NOTEBOOK = '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}'
UTC = dt.UTC


def found(*paths: Path, submitted_at: dt.datetime | None = None):
    """{student: submission}, each notebook's bytes read while the unpacked zips still exist."""
    with find_submissions(MINI, list(paths), submitted_at) as subs:
        return {s.student: (s, s.path.read_bytes() if s.path.is_file() else None) for s in subs}


def write_zip(path: Path, entries: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 10, 12, 0, 0)), data)
    return path


# --- zip-slip -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    ["../escaped.ipynb", "ada/../../../../escaped.ipynb", "{abs}/escaped.ipynb"],
    ids=["parent", "far-up-from-inside-a-student", "absolute"],
)
def test_a_zip_entry_outside_its_folder_is_never_written(tmp_path, monkeypatch, entry):
    """Whatever an entry climbs to (the unpacking folder's parent, far above, an absolute path),
    nothing is written but the notebooks inside: looked at while the unpacked zip still exists."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # unpack under tmp_path
    (tmp_path / "tmp").mkdir()
    target_dir = tmp_path / "outside"
    target_dir.mkdir()
    entry = entry.format(abs=target_dir)
    archive = write_zip(tmp_path / "cohort.zip", {entry: NOTEBOOK, "ben/mini.ipynb": NOTEBOOK})
    with find_submissions(MINI, [archive]) as subs:
        students = [s.student for s in subs]
        notes = [n for s in subs for n in s.notes]
        written = [p for p in tmp_path.rglob("*") if p.is_file() and p != archive]
    assert students == ["ben"]  # the other students of the zip are still found
    assert notes == [f"cohort.zip held entries that point outside it, not unpacked: {entry}"]
    assert [p.parts[-2:] for p in written] == [("ben", "mini.ipynb")]
    assert not list(tmp_path.rglob("escaped.ipynb"))


def test_a_zip_folder_entry_that_climbs_out_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    archive = write_zip(tmp_path / "cohort.zip",
                        {"../../made-by-zip/": "", "ada/mini.ipynb": NOTEBOOK})  # fmt: skip
    with find_submissions(MINI, [archive]) as subs:
        assert [s.student for s in subs] == ["ada"]
        assert not list(tmp_path.rglob("made-by-zip"))


def test_two_zips_of_the_same_name_keep_their_students_apart(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_zip(tmp_path / "a" / "cohort.zip", {"ada/mini.ipynb": '{"who": "ada 1"}'})
    second = write_zip(tmp_path / "b" / "cohort.zip",
                       {"ada/mini.ipynb": '{"who": "ada 2"}', "ben/mini.ipynb": "{}"})  # fmt: skip
    with find_submissions(MINI, [first, second]) as subs:
        rows = [(s.student, s.path.read_text()) for s in subs]
    assert sorted(rows) == [("ada", '{"who": "ada 1"}'), ("ada", '{"who": "ada 2"}'),
                            ("ben", "{}")]  # fmt: skip


# --- zip size caps (zip bombs) ----------------------------------------------------------------

_ZEROS = bytes(1 << 20)


def _deflated_zeros(mib: int) -> bytes:
    """A raw deflate stream of ``mib`` MiB of zeros (about 1 KiB per MiB), built in a moment."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(_ZEROS) + c.flush(zlib.Z_FULL_FLUSH)  # stands alone: repeatable
    return block * mib + c.flush()


def write_raw_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of deflated ``(name, stream, declared size, crc)`` entries, headers as given."""
    local, central = b"", b""
    date = (2026 - 1980) << 9 | 1 << 5 | 10
    for name, stream, size, crc in entries:
        raw = name.encode()
        fields = (8, 0, date, crc, len(stream), size, len(raw))
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, *fields, 0, 0, 0, 0,
                               0, len(local)) + raw  # fmt: skip
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *fields, 0) + raw + stream
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                      len(local), 0)  # fmt: skip
    path.write_bytes(local + central + end)
    return path


def test_an_entry_that_inflates_beyond_its_declared_size_writes_no_more_than_declared(tmp_path):
    """A header declaring 1 KiB over a stream of 64 MiB: at most the declared KiB reaches disk."""
    archive = write_raw_zip(tmp_path / "bomb.zip",
                            [("ada/mini.ipynb", _deflated_zeros(64), 1024, zlib.crc32(bytes(1024)))])  # fmt: skip
    try:
        subs = found(archive)
    except SubmissionError as exc:  # refusing the zip is as good
        assert "not a valid zip file" in str(exc)
        return
    assert subs["ada"][1] == bytes(1024)


@pytest.mark.parametrize(
    "entries",
    [[("ada/mini.ipynb", 3 << 30)], [(f"s{i:03d}/mini.ipynb", 40 << 20) for i in range(100)]],
    ids=["one-3-GiB-entry", "100-entries-of-40-MiB"],
)
def test_a_zip_declaring_more_than_the_size_cap_is_refused_before_unpacking(tmp_path, entries):
    # The streams hold 1 MiB each: unpacking would fail as a corrupt zip, after writing it;
    # what is asked here is a refusal for the size the headers declare, before any of that.
    stream = _deflated_zeros(1)
    archive = write_raw_zip(tmp_path / "bomb.zip",
                            [(name, stream, size, 0) for name, size in entries])  # fmt: skip
    with pytest.raises(SubmissionError) as caught:
        found(archive)
    message = str(caught.value)
    assert "not a valid zip file" not in message
    assert any(word in message for word in ("MiB", "GiB", "too large", "larger than", "cap"))


# --- submission times -----------------------------------------------------------------------


def test_timestamp_txt_in_a_student_folder_is_that_students_time(tmp_path):
    for student, stamp in [("ada", "2026-01-10 13:00:00 +0100"), ("ben", None)]:
        (tmp_path / student).mkdir()
        (tmp_path / student / "mini.ipynb").write_text(NOTEBOOK)
        if stamp:
            (tmp_path / student / "timestamp.txt").write_text(stamp)
    subs = found(tmp_path)
    assert subs["ada"][0].submitted_at == dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert subs["ben"][0].submitted_at is None  # unknown: on time
    assert subs["ada"][0].notes == subs["ben"][0].notes == ()


def test_a_timestamp_txt_beside_student_notebooks_is_nobodys_but_beside_a_lone_one_is_its(tmp_path):
    (tmp_path / "ada.ipynb").write_text(NOTEBOOK)
    (tmp_path / "ben.ipynb").write_text(NOTEBOOK)
    (tmp_path / "timestamp.txt").write_text("2026-01-10T12:00:00Z")
    assert {s.submitted_at for s, _ in found(tmp_path).values()} == {None}
    [(ada, _)] = found(tmp_path / "ada.ipynb").values()
    assert ada.submitted_at == dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def test_an_unreadable_timestamp_is_a_note_and_counts_as_on_time(tmp_path):
    (tmp_path / "ada").mkdir()
    (tmp_path / "ada" / "mini.ipynb").write_text(NOTEBOOK)
    (tmp_path / "ada" / "timestamp.txt").write_text("last tuesday")
    ada, _ = found(tmp_path)["ada"]
    assert ada.submitted_at is None
    [note] = ada.notes
    assert note.startswith("could not read the submission time in timestamp.txt")
    assert note.endswith(": graded as on time")


def test_the_time_given_overrides_timestamps_and_their_notes(tmp_path):
    (tmp_path / "ada").mkdir()
    (tmp_path / "ada" / "mini.ipynb").write_text(NOTEBOOK)
    (tmp_path / "ada" / "timestamp.txt").write_text("last tuesday")
    given = dt.datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    ada, _ = found(tmp_path, submitted_at=given)["ada"]
    assert (ada.submitted_at, ada.notes) == (given, ())


def test_a_zip_entry_time_without_a_zone_reads_as_utc(tmp_path):
    archive = write_zip(tmp_path / "cohort.zip", {"ada/mini.ipynb": NOTEBOOK})  # 2026-01-10 12:00
    ada, _ = found(archive)["ada"]
    assert ada.submitted_at == dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def test_a_zip_entrys_extended_utc_timestamp_wins_over_its_dos_time(tmp_path):
    when = dt.datetime(2026, 3, 1, 8, 30, 15, tzinfo=UTC)
    info = zipfile.ZipInfo("ada/mini.ipynb", date_time=(2026, 3, 1, 9, 30, 14))  # local, +1h
    info.extra = struct.pack("<HHBi", 0x5455, 5, 1, int(when.timestamp()))
    with zipfile.ZipFile(tmp_path / "cohort.zip", "w") as zf:
        zf.writestr(info, NOTEBOOK)
    ada, _ = found(tmp_path / "cohort.zip")["ada"]
    assert ada.submitted_at == when


def test_timestamp_txt_in_a_zip_wins_over_the_entry_time(tmp_path):
    archive = write_zip(tmp_path / "cohort.zip", {"ada/mini.ipynb": NOTEBOOK,
                                                  "ada/timestamp.txt": "2026-01-09T08:00:00Z"})  # fmt: skip
    ada, _ = found(archive)["ada"]
    assert ada.submitted_at == dt.datetime(2026, 1, 9, 8, 0, tzinfo=UTC)


def test_a_note_saying_on_time_is_true_for_a_zip_with_an_unreadable_timestamp(tmp_path):
    archive = write_zip(tmp_path / "cohort.zip",
                        {"ada/mini.ipynb": NOTEBOOK, "ada/timestamp.txt": "last tuesday"})  # fmt: skip
    ada, _ = found(archive)["ada"]
    assert ada.notes, "the unreadable timestamp.txt is mentioned"
    says_on_time = any("graded as on time" in n for n in ada.notes)
    assert not (says_on_time and ada.submitted_at is not None)


# --- nbgrader's layout ----------------------------------------------------------------------


def test_nbgrader_layout_in_a_zip_with_its_timestamp(tmp_path):
    archive = write_zip(tmp_path / "submitted.zip", {
        "ada/mini/mini.ipynb": '{"who": "ada"}',
        "ada/mini/timestamp.txt": "2026-01-10 11:00:00.5 UTC",
        "ben/mini/answers.ipynb": '{"who": "ben"}',  # its only notebook, another name
    })  # fmt: skip
    subs = found(archive)
    assert {name: data for name, (_, data) in subs.items()} == {
        "ada": b'{"who": "ada"}', "ben": b'{"who": "ben"}'
    }  # fmt: skip
    assert subs["ada"][0].submitted_at == dt.datetime(2026, 1, 10, 11, 0, 0, 500000, tzinfo=UTC)


def test_a_notebook_in_the_student_folder_wins_over_an_nbgrader_folder(tmp_path):
    (tmp_path / "ada" / "mini").mkdir(parents=True)
    (tmp_path / "ada" / "mini.ipynb").write_text('{"where": "top"}')
    (tmp_path / "ada" / "mini" / "mini.ipynb").write_text('{"where": "inner"}')
    assert found(tmp_path)["ada"][1] == b'{"where": "top"}'


def test_a_zip_holding_the_assignments_notebook_at_its_top_is_the_student_it_is_named_after(
    tmp_path,
):
    archive = write_zip(tmp_path / "ada.zip", {"mini.ipynb": '{"who": "ada"}', "notes.txt": "x"})
    subs = found(archive)
    assert {name: data for name, (_, data) in subs.items()} == {"ada": b'{"who": "ada"}'}


def test_a_folder_of_student_notebooks_and_student_zips_gives_a_row_for_each(tmp_path):
    (tmp_path / "ada.ipynb").write_text('{"who": "ada"}')
    write_zip(tmp_path / "ben.zip", {"mini.ipynb": '{"who": "ben"}'})
    write_zip(tmp_path / "cohort.zip", {"cara/mini.ipynb": '{"who": "cara"}'})
    subs = found(tmp_path)
    assert {name: data for name, (_, data) in subs.items()} == {
        "ada": b'{"who": "ada"}', "ben": b'{"who": "ben"}', "cara": b'{"who": "cara"}'
    }  # fmt: skip
