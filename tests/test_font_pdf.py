"""The bundled font works for PDFs: reportlab embeds it and the Chinese text reads back out.

reportlab refuses CFF outlines, which is why tools/build_font.py converts Noto Sans CJK's
outlines to TrueType; pdftotext (poppler-utils, installed by scripts/setup.sh) reading the
text back shows that the glyphs and their Unicode mapping both survived.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from app.assets import FONT_PATH

REPO_ROOT = Path(__file__).resolve().parent.parent
LINES = [
    "人民调解协议书",
    "当事人：张堃、李喆、王赟",  # 堃喆赟 are outside GB2312; people's names use them
    "①→★✓ 面积 120㎡，金额 ¥3,000.00（叁仟元整）",
]


@pytest.fixture(scope="module")
def sanji_sans() -> str:
    name = "SanjiSans"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(FONT_PATH)))
    return name


def _pdftotext() -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("pdftotext not found: run scripts/setup.sh (installs poppler-utils)")
    return exe


def test_reportlab_embeds_the_font_and_pdftotext_reads_the_chinese_back(tmp_path, sanji_sans):
    pdf = tmp_path / "agreement.pdf"
    page = canvas.Canvas(str(pdf))
    page.setFont(sanji_sans, 16)
    for n, line in enumerate(LINES):
        page.drawString(72, 760 - 28 * n, line)
    page.save()

    text = subprocess.run(
        [_pdftotext(), "-layout", "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in LINES:
        assert line in text

    fonts = PdfReader(pdf).pages[0]["/Resources"]["/Font"]
    descriptors = [f.get_object().get("/FontDescriptor") for f in fonts.values()]
    embedded = [  # /FontFile2 holds an embedded TrueType program
        d.get_object()["/FontName"] for d in descriptors if d and "/FontFile2" in d.get_object()
    ]
    assert any("SanjiSans" in name for name in embedded), embedded


def test_font_asset_path_is_importable_without_kivy():
    """PDF code and the CLI import app.assets; it must not drag Kivy (and a window) in."""
    probe = "import sys, app.assets; assert 'kivy' not in sys.modules; print(app.assets.FONT_PATH)"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=REPO_ROOT
    ).stdout
    assert out.strip() == str(FONT_PATH)
    assert FONT_PATH.is_file()
