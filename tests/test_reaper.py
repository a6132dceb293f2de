"""Finding and killing what a kernel leaves behind."""

import os
import subprocess
import time

import pytest

from grader.sandbox import reaper
from grader.sandbox.reaper import UID_BASE, kill_pids, kill_uid, process_tree, student_uid


def _alive(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return "State:\tZ" not in f.read()
    except FileNotFoundError:
        return False


def _pids_of(uid):
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and _alive(entry.name):
            try:
                if os.stat(f"/proc/{entry.name}").st_uid == uid:
                    pids.append(entry.name)
            except FileNotFoundError:
                pass
    return pids


def _soon(condition, seconds=10.0):
    """Whether ``condition()`` holds within ``seconds`` (a loaded machine starts processes late)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("children_files", [True, False], ids=["children-files", "full-scan"])
def test_process_tree_finds_grandchildren_and_kill_pids_ends_them(monkeypatch, children_files):
    if children_files and not reaper._has_children_files():
        pytest.skip("this Linux lists no children files (CONFIG_PROC_CHILDREN)")
    monkeypatch.setattr(reaper, "_has_children_files", lambda: children_files)
    parent = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60 & wait"])
    assert _soon(lambda: len(process_tree(parent.pid)) == 3)
    tree = process_tree(parent.pid)
    assert parent.pid in tree and len(tree) == 3
    kill_pids(tree)
    parent.wait(timeout=5)
    time.sleep(0.1)
    assert not any(_alive(pid) for pid in tree)


@pytest.mark.skipif(os.geteuid() != 0, reason="uids of their own only when the grader is root")
def test_student_uids_are_distinct_while_held_and_kill_uid_ends_setsid_escapes():
    with student_uid() as first, student_uid() as second:
        assert first is not None and second is not None and first != second
        assert first >= UID_BASE
        # setsid forks when already a session leader: the sleep ends up in a session of its
        # own, orphaned, out of reach of any process-group kill.
        subprocess.run(
            ["setpriv", f"--reuid={first}", f"--regid={first}", "--clear-groups",
             "setsid", "sleep", "60"],
            start_new_session=True, check=True, timeout=5,
        )  # fmt: skip
        assert _soon(lambda: bool(_pids_of(first)))
        kill_uid(first)
        time.sleep(0.1)
        assert _pids_of(first) == []


def test_a_uid_is_searched_for_leftovers_unless_its_last_holder_left_it_clean(
    monkeypatch, tmp_path
):
    monkeypatch.setattr(reaper.tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(reaper.os, "geteuid", lambda: 0)
    searched = []  # the uids searched for (no process is found, none killed)
    monkeypatch.setattr(reaper, "kill_uid", lambda uid: searched.append(uid) or True)

    with student_uid() as uid:  # never used before
        assert searched == [uid]
        reaper.leave_clean(uid)
    with student_uid() as again:
        assert (again, searched) == (uid, [uid])  # left clean: not searched
    with student_uid() as third:  # the last holder did not say (it crashed, say)
        assert (third, searched) == (uid, [uid, uid])


def test_without_root_no_uid_is_assigned(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with student_uid() as uid:
        assert uid is None


def test_an_exhausted_uid_pool_is_a_sandbox_error(monkeypatch):
    from grader.errors import SandboxError
    from grader.sandbox import reaper

    monkeypatch.setattr(reaper, "UID_SLOTS", 0)
    monkeypatch.setattr(reaper.os, "geteuid", lambda: 0)
    with pytest.raises(SandboxError, match="uids are in use"), student_uid():
        pass
