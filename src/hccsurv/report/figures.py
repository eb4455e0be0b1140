"""Write the figures of a run: each :class:`~hccsurv.present.study_figures.FigureView` drawn and
saved in the formats the config asks for (PNG at its dpi always, vector PDF/SVG) under
``figures/``, its PNG bytes kept for inlining in the HTML report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hccsurv.config import StudyConfig
from hccsurv.present.figures.export import save_figure
from hccsurv.present.study_figures import FigureView


@dataclass(frozen=True)
class SavedFigure:
    """A figure written to disk: its files, the PNG bytes and the caption."""

    name: str
    caption: str
    alt: str
    paths: tuple[Path, ...]
    png: bytes
    section: str | None = None


def write_figures(
    views: Sequence[FigureView],
    folder: Path,
    config: StudyConfig,
    advance: Callable[[int], None],
) -> tuple[SavedFigure, ...]:
    """Draw and save every figure in ``views``, in order; ``advance(1)`` after each."""
    formats = tuple(dict.fromkeys(["png", *config.figures.formats]))
    saved = []
    for view in views:
        paths = save_figure(
            view.draw(), folder / view.name, formats=formats, dpi=config.figures.dpi
        )
        png = (folder / f"{view.name}.png").read_bytes()
        saved.append(
            SavedFigure(view.name, view.caption, view.alt, tuple(paths), png, view.section)
        )
        advance(1)
    return tuple(saved)
