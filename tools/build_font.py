"""Build the bundled CJK fonts:

- assets/fonts/SanjiSans-Regular.ttf, the font of the app and of its forms (from Noto Sans
  CJK SC);
- assets/fonts/SanjiSerif-Regular.ttf, the Song (宋体-style) serif of the 公文-style letters
  (转办函, GB/T 9704 asks for 仿宋 body type and a 小标宋 heading; no open-licence 仿宋 covers
  the characters in people's names, so the letters use this serif, from Noto Serif CJK SC).

Kivy's default font has no Chinese glyphs, and reportlab refuses CFF ("PostScript") outlines,
which is what Noto CJK ships. So we take the SC face, keep only the characters a village
office writes, and convert the outlines to TrueType quadratics: one TTF then serves Kivy
(SDL_ttf/FreeType) and reportlab alike.

Build-time only (not needed to run Sanji or its tests; the TTF is committed):

    apt-get install -y --no-install-recommends fonts-noto-cjk
    python3 tools/build_font.py            # or: make font (both fonts)
    python3 tools/build_font.py --font serif

Steps, each mirroring a well-known tool so the result can be reproduced by hand:

1. Subset face 2 (SC) of NotoSansCJK-Regular.ttc / NotoSerifCJK-Regular.ttc like
   ``pyftsubset --no-hinting --layout-features='' --name-IDs='*'`` (plus a visible .notdef box,
   so a missing character shows as a box rather than silently vanishing).
2. Convert CFF cubic outlines to TrueType (fontTools cu2qu at 1 font unit tolerance),
   build glyf/loca, maxp 1.0, post 3.0; drop 'CFF ' and the CFF-only 'VORG'.
3. Rename the family to "Sanji Sans" / "Sanji Serif". SIL OFL 1.1 section 3 forbids a Modified Version from using
   any Reserved Font Name as its primary name; the licence shipped with the Debian package declares
   none, but "Noto" is a Google trademark (name ID 7) and other distributions of the same glyphs
   declare the RFN "Source", so the derived font carries neither word in its name.

Licence: each output is a Modified Version of Noto Sans / Serif CJK SC and stays under SIL
OFL 1.1 (assets/fonts/LICENSE-OFL.txt).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_FACE = 2  # 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
LICENCE_SOURCE = Path("/usr/share/doc/fonts-noto-cjk/copyright")
LICENCE_OUTPUT = REPO_ROOT / "assets" / "fonts" / "LICENSE-OFL.txt"
VERSION = "1.000"


@dataclass(frozen=True)
class FontSpec:
    source: Path
    source_family: str       # the family name face SOURCE_FACE must have
    family: str
    postscript_name: str
    what: str                # "Sans" / "Serif", for the description

    @property
    def output(self) -> Path:
        return REPO_ROOT / "assets" / "fonts" / f"{self.postscript_name}.ttf"


FONTS = {
    "sans": FontSpec(Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
                     "Noto Sans CJK SC", "Sanji Sans", "SanjiSans-Regular", "Sans"),
    "serif": FontSpec(Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
                      "Noto Serif CJK SC", "Sanji Serif", "SanjiSerif-Regular", "Serif"),
}
# Kept for callers of the old single-font interface.
SOURCE = FONTS["sans"].source
OUTPUT = FONTS["sans"].output
FAMILY = FONTS["sans"].family
POSTSCRIPT_NAME = FONTS["sans"].postscript_name

# (first, last, why). Ranges the source font only partly covers are fine: the subsetter keeps
# what exists. Noto Sans CJK has no U+2717 ✗ (nor ✕ ✔ ✘); use ×, ╳ or ✓ with text instead.
UNICODE_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0020, 0x007E, "ASCII"),
    (0x00A0, 0x00FF, "Latin-1 supplement: ×, ÷, ·, °"),
    (0x2000, 0x206F, "General punctuation: “ ” ‘ ’ — … ‰ ※"),
    (0x2100, 0x214F, "Letterlike symbols: ℃ № ℡"),
    (0x2150, 0x218F, "Number forms: Ⅰ Ⅱ Ⅲ (roman numerals in documents)"),
    (0x2190, 0x21FF, "Arrows: → ← ↑ ↓"),
    (0x2200, 0x22FF, "Mathematical operators: ≤ ≥ ≠ ∶"),
    (0x2460, 0x24FF, "Enclosed alphanumerics: ① – ⑳, ⑴, ⒈"),
    (0x25A0, 0x25FF, "Geometric shapes: ● ○ ■ □ ▲ △ ◆ ◇"),
    (0x2600, 0x26FF, "Miscellaneous symbols: ★ ☆"),
    (0x2700, 0x27BF, "Dingbats: ✓"),
    (0x3000, 0x303F, "CJK symbols and punctuation: 、。〈〉《》「」【】〇"),
    (0x3200, 0x32FF, "Enclosed CJK: ㈠ ㈡ ㊣"),
    (0x3300, 0x33FF, "CJK compatibility: ㎡ ㎏ ㎞ (land area, weights)"),
    (0x4E00, 0x9FFF, "CJK unified ideographs, incl. rare name characters 堃 喆 赟"),
    (0xFF00, 0xFFEF, "Halfwidth and fullwidth forms: ，：（）"),
)

CU2QU_MAX_ERR = 1.0  # font units at 1000 UPM: the tolerance fontmake uses


def unicodes() -> list[int]:
    return [cp for first, last, _ in UNICODE_RANGES for cp in range(first, last + 1)]


def subset_font(font: TTFont) -> None:
    options = subset.Options()
    options.hinting = False  # --no-hinting
    options.layout_features = []  # --layout-features=''
    options.name_IDs = ["*"]  # --name-IDs='*'
    options.notdef_outline = True  # show missing characters as a box, not as nothing
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes())
    subsetter.subset(font)


def cff_to_truetype(font: TTFont) -> None:
    """Replace the CFF table by glyf/loca with quadratic outlines (what reportlab can embed)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        tt_pen = TTGlyphPen(None)
        # CFF outer contours run counter-clockwise, TrueType ones clockwise.
        glyph_set[name].draw(Cu2QuPen(tt_pen, CU2QU_MAX_ERR, reverse_direction=True))
        glyphs[name] = tt_pen.glyph()

    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")

    # TrueType wants lsb == xMin (head.flags bit 1); quadratic control points can move the bbox.
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        glyph.recalcBounds(glyf)
        advance, _ = hmtx[name]
        hmtx[name] = (advance, glyph.xMin if glyph.numberOfContours else 0)

    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxComponentDepth",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1  # recompiled from glyf on save for the point/contour counts

    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and the CID names carry no meaning
    post.extraNames = []
    post.mapping = {}

    for tag in ("CFF ", "VORG"):  # VORG is defined only for CFF outlines
        if tag in font:
            del font[tag]
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont, source_version: str, spec: FontSpec = FONTS["sans"]) -> None:
    name = font["name"]
    copyright_ = name.getDebugName(0) or ""
    entries = {
        0: f"{copyright_} Modifications (subset, TrueType outlines, renamed) by the Sanji authors.",
        1: spec.family,
        2: "Regular",
        3: f"{VERSION};SANJI;{spec.postscript_name}",
        4: f"{spec.family} Regular",
        5: f"Version {VERSION}; subset of {spec.source_family} {source_version}",
        6: spec.postscript_name,
        10: (
            f"{spec.family} is a Modified Version of {spec.source_family} under the SIL Open Font "
            "License 1.1: a subset (CJK unified ideographs, Latin, CJK and fullwidth punctuation, "
            "common symbols) with outlines converted to TrueType. Built by tools/build_font.py."
        ),
    }
    for name_id in (16, 17, 21, 22):  # typographic family names would leak the old name
        name.removeNames(nameID=name_id)
    for name_id, text in entries.items():
        name.removeNames(nameID=name_id)
        name.setName(text, name_id, 3, 1, 0x409)
    remaining = " ".join(r.toUnicode() for r in name.names if r.nameID in (1, 3, 4, 6, 16, 17))
    assert "Noto" not in remaining and "Source" not in remaining, remaining


