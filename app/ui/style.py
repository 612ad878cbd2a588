"""The look, in one place: colours with high contrast on white, sizes readable at arm's
length, touch targets of at least 48 dp (issue #3 §1). Sizes are plain numbers in sp/dp
units; .kv files wrap them (``sp(S.BODY)``) so they follow the device's density."""

# Colours (RGBA). Text on white: TEXT 16:1, MUTED 7.6:1, RED 6.3:1, PRIMARY 8:1.
WHITE = (1, 1, 1, 1)
TEXT = (0.11, 0.11, 0.13, 1)
MUTED = (0.30, 0.31, 0.35, 1)
PRIMARY = (0.07, 0.31, 0.62, 1)
PRIMARY_DOWN = (0.04, 0.20, 0.42, 1)
BAR = (0.06, 0.20, 0.40, 1)          # top bar
RED = (0.76, 0.09, 0.09, 1)
RED_DOWN = (0.55, 0.05, 0.05, 1)
RED_SOFT = (0.99, 0.92, 0.92, 1)
GREEN = (0.09, 0.45, 0.18, 1)
GREEN_SOFT = (0.91, 0.97, 0.92, 1)
SURFACE = (0.95, 0.96, 0.97, 1)      # cards
PLAIN = (0.88, 0.90, 0.93, 1)        # secondary buttons
PLAIN_DOWN = (0.76, 0.79, 0.84, 1)
BORDER = (0.70, 0.73, 0.78, 1)

RED_HEX = "c21717"
GREEN_HEX = "17732e"
MUTED_HEX = "4d4f59"

# Type sizes (sp): body ≥ 18 sp, headers larger.
SMALL = 18
BODY = 20
HEAD = 24
TITLE = 28
HUGE = 44

# Touch targets (dp).
TOUCH = 56          # buttons, inputs
TOUCH_MIN = 48
TILE = 96           # the home screen's task buttons
PAD = 16
GAP = 12

NARROW_DP = 760     # narrower than this (in dp): one column, stacked bars


def button_colors(kind: str, down: bool, disabled: bool) -> tuple[tuple, tuple]:
    """(background, text) of a BigButton of ``kind`` (primary, plain, light, danger)."""
    if disabled:
        return PLAIN, MUTED
    background = {"primary": PRIMARY_DOWN if down else PRIMARY,
                  "danger": RED_DOWN if down else RED,
                  "light": PLAIN_DOWN if down else WHITE,
                  "plain": PLAIN_DOWN if down else PLAIN}[kind]
    return background, TEXT if kind in ("plain", "light") else WHITE
