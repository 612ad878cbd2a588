"""The sweep (tests/ui/touch.py): at one state of the app, page by page through every scroll
view on screen,

1. every visible enabled control (button, toggle, check row, list row, text box) takes a
   tap at the centre of the part of it a person can see, and
2. at every point of a grid over the window (as it is, not scrolled: a grid over every
   page would cost more than it finds), the tap goes to what is drawn there: the control
   drawn there if it is an enabled one, else the drawn widget or one of its parents (the
   page behind it) — never a widget that is hidden, folded away, or drawn underneath
   something else. While a drop-down list or popup is open, a tap outside it closes it
   (it must take that tap) and only its own controls are checked for rule 1.

Each probe is a real tap dispatched through the window (post_dispatch_input, as the event
loop does); presses and releases are swallowed and everything the taps could move (toggle
states, the keyboard, scroll positions) is put back, so the sweep leaves the state as it was.
A failure lists every point that went wrong, with what was drawn and what took the tap."""
from __future__ import annotations

import math

from tests.ui.touch import (GRID_DP, GRID_MIN_PX, SETTLE, TouchError, _control_of_any, _intersect, _Probe,
                            _widget_classes, ancestors, describe, window_rect)


def sweep(ui, label: str = "") -> int:
    """Run the checks on the state on screen; returns the number of probing taps."""
    _, _, _, ScrollView, _, _ = _widget_classes()
    full = (0, 0, ui.window.width, ui.window.height)
    problems: list[str] = []
    checked: set[int] = set()
    probes = 0
    with _Probe(ui) as probe:
        probes += _check_region(ui, probe, full, checked, problems, grid=True)
        views = [w for root in ui.roots() for w in root.walk(restrict=True)
                 if isinstance(w, ScrollView) and ui.visible(w) and _scrollable(w)]
        for view in views:
            start = view.scroll_y
            for position in _pages(view):
                if abs(position - start) < 1e-3:
                    continue
                view.scroll_y = position
                ui.frames(4)                 # a list lays its rows out again on the clock
                probe.cover()
                region = _intersect(window_rect(view), full)
                probes += _check_region(ui, probe, region, checked, problems, grid=False)
            view.scroll_y = start
            ui.frames(2)
        ui.wait(SETTLE)       # the scroll views hand their taps on 0.2 s after the lift
    if problems:
        shown = "\n  ".join(problems[:25])
        more = f"\n  … and {len(problems) - 25} more" if len(problems) > 25 else ""
        raise TouchError(f"sweep of {ui.name} {label}: {len(problems)} problems\n  {shown}{more}")
    return probes


def _scrollable(view) -> bool:
    viewport = getattr(view, "_viewport", None)
    return viewport is not None and view.do_scroll_y and viewport.height > view.height + 1


def _pages(view) -> list[float]:
    """scroll_y values that show the whole content, a bit of overlap between pages."""
    travel = view._viewport.height - view.height
    count = max(1, math.ceil(travel / (0.8 * view.height)))
    return [1 - i / count for i in range(count + 1)]


def _bar_zones(ui) -> list[tuple]:
    """Where a tap would grab a scroll bar (and jump the page): not probed."""
    _, _, _, ScrollView, _, _ = _widget_classes()
    zones = []
    for root in ui.roots():
        for view in root.walk(restrict=True):
            if isinstance(view, ScrollView) and ui.visible(view) and _scrollable(view) \
                    and "bars" in view.scroll_type:
                left, bottom, right, top = window_rect(view)
                zones.append((right - view.bar_margin - view.bar_width - 2, bottom, right, top))
                # (a view that scrolls sideways too has a bar along its bottom: rule 1 finds
                # the controls it hides, as it did the lists' before they stopped scrolling
                # sideways)
    return zones


