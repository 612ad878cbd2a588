"""Where the bundled assets live. No Kivy import, so PDF rendering and the CLI can use it too."""

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"

# Sanji Sans: Noto Sans CJK SC subset with TrueType outlines (SIL OFL 1.1), built by
# tools/build_font.py. One file serves Kivy and reportlab; see assets/fonts/README.md.
FONT_PATH = ASSETS_DIR / "fonts" / "SanjiSans-Regular.ttf"
# Sanji Serif: Noto Serif CJK SC subset, the same way; the body and heading type of the
# 公文-style letters (GB/T 9704 asks for 仿宋/小标宋; see assets/fonts/README.md).
SERIF_FONT_PATH = ASSETS_DIR / "fonts" / "SanjiSerif-Regular.ttf"

__all__ = ["ASSETS_DIR", "FONT_PATH", "SERIF_FONT_PATH"]