def build(source: Path, output: Path, spec: FontSpec = FONTS["sans"]) -> Path:
    font = TTFont(source, fontNumber=SOURCE_FACE, recalcTimestamp=False)
    family = font["name"].getDebugName(1)
    if family != spec.source_family:
        raise SystemExit(f"face {SOURCE_FACE} of {source} is {family!r}, "
                         f"expected {spec.source_family}")
    source_version = f"{font['head'].fontRevision:.3f}"
    subset_font(font)
    cff_to_truetype(font)
    rename(font, source_version, spec)
    output.parent.mkdir(parents=True, exist_ok=True)
    font.save(output)  # recalcTimestamp=False keeps rebuilds byte-identical
    return output


def ofl_text(debian_copyright: str) -> str:
    """The SIL-1.1 paragraph of a Debian copyright file, unwrapped to plain text."""
    start = debian_copyright.rindex("\nLicense: SIL-1.1\n") + 1  # the paragraph, not a Files: line
    lines = []
    for line in debian_copyright[start:].splitlines()[1:]:
        if not line.startswith(" "):
            break  # next paragraph
        lines.append("" if line == " ." else line[1:])
    return "\n".join(lines).strip() + "\n"


def write_licence(font_paths: list[Path], source_package: str) -> Path:
    """OFL condition 2: every copy carries the copyright notice and the licence."""
    parts = []
    for font_path in font_paths:
        name = TTFont(font_path)["name"]
        family = name.getDebugName(1)
        source = name.getDebugName(5).split("subset of ", 1)[-1].rsplit(" ", 1)[0]
        parts.append(f"""\
{family} ({font_path.name}) is a Modified Version of {source},
taken from {source_package}, upstream https://github.com/googlefonts/noto-cjk.
{name.getDebugName(5)}

{name.getDebugName(0)}
""")
    header = "\n".join(parts) + """\
Noto is a trademark of Google Inc.
Built by tools/build_font.py.

They are distributed under the licence of the originals, reproduced below from
/usr/share/doc/fonts-noto-cjk/copyright.

"""
    LICENCE_OUTPUT.write_text(header + ofl_text(LICENCE_SOURCE.read_text("utf-8")), "utf-8")
    return LICENCE_OUTPUT


