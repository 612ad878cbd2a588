# Thin wrappers; the commands themselves are in README.md.
PYTHON ?= python3

.PHONY: setup check font

setup:
	bash scripts/setup.sh

# Tests (format/lint/type checks join here once the project picks its tools).
check:
	SDL_VIDEODRIVER=offscreen $(PYTHON) -m pytest -q -p no:cacheprovider

# Rebuild assets/fonts/SanjiSans-Regular.ttf and SanjiSerif-Regular.ttf;
# needs: apt-get install -y fonts-noto-cjk
font:
	$(PYTHON) tools/build_font.py
