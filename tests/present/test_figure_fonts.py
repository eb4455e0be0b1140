"""Figures in any language: the font chain draws Korean, Japanese, Chinese and accented labels
(no missing-glyph box) in the PNG and embeds every glyph in the PDF.

The CJK font is Noto Sans CJK from Debian's ``fonts-noto-cjk`` (installed by ``.ci/run``; here
``apt-get install -y --no-install-recommends fonts-noto-cjk``).
"""

from __future__ import annotations

import re
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

from hccsurv.core.km import kaplan_meier_groups
from hccsurv.present.figures.export import save_figure
from hccsurv.present.figures.km import plot_km
from hccsurv.present.figures.style import DEFAULT_FONT_FAMILY, FigureStyle, font_chain

LABELS = ("간세포암 절제", "肝細胞がん 切除", "肝细胞癌 消融", "Résection à Zürich")


def _chain_cmaps() -> list[dict[int, str]]:
    chain = font_chain(DEFAULT_FONT_FAMILY)
    assert any(name.startswith("Noto Sans CJK") for name in chain), (
        f"no CJK font in {chain}: apt-get install -y --no-install-recommends fonts-noto-cjk"
    )
    paths = [
        font_manager.findfont(FontProperties(family=n), fallback_to_default=False) for n in chain
    ]
    cmaps = []
    for path in paths:
        with TTFont(str(path), fontNumber=0, lazy=True) as font:
            cmaps.append(dict(font.getBestCmap()))
    return cmaps


def _figure() -> tuple[object, list[str]]:
    rng = np.random.default_rng(3)
    n = 80
    group = np.repeat(LABELS, n // len(LABELS))
    time = rng.exponential(12.0, group.size)
    event = (rng.random(group.size) < 0.7).astype(int)
    km = kaplan_meier_groups(time, event, group)
    with warnings.catch_warnings():
        # a glyph no font of the chain has would warn "Glyph ... missing from font(s)"
        warnings.simplefilter("error")
        fig = plot_km(km, logrank=0.21, style=FigureStyle.double_column(), title="전체 생존")
        fig.figure.draw_without_rendering()
    texts = [t.get_text() for t in fig.figure.findobj(Text) if isinstance(t, Text)]
    return fig.figure, texts


def test_every_character_of_the_labels_is_in_a_font_of_the_chain() -> None:
    cmaps = _chain_cmaps()
    _, texts = _figure()
    drawn = "".join(texts)
    for label in LABELS:
        assert label in drawn  # the group names reach the legend and the risk table
    for char in set("".join(LABELS)) - {" "}:
        assert any(ord(char) in cmap for cmap in cmaps), f"{char!r} has no glyph in the chain"


def test_png_and_pdf_embed_every_glyph(tmp_path: Path) -> None:
    fig, _ = _figure()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png, pdf = save_figure(fig, tmp_path / "cjk", formats=("png", "pdf"))  # type: ignore[arg-type]
    assert png.stat().st_size > 10_000
    data = pdf.read_bytes()
    faces = set(re.findall(rb"/BaseFont /[A-Z]{6}\+([\w-]+)", data))
    assert any(face.startswith(b"NotoSansCJK") for face in faces), faces
    assert any(face.startswith(b"DejaVuSans") for face in faces), faces
    # every font is embedded (TrueType programs, Type 42) ...
    assert data.count(b"/FontFile2") == data.count(b"/Type /FontDescriptor") > 0
    # ... and maps its glyphs back to the characters (ToUnicode), so each label is text
    mapped: set[int] = set()
    for header, stream in re.findall(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", data, re.S):
        body = zlib.decompress(stream) if b"FlateDecode" in header else stream
        if b"beginbfrange" in body or b"beginbfchar" in body:
            mapped |= {int(h, 16) for h in re.findall(rb"<([0-9a-fA-F]{4})>", body)}
    missing = {c for c in "".join(LABELS) if ord(c) not in mapped}
    assert not missing, f"not embedded: {sorted(missing)}"


def test_a_users_font_comes_first_and_missing_families_are_skipped() -> None:
    chain = font_chain(("No Such Font", "DejaVu Serif", *DEFAULT_FONT_FAMILY))
    assert chain[0] == "DejaVu Serif"
    assert "No Such Font" not in chain
    assert "DejaVu Sans" in chain
    assert FigureStyle(font_family=("No Such Font",)).fonts() == ["DejaVu Sans"]


@pytest.mark.parametrize("family", [(), ("",)])
def test_an_empty_font_family_is_refused(family: tuple[str, ...]) -> None:
    with pytest.raises(Exception, match="font_family"):
        FigureStyle(font_family=family)