def debian_package_version(package: str) -> str:
    try:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True
        )
    except FileNotFoundError:
        return f"{package} (version unknown)"
    return f"Debian {package} {result.stdout.strip()}" if result.returncode == 0 else package


def check(path: Path) -> None:
    font = TTFont(path)
    cmap = font.getBestCmap()
    missing = [ch for ch in "张堃喆赟村委会调解，。①⑳→★✓㎡" if ord(ch) not in cmap]
    if missing:
        raise SystemExit(f"{path}: missing {''.join(missing)}")
    if "CFF " in font or "glyf" not in font:
        raise SystemExit(f"{path}: not TrueType-flavoured")
    print(
        f"{path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}: "
        f"{path.stat().st_size / 1e6:.1f} MB, {len(font.getGlyphOrder())} glyphs, "
        f"{len(cmap)} characters"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--font", choices=[*FONTS, "all"], default="all")
    parser.add_argument("--source", type=Path, help="with --font sans|serif: another source")
    parser.add_argument("--output", type=Path, help="with --font sans|serif: another output")
    args = parser.parse_args(argv)
    chosen = list(FONTS) if args.font == "all" else [args.font]
    for key in chosen:
        spec = FONTS[key]
        source = args.source or spec.source
        if not source.exists():
            print(f"{source} not found: apt-get install -y --no-install-recommends fonts-noto-cjk",
                  file=sys.stderr)
            return 1
        check(build(source, args.output or spec.output, spec))
    if args.output is None:
        built = [FONTS[key].output for key in FONTS if FONTS[key].output.exists()]
        print(write_licence(built, debian_package_version("fonts-noto-cjk")).relative_to(REPO_ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
