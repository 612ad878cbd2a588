# Thin wrappers; the commands themselves are in README.md.
PYTHON ?= python3

.PHONY: setup check font

setup:
	bash scripts/setup.sh

# Lint and type checks (pyproject.toml [tool.ruff], [tool.mypy]), then the tests.
check:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m mypy
	SDL_VIDEODRIVER=offscreen $(PYTHON) -m pytest -q -p no:cacheprovider

# Rebuild assets/fonts/SanjiSans-Regular.ttf and SanjiSerif-Regular.ttf;
# needs: apt-get install -y fonts-noto-cjk
font:
	$(PYTHON) tools/build_font.py
