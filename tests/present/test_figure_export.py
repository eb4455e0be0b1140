"""save_figure: physical size in mm, resolution, embedded fonts, byte-identical re-runs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hccsurv.core.km import kaplan_meier_groups
from hccsurv.errors import InputError
from hccsurv.present.figures.export import figure_size_mm, save_figure, write_png
from hccsurv.present.figures.km import KMFigure, plot_km
from hccsurv.present.figures.style import FigureStyle

FORMATS = ("png", "pdf", "svg", "tiff")


@pytest.fixture(scope="module")
def figure() -> KMFigure:
    rng = np.random.default_rng(20240731)
    n = 60
    time = rng.exponential(8.0, n).round(2) + 0.1
    event = (rng.random(n) < 0.7).astype(int)
    group = np.where(np.arange(n) < 40, "First-line", "Post-ate-beva")
    km = kaplan_meier_groups(time, event, group)
    return plot_km(km, logrank=0.073, style=FigureStyle(width_mm=85.0, height_mm=80.0))


@pytest.fixture(scope="module")
def saved(figure: KMFigure, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    a = tmp_path_factory.mktemp("a")
    b = tmp_path_factory.mktemp("b")
    save_figure(figure.figure, a / "figure1", formats=FORMATS, dpi=300)
    save_figure(figure.figure, b / "figure1", formats=FORMATS, dpi=300)
    return a, b


def test_files_exist_and_are_byte_identical(saved: tuple[Path, Path]) -> None:
    a, b = saved
    for fmt in FORMATS:
        first, second = a / f"figure1.{fmt}", b / f"figure1.{fmt}"
        assert first.stat().st_size > 1000
        assert first.read_bytes() == second.read_bytes(), fmt


def test_raster_pixels_and_dpi(saved: tuple[Path, Path]) -> None:
    a, _ = saved
    for fmt in ("png", "tiff"):
        with Image.open(a / f"figure1.{fmt}") as img:
            # whole pixels: within one pixel of the exact size (matplotlib truncates)
            assert abs(img.size[0] - 85.0 / 25.4 * 300) < 1.0
            assert abs(img.size[1] - 80.0 / 25.4 * 300) < 1.0
            dpi = img.info["dpi"]
            assert dpi[0] == pytest.approx(300, abs=0.01)
            assert dpi[1] == pytest.approx(300, abs=0.01)


def test_png_is_the_agg_buffer(figure: KMFigure, tmp_path: Path) -> None:
    # the PNG holds exactly the pixels Agg drew at the requested dpi, as RGB (the figure is opaque)
    fig = figure.figure
    (path,) = save_figure(fig, tmp_path / "fig", formats=("png",), dpi=300)
    screen_dpi = fig.dpi
    fig.set_dpi(300)
    try:
        fig.canvas.draw()
        drawn = np.asarray(fig.canvas.buffer_rgba()).copy()  # type: ignore[attr-defined]
    finally:
        fig.set_dpi(screen_dpi)
    with Image.open(path) as img:
        assert img.mode == "RGB"
        assert np.array_equal(np.asarray(img), drawn[..., :3])


@pytest.mark.parametrize("alpha", [255, 128])
def test_write_png_round_trips_through_pillow(tmp_path: Path, alpha: int) -> None:
    rng = np.random.default_rng(3)
    rgba = rng.integers(0, 256, (37, 53, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[5, 7, 3] = alpha  # one translucent pixel keeps the alpha channel
    write_png(tmp_path / "x.png", rgba, 600)
    with Image.open(tmp_path / "x.png") as img:
        img.load()
        assert img.mode == ("RGB" if alpha == 255 else "RGBA")
        expected = rgba[..., :3] if alpha == 255 else rgba
        assert np.array_equal(np.asarray(img), expected)
        assert img.info["dpi"][0] == pytest.approx(600, abs=0.01)


def test_pdf_page_is_the_figure_size_with_truetype_fonts(saved: tuple[Path, Path]) -> None:
    data = (saved[0] / "figure1.pdf").read_bytes()
    box = re.search(rb"/MediaBox \[ *0 0 ([0-9.]+) ([0-9.]+) *\]", data)
    assert box is not None
    assert float(box.group(1)) == pytest.approx(85.0 / 25.4 * 72, abs=0.01)
    assert float(box.group(2)) == pytest.approx(80.0 / 25.4 * 72, abs=0.01)
    assert b"/FontFile2" in data  # TrueType embedded (pdf.fonttype 42)
    assert b"/Type3" not in data
    assert b"/CreationDate" not in data


def test_svg_size_and_text_as_paths(saved: tuple[Path, Path]) -> None:
    text = (saved[0] / "figure1.svg").read_text(encoding="utf-8")
    width = re.search(r'<svg[^>]* width="([0-9.]+)pt" height="([0-9.]+)pt"', text)
    assert width is not None
    assert float(width.group(1)) == pytest.approx(85.0 / 25.4 * 72, abs=0.01)
    assert float(width.group(2)) == pytest.approx(80.0 / 25.4 * 72, abs=0.01)
    assert "<dc:date>" not in text
    assert "<text" not in text  # glyphs are outlines: identical on every viewer


def test_size_in_mm(figure: KMFigure) -> None:
    assert figure_size_mm(figure.figure) == pytest.approx((85.0, 80.0))


def test_600_dpi_and_bad_requests(figure: KMFigure, tmp_path: Path) -> None:
    (path,) = save_figure(figure.figure, tmp_path / "sub" / "fig", formats=("png",), dpi=600)
    with Image.open(path) as img:
        assert abs(img.size[0] - 85.0 / 25.4 * 600) < 1.0
    with pytest.raises(InputError, match="unsupported"):
        save_figure(figure.figure, tmp_path / "fig", formats=("jpg",))
    with pytest.raises(InputError, match="dpi"):
        save_figure(figure.figure, tmp_path / "fig", dpi=50)
