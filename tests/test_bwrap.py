"""The sandbox's command lines (grader.sandbox.bwrap): pure argv, no kernel."""

from pathlib import Path

from grader.guest.confine import LIMITS
from grader.guest.protocol import LIMIT_NAMES
from grader.sandbox.bwrap import bwrap_args, rlimits


def _tmpfs_sizes(argv: list[str]) -> dict[str, int]:
    """Each tmpfs mount point and its ``--size`` in MiB."""
    sizes = {}
    for i, arg in enumerate(argv):
        if arg == "--tmpfs":
            assert argv[i - 2] == "--size", argv[i - 3 : i + 2]
            sizes[argv[i + 1]] = int(argv[i - 1]) >> 20
    return sizes


def test_a_kernel_s_home_and_tmp_are_each_as_large_as_disk_mb(tmp_path):
    argv = bwrap_args(tmp_path / "work", tmp_path / "run", None, disk_mb=300)
    assert _tmpfs_sizes(argv) == {"/tmp": 300, "/home/student": 300}


def test_rlimits_carry_the_names_the_zygote_applies():
    limits = rlimits(memory_mb=100, cpu_seconds=7, nproc=5, fsize_mb=2, nofile=9)
    assert list(limits) == list(LIMIT_NAMES) == list(LIMITS)
    assert limits["as"] == 100 << 20 and limits["fsize"] == 2 << 20 and limits["core"] == 0


def test_the_submission_is_bound_read_only_and_the_run_folder_writable(tmp_path):
    argv = bwrap_args(tmp_path / "work", tmp_path / "run", None, disk_mb=300)
    pairs = {(argv[i], argv[i + 1], argv[i + 2]) for i in range(len(argv) - 2)}
    assert ("--ro-bind", str(Path(tmp_path / "work")), "/srv/submission") in pairs
    assert ("--bind", str(tmp_path / "run"), str(tmp_path / "run")) in pairs
