"""The student's matplotlib figures, recorded as they are made. Its source runs in the kernel.

The inline backend closes every figure once it is shown (at the end of the cell, or at
``plt.show()``), so the figures a notebook drew are gone by the time the checks run. This module
is sent into the kernel before the notebook's first cell: it watches for ``matplotlib``'s figure
registry to be imported (an import hook that loads nothing itself, so a notebook without plots
pays nothing) and then records each figure pyplot makes active, keeping the newest
:data:`KEPT`. :func:`described` turns them into plain data (titles, labels, scales, limits,
legend, line/scatter/bar data, image shapes) for the codec; figures are never sent as objects.

Stdlib only at import; matplotlib and numpy are touched only once the student imported them.
Nothing here is trusted by the grader: a student may tamper with it, which only lets them
misreport their own figures.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import sys
from pathlib import Path
from typing import Any

KEPT = 50
"""The most figures remembered (the newest): a notebook drawing in a loop keeps only these."""
_REGISTRY = "matplotlib._pylab_helpers"
_seen: list[Any] = []


def install() -> None:
    """Record the figures from now on (once per process; patches at once if pyplot is loaded)."""
    if getattr(sys, "_grader_figures_installed", False):
        return
    sys._grader_figures_installed = True  # type: ignore[attr-defined]
    if _REGISTRY in sys.modules:
        _patch(sys.modules[_REGISTRY])
    else:
        sys.meta_path.insert(0, _Finder())


class _Finder(importlib.abc.MetaPathFinder):
    """Finds nothing itself: patches the figure registry right after it is first loaded."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != _REGISTRY:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module: Any) -> None:
            run(module)
            _patch(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _patch(registry: Any) -> None:
    """Record each figure pyplot makes active (new ones first of all), once, in order."""
    gcf = registry.Gcf
    set_active = gcf.__dict__["set_active"].__func__

    def recording(cls: Any, manager: Any) -> Any:
        try:
            figure = manager.canvas.figure
            if not any(f is figure for f in _seen):
                _seen.append(figure)
                del _seen[:-KEPT]
        except Exception:  # noqa: S110  (a manager without a figure: nothing to record)
            pass
        return set_active(cls, manager)

    gcf.set_active = classmethod(recording)
    for manager in gcf.get_all_fig_managers():  # the figures open already
        recording(gcf, manager)


def described() -> list[dict[str, Any]]:
    """Every recorded figure (and any open one not recorded), oldest first, as plain data."""
    figures = list(_seen)
    registry = sys.modules.get(_REGISTRY)
    if registry is not None:
        for manager in registry.Gcf.get_all_fig_managers():
            if not any(f is manager.canvas.figure for f in figures):
                figures.append(manager.canvas.figure)
    return [_figure(f) for f in figures[-KEPT:]]


def _figure(fig: Any) -> dict[str, Any]:
    suptitle = getattr(fig, "_suptitle", None)
    return {
        "number": getattr(fig, "number", 0) or 0,
        "suptitle": suptitle.get_text() if suptitle is not None else "",
        "axes": [_axes(ax) for ax in fig.get_axes()],
    }


def _axes(ax: Any) -> dict[str, Any]:
    from matplotlib.collections import PathCollection
    from matplotlib.container import BarContainer

    legend = ax.get_legend()
    return {
        "title": ax.get_title(),
        "xlabel": ax.get_xlabel(),
        "ylabel": ax.get_ylabel(),
        "xscale": ax.get_xscale(),
        "yscale": ax.get_yscale(),
        "xlim": tuple(float(v) for v in ax.get_xlim()),
        "ylim": tuple(float(v) for v in ax.get_ylim()),
        "legend": [t.get_text() for t in legend.get_texts()] if legend is not None else [],
        "lines": [
            {"label": _label(line), "x": _values(line.get_xdata()), "y": _values(line.get_ydata())}
            for line in ax.get_lines()
        ],
        "scatters": [
            {
                "label": _label(c),
                "offsets": _values(c.get_offsets()),
                "colors": _values(c.get_facecolor()),
                "array": None if c.get_array() is None else _values(c.get_array()),
            }
            for c in ax.collections
            if isinstance(c, PathCollection)
        ],
        "bars": [
            {
                "label": _label(bars),
                "x": _values([p.get_x() + p.get_width() / 2 for p in bars.patches]),
                "heights": _values([p.get_height() for p in bars.patches]),
            }
            for bars in ax.containers
            if isinstance(bars, BarContainer)
        ],
        "images": [
            {"shape": tuple(int(n) for n in im.get_array().shape)} for im in ax.get_images()
        ],
    }


def _label(artist: Any) -> str:
    """The artist's label; matplotlib's placeholder for an unlabelled one (``_child0``) is ""."""
    label = str(artist.get_label() or "")
    return "" if label.startswith("_") else label


def _values(data: Any) -> Any:
    """Numbers as a float array; anything else (dates, categories) as a list of str."""
    import numpy as np

    try:
        return np.asarray(np.ma.filled(np.ma.asarray(data, dtype=float), np.nan), dtype=float)
    except (TypeError, ValueError):
        return [str(v) for v in np.asarray(data, dtype=object).ravel()]


@functools.cache
def startup_code() -> str:
    """Python that installs this module as ``_grader_figures`` and starts recording.

    Unless it is installed already; it leaves the namespace it runs in untouched.
    """
    source = Path(__file__).read_text(encoding="utf-8")
    boot = (
        "import sys as _s, types as _t\n"
        "if '_grader_figures' not in _s.modules:\n"
        "    _m = _t.ModuleType('_grader_figures')\n"
        f"    exec(compile({source!r}, '<grader-figures>', 'exec'), _m.__dict__)\n"
        "    _s.modules['_grader_figures'] = _m\n"
        "    _m.install()\n"
    )
    return f"exec({boot!r}, {{}})\n"