def _menu(ui):
    """An open drop-down list or popup: it takes every touch, and one outside it closes it
    without reaching what is behind (as menus on a phone do)."""
    from kivy.uix.dropdown import DropDown
    from kivy.uix.modalview import ModalView
    for root in ui.roots():
        if root is not ui.app.root and isinstance(root, (DropDown, ModalView)):
            return root
    return None


def _check_region(ui, probe, region, checked: set[int], problems: list[str], grid: bool) -> int:
    if region[0] >= region[2] or region[1] >= region[3]:
        return 0
    bars = _bar_zones(ui)
    painted = ui.painted()
    menu = _menu(ui)
    probes = 0

    def in_bar(x, y) -> bool:
        return any(z[0] <= x <= z[2] and z[1] <= y <= z[3] for z in bars)

    # 1. every visible enabled control, at its centre
    ButtonBehavior, _, _, _, _, TextInput = _widget_classes()
    for root in [menu] if menu is not None else ui.roots():
        for widget in root.walk(restrict=True):
            if id(widget) in checked or not isinstance(widget, (ButtonBehavior, TextInput)):
                continue
            if widget.disabled or not ui.visible(widget):
                continue
            seen = ui.seen_rect(widget)
            if seen[2] - seen[0] < 8 or seen[3] - seen[1] < 8:
                continue             # a sliver at the edge of a list: not a thing to tap
            x, y = (seen[0] + seen[2]) / 2, (seen[1] + seen[3]) / 2
            if not (region[0] <= x <= region[2] and region[1] <= y <= region[3]) or in_bar(x, y):
                continue
            drawn = ui.drawn_at(x, y, painted)
            if drawn is None or widget not in ancestors(drawn):
                continue          # covered by something drawn over it: judged by the grid
            checked.add(id(widget))
            taker = probe.tap(x, y)
            probes += 1
            if taker is not widget:
                problems.append(f"{describe(widget)} at ({x:.0f}, {y:.0f}): the tap at its "
                                f"centre went to {describe(taker)}")
    if not grid:
        return probes
    # 2. a grid: what takes the tap is what is drawn
    from kivy.metrics import dp
    step = max(GRID_MIN_PX, dp(GRID_DP))
    x0 = region[0] + step / 2 + 0.37        # off the whole pixels layouts put edges on
    y0 = region[1] + step / 2 + 0.37
    y = y0
    while y < region[3]:
        x = x0
        while x < region[2]:
            if not in_bar(x, y):
                taker, drawn = probe.tap(x, y), ui.drawn_at(x, y, painted)
                if menu is not None and menu not in ancestors(drawn):
                    problem = None if taker is menu else (
                        f"({x:.0f}, {y:.0f}): a list is open, but the tap went to "
                        f"{describe(taker)} behind it")
                else:
                    problem = _judge(ui, x, y, taker, drawn)
                probes += 1
                if problem:
                    problems.append(problem)
            x += step
        y += step
    return probes


def _on_edge(widget, x: float, y: float) -> bool:
    """Within half a pixel of the widget's edge: which side a touch falls on there is down
    to rounding, not to the app."""
    if widget is None or not hasattr(widget, "to_window"):
        return False
    left, bottom, right, top = window_rect(widget)
    return min(abs(x - left), abs(x - right)) < 0.6 or min(abs(y - bottom), abs(y - top)) < 0.6


def _judge(ui, x: float, y: float, taker, drawn) -> str | None:
    if _on_edge(drawn, x, y) or _on_edge(taker, x, y):
        return None
    where = f"({x:.0f}, {y:.0f})"
    if drawn is None:
        return None if taker is None else f"{where}: nothing drawn, the tap went to " \
                                          f"{describe(taker)}"
    control = _control_of_any(drawn)
    if control is not None and not control.disabled:
        if taker is not control:
            return f"{where}: {describe(control)} is drawn there but the tap went to " \
                   f"{describe(taker)}"
        return None
    if taker is None or taker in ancestors(drawn):
        return None
    return f"{where}: the tap went to {describe(taker)}, but what is drawn there is " \
           f"{describe(drawn)}"
