"""Write hccsurv's figure fonts: DejaVu Sans (regular and bold) cut down to the scripts and
symbols of clinical figures, renamed "DejaVu Sans Latin".

Why: a PDF figure embeds its fonts as TrueType (Type 42) subsets, and matplotlib builds each
subset with fontTools from the whole font file, which matters when a run writes ten PDF fonts.
DejaVu Sans holds about 6,000 glyphs and large OpenType layout tables; the cut keeps about 1,500
glyphs, and keeps DejaVu's kerning in the legacy 'kern' table only, without the OpenType GPOS
table (whose one feature is the same kerning, as class pairs). Subsetting one font for a PDF
takes 22 ms instead of 87 ms for the whole DejaVu Sans (48 ms for the cut with GPOS, which
fontTools has to subset, compile and walk for name references).

Figures look exactly the same: glyph outlines and metrics are DejaVu's own, and HarfBuzz, which
lays out matplotlib's text, kerns from 'kern' when a font has no GPOS; every pair of the usual
characters gets the same kerning as with DejaVu Sans (tests/present/test_figure_layout.py). Any
character outside the cut falls back to the full DejaVu Sans that ships with matplotlib.

The DejaVu licence (kept beside the fonts) allows modified copies under a name without
"Bitstream" or "Vera".

Run from the repository root whenever matplotlib's DejaVu fonts change:

    python tools/make_figure_fonts.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
from fontTools import subset

OUT = Path(__file__).resolve().parents[1] / "src" / "hccsurv" / "present" / "figures" / "fonts"
FAMILY = "DejaVu Sans Latin"

#: Unicode blocks kept: Latin (basic, Latin-1, extended A and B), Greek, general punctuation,
#: super- and subscripts, currency, letterlike symbols, number forms, arrows, mathematical
#: operators, miscellaneous technical and geometric shapes.
BLOCKS = (
    (0x0020, 0x024F),
    (0x0370, 0x03FF),
    (0x2000, 0x206F),
    (0x2070, 0x209F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2150, 0x218F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x2300, 0x23FF),
    (0x25A0, 0x25FF),
)


def cut(source: Path, target: Path) -> None:
    """Subset ``source`` to :data:`BLOCKS`, rename the family, write ``target``."""
    options = subset.Options()
    options.layout_features = ["*"]  # keep kerning and every feature of the kept glyphs
    options.legacy_kern = True  # and the old 'kern' table, which FreeType reads
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    options.drop_tables += ["FFTM", "MATH", "GPOS"]
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[u for lo, hi in BLOCKS for u in range(lo, hi + 1)])
    subsetter.subset(font)
    for record in font["name"].names:
        text = record.toUnicode()
        if record.nameID in (1, 3, 4, 16, 18):
            record.string = text.replace("DejaVu Sans", FAMILY)
        elif record.nameID == 6:
            record.string = text.replace("DejaVuSans", FAMILY.replace(" ", ""))
    font.save(str(target))


def main() -> None:
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    OUT.mkdir(parents=True, exist_ok=True)
    for style in ("", "-Bold"):
        cut(ttf / f"DejaVuSans{style}.ttf", OUT / f"DejaVuSansLatin{style}.ttf")
    shutil.copyfile(ttf / "LICENSE_DEJAVU", OUT / "LICENSE_DEJAVU")
    for path in sorted(OUT.iterdir()):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
