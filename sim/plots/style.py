"""One look for every negsim figure, and byte-for-byte reproducible files.

Figures are plain :class:`matplotlib.figure.Figure` objects on an Agg canvas: no
``pyplot``, no global figure registry, nothing shared between figures. Drawing and
saving both run inside :func:`fixed_style`, which starts from matplotlib's defaults
(so a user's ``matplotlibrc`` cannot change our bytes) and fixes what would otherwise
vary between runs: the SVG id salt and the file metadata (no dates, no versions).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from events.errors import InputError
from events.files import write_whole

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

FORMATS: Final = ("png", "svg", "pdf")
DPI: Final = 110

# Party colours (colour-blind safe, Okabe-Ito), in negotiation order, then extras.
PARTY_COLORS: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
OUTCOME_COLORS: Final = {
    "approved": "#009E73",
    "approved_with_conditions": "#E69F00",
    "blocked": "#C00000",
    "no_jurisdiction": "#56B4E9",  # cleared by law: the regulator may not review it
    "inquiry": "#CC79A7",  # not final: an in-depth inquiry delays the deal
}
AGI_COLOR: Final = "#7B2D8E"
MUTED: Final = "#6E6E6E"

_RC: Final[dict[RcKeyType, Any]] = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: no system font lookups
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E4E4E4",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "svg.hashsalt": "negsim",  # stable ids in SVG output
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": False,
}

# Metadata that would otherwise carry a date or a version string.
_METADATA: Final = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}


def require_matplotlib() -> None:
    """Import-check matplotlib; a one-line error (exit 2) names the extra to install."""
    try:
        importlib.import_module("matplotlib")
    except ImportError:
        raise InputError(
            "plotting needs matplotlib, which is not installed: "
            "pip install '.[plot]' in a clone of negsim (or 'negsim[plot]')"
        ) from None


@contextlib.contextmanager
def fixed_style() -> Iterator[None]:
    """matplotlib's defaults plus our style, restored on exit."""
    require_matplotlib()
    import matplotlib as mpl

    with mpl.rc_context():
        with contextlib.suppress(Exception):  # rcdefaults warns on some old keys
            mpl.rcdefaults()
        mpl.rcParams.update(_RC)
        yield


def new_figure(width: float, height: float) -> Figure:
    """An empty figure on its own Agg canvas (call inside :func:`fixed_style`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def format_of(path: str | os.PathLike[str]) -> str:
    """``png``, ``svg`` or ``pdf`` from a file name's suffix, else InputError."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        shown = f"'.{suffix}'" if suffix else "no suffix"
        raise InputError(
            f"{path}: cannot tell the image format from {shown}; use .png, .svg or .pdf"
        )
    return suffix


def render(fig: Figure, fmt: str = "png") -> bytes:
    """The figure's bytes in ``fmt``: the same figure always gives the same bytes."""
    if fmt not in FORMATS:
        raise InputError(f"unknown image format {fmt!r}; use png, svg or pdf")
    buffer = io.BytesIO()
    with fixed_style():
        fig.savefig(buffer, format=fmt, dpi=DPI, metadata=dict(_METADATA[fmt]))
    return buffer.getvalue()


def save(fig: Figure, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix unless given), reproducibly.

    The file appears whole or not at all (written beside ``path``, then renamed; a
    terminal, pipe or device is written in place, see :mod:`events.files`).
    """
    target = Path(path)
    data = render(fig, fmt or format_of(target))
    return write_whole(target, data, what="image", fsync=False)


def month_label(year: int, month: int, *, with_month: bool) -> str:
    """``2025`` or ``Jul 2025`` (month names fixed in English, never the locale's)."""
    return f"{MONTHS[month - 1]} {year}" if with_month else str(year)


MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
