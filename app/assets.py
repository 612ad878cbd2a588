"""Where the bundled assets live. No Kivy import, so PDF rendering and the CLI can use it too."""

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"

# Sanji Sans: Noto Sans CJK SC subset with TrueType outlines (SIL OFL 1.1), built by
# tools/build_font.py. One file serves Kivy and reportlab; see assets/fonts/README.md.
FONT_PATH = ASSETS_DIR / "fonts" / "SanjiSans-Regular.ttf"

__all__ = ["ASSETS_DIR", "FONT_PATH"]
