"""Make Kivy draw Chinese: register the bundled CJK font as Kivy's default font.

Kivy's own default (Roboto) has no Chinese glyphs, so every widget that does not name a font
would show empty boxes. Registering our font *under the name "Roboto"* makes it the default
for every Label, Button and TextInput without touching each widget or .kv file. The font has
one weight; bold and italic fall back to the same file rather than to glyph-less Roboto.
"""

from pathlib import Path

from kivy.core.text import LabelBase

from app.assets import FONT_PATH

DEFAULT_FONT_NAME = "Roboto"  # the name Kivy widgets use when font_name is not set


def register_cjk_font() -> Path:
    """Register FONT_PATH as Kivy's default font (all styles) and return its path.

    Call before building widgets; calling it again is harmless. Chinese line-breaking
    rules come with the font (app.ui.linebreak).
    """
    from app.ui.linebreak import install
    install()
    if not FONT_PATH.is_file():
        raise FileNotFoundError(f"CJK font missing: {FONT_PATH} (rebuild with: make font)")
    path = str(FONT_PATH)
    LabelBase.register(
        name=DEFAULT_FONT_NAME,
        fn_regular=path,
        fn_italic=path,
        fn_bold=path,
        fn_bolditalic=path,
    )
    return FONT_PATH


__all__ = ["DEFAULT_FONT_NAME", "FONT_PATH", "register_cjk_font"]
