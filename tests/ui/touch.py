"""Drive the real app the way a cadre does: a finger on the glass and a keyboard (issue #8 §1).

Every UI flow goes through here. Nothing is pressed with ``trigger_action()`` and no screen
method is called to act: a tap is a touch-down and a touch-up at screen coordinates, fed to
Kivy's event loop by an input provider exactly as the touch screen's driver feeds it, so it
goes through the Window, the ScrollViews and every widget on the way; typing is what the
system keyboard sends to the focused text box (``on_textinput`` and key events).

    from tests.ui.touch import touch_app

    def test_visit_by_touch(tmp_path):
        with touch_app(SanjiApp(data, ...), "phone", name="visit") as ui:
            ui.tap("李建国")                      # a visible button (scrolled to, if need be)
            ui.tap_keys("258046")                # one tap per key
            ui.tap("登录")
            ui.tap("来访登记")
            ui.fill("来访人姓名", "赵大爷")         # tap the field labelled so, type into it
            ui.tap("保存来访记录")
            ui.shot("visit-saved")               # screenshot + sweep of this state
            assert "赵大爷" in ui.texts()

Sizes: ``"tablet"`` is 1280×800 px at density 1, ``"phone"`` 720×1280 px at density 1.8.
The app runs in this thread (``App`` prepared, Kivy's loop stepped frame by frame), so a
test reads the app's state between actions without any locking, and an exception raised
on the Kivy clock comes straight out of the action that caused it.

Finding what to tap: ``ui.find(text)`` is the one widget drawn with that text (a button's
first line, a label, a field's label, a hint) on the current screen, the top bar or an open
popup; exact first lines win over prefixes; ``within=`` narrows it to a part of the screen
(e.g. ``screen.ids.sex``: reading the widget tree to aim is fine, acting on it is not).
Widgets folded away (``ShownBehavior``) are not in the tree, so they cannot be found.
A widget outside its scroll view is brought into view by dragging the page with the finger.

The sweep (``ui.sweep()``, run by every ``ui.shot()``): at this state, page by page through
every scroll view, (1) every visible enabled button takes a tap at its centre, and (2) at
every point of a grid over the window, the widget that takes a tap is the one drawn there
(or the control it belongs to) — never something hidden, folded or drawn underneath. The
sweep's taps go through the same dispatch but their press/release are swallowed and
toggles, focus and scroll positions restored, so the state it checks is left as it was.

Extending it (new screens, new buttons): write the flow with ``tap``/``fill``/``shot``; the
sweep needs no list of buttons, it finds them. A widget that takes touches in a new way
(not a ButtonBehavior, TextInput or ScrollView) is checked by rule (2) only; add its class
to ``_CONTROLS`` if a tap at its centre must reach it. Screenshots land in
test-artifacts/<name>-<nn>-<label>.png; look at them.
"""
from __future__ import annotations

import functools
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.ui.conftest import ARTIFACTS_DIR
from tests.ui.screens import check_chinese, check_not_blank, window

SIZES = {"tablet": (1280, 800, 1.0), "phone": (720, 1280, 1.8)}
GRID_DP = 24               # the sweep's grid: a probe every 24 dp (half a touch target),
GRID_MIN_PX = 36           # but not closer than 36 pixels
TAP_HOLD = 0.05            # a finger rests this long on the glass
SETTLE = 0.25              # after a tap: ScrollView passes a tap on 0.2 s after the lift
_MARKUP = re.compile(r"\[/?(?:b|i|u|s|sub|sup|color|size|font|ref|anchor)(?:=[^\]]*)?\]")


class TouchError(AssertionError):
    """An action could not be done the way a finger would do it."""


def plain(text: str) -> str:
    """What a person reads: markup tags dropped, no-break spaces as spaces."""
    return _MARKUP.sub("", text).replace("\xa0", " ").replace("&bl;", "[") \
        .replace("&br;", "]").replace("&amp;", "&")


# ---- the finger: a Kivy input provider -----------------------------------------------------
def _finger_classes():
    from kivy.input.motionevent import MotionEvent
    from kivy.input.provider import MotionEventProvider

    class Finger(MotionEvent):
        """One finger on the glass; ``args`` are the position as fractions of the window."""

        def depack(self, args):
            self.sx, self.sy = args
            self.profile = ["pos"]
            super().depack(args)

    class FingerProvider(MotionEventProvider):
        """Feeds the harness's touches to the event loop, one frame at a time."""

        def __init__(self):
            super().__init__("touch-harness", None)
            self.pending: deque = deque()

        def update(self, dispatch_fn):
            while self.pending:
                dispatch_fn(*self.pending.popleft())

    return Finger, FingerProvider


@functools.cache
def _widget_classes():
    from kivy.uix.behaviors import ButtonBehavior, FocusBehavior, ToggleButtonBehavior
    from kivy.uix.scrollview import ScrollView
    from kivy.uix.stencilview import StencilView
    from kivy.uix.textinput import TextInput
    return ButtonBehavior, FocusBehavior, ToggleButtonBehavior, ScrollView, StencilView, TextInput


# ---- geometry ----------------------------------------------------------------------------------
def window_rect(widget) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of ``widget`` in window coordinates."""
    x0, y0 = widget.to_window(widget.x, widget.y)
    x1, y1 = widget.to_window(widget.right, widget.top)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _inside(rect, x: float, y: float) -> bool:
    return rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3]


def _intersect(a, b):
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def ancestors(widget) -> Iterator:
    """``widget`` and every parent up to the window."""
    while widget is not None:
        yield widget
        parent = getattr(widget, "parent", None)
        widget = parent if parent is not widget else None


def describe(widget) -> str:
    if widget is None:
        return "nothing"
    text = getattr(widget, "text", None) or getattr(widget, "label", None) \
        or getattr(widget, "title", None) or getattr(widget, "hint_text", None)
    name = widget.__class__.__name__         # (a kv id is a WeakProxy: ask the widget)
    return f"{name} {plain(text)[:30]!r}" if isinstance(text, str) and text else name


class VirtualTime:
    """Kivy's clock on a time the harness moves: 1/60 s per frame however fast the frame
    was drawn (no sleeping between frames), or a jump (``advance``). The app's own timers,
    the ScrollView's tap hand-over and animations run exactly as on a device, only without
    waiting in real time. Kivy measures flings and double taps with the real clock: the
    harness rests a finger for real before lifting it (``drag``)."""
    last = 0.0          # time never goes back, even from one app run to the next

    def __init__(self) -> None:
        self.now = 0.0

    def __enter__(self) -> VirtualTime:
        from kivy.clock import Clock
        self.real_time = Clock.time
        self.max_fps = Clock._max_fps
        self.now = max(self.real_time(), VirtualTime.last)
        Clock.time = lambda: self.now
        Clock._max_fps = 0
        return self

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def __exit__(self, *exc) -> None:
        from kivy.clock import Clock
        VirtualTime.last = self.now
        Clock.time = self.real_time
        Clock._max_fps = self.max_fps
        Clock._last_tick = self.real_time()   # back on real time without a jump


class TouchUI:
    """One running app under the finger; see the module docstring."""

    def __init__(self, app, artifacts: Path, name: str, *, sweep: bool = True) -> None:
        self.app = app
        self.folder = artifacts
        self.name = name
        self.sweep_on_shot = sweep
        self.shots: dict[str, Path] = {}
        self._shot_count = 0
        self._ids = 1000
        self.clock = VirtualTime()
        Finger, FingerProvider = _finger_classes()
        self._Finger = Finger
        self.provider = FingerProvider()

    # ---- running the loop ----------------------------------------------------------------
    FRAME = 1 / 60

    def frames(self, count: int = 1) -> None:
        """Run ``count`` frames; each moves Kivy's clock on by 1/60 s (virtual time). Only
        the last one is drawn on the window (screenshots draw for themselves)."""
        for i in range(count):
            self.clock.advance(self.FRAME)
            self._frame(draw=i == count - 1)

    @staticmethod
    def _frame(draw: bool) -> None:
        """kivy.base.EventLoop.idle, with drawing the window made optional."""
        from kivy.base import EventLoop
        from kivy.clock import Clock
        from kivy.lang import Builder
        Clock.tick()
        for step in (EventLoop.dispatch_input, Builder.sync, Clock.tick_draw, Builder.sync):
            if EventLoop.quit:
                return
            step()
        window = EventLoop.window
        if window is not None:
            if draw and window.canvas.needs_redraw:
                window.dispatch("on_draw")
                window.dispatch("on_flip")
            window.mainloop()

    def wait(self, seconds: float) -> None:
        """Let ``seconds`` of the app's time pass, frame by frame (at least one frame)."""
        self.frames(max(1, math.ceil(seconds / self.FRAME - 1e-9)))

    def advance(self, seconds: float) -> None:
        """Jump the app's clock ``seconds`` ahead at once (an idle tablet), then one frame:
        everything due in that time runs."""
        self.clock.advance(seconds)
        self.frames()

    def until(self, condition: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
        """Run frames until ``condition()`` is true (real time limit: a background thread,
        such as a sync round, may be what we wait for); its value, or TouchError."""
        end = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > end:
                raise TouchError(f"waited {timeout} s for {what or condition}")
            self.frames()
            time.sleep(0.002)

    # ---- where things are --------------------------------------------------------------------
    @property
    def window(self):
        from kivy.core.window import Window
        return Window

    def roots(self) -> list:
        """What is on the glass, topmost first: popups and dropdowns, then the app."""
        return list(self.window.children)

    def visible(self, widget) -> bool:
        """Drawn (not transparent, not folded away, some size) and in the window."""
        if widget.width <= 0 or widget.height <= 0:
            return False
        if any(w.opacity <= 0 for w in ancestors(widget)):
            return False
        if widget.get_root_window() is None:
            return False
        return True

    def _clip(self, widget):
        """The part of the window where ``widget`` can be seen (scroll views clip)."""
        _, _, _, _, StencilView, _ = _widget_classes()
        rect = (0, 0, self.window.width, self.window.height)
        for parent in list(ancestors(widget))[1:]:
            if isinstance(parent, StencilView):
                rect = _intersect(rect, window_rect(parent))
        return rect

    def seen_rect(self, widget):
        """The part of ``widget`` a person can see now (may be empty)."""
        return _intersect(window_rect(widget), self._clip(widget))

    def candidates(self, within=None) -> list:
        roots = [within] if within is not None else self._search_roots()
        found = []
        for root in roots:
            for widget in root.walk(restrict=True):
                if self.visible(widget):
                    found.append(widget)
        return found

    def _search_roots(self) -> list:
        """The top popup if one is open, else the shell (top bar, screen, message bar)."""
        top = self.roots()
        app_root = self.app.root
        popups = [w for w in top if w is not app_root]
        return popups[:1] if popups else [app_root]

    def find(self, text: str, within=None, control: bool = True):
        """The one visible widget showing ``text`` (see the module docstring)."""
        ButtonBehavior, _, _, _, _, TextInput = _widget_classes()
        want = plain(text).strip()
        exact, prefix = [], []
        for widget in self.candidates(within):
            for shown in self._texts_of(widget):
                first = shown.split("\n")[0].strip()
                if first == want or shown.strip() == want:
                    exact.append(widget)
                    break
                if shown.startswith(want) or first.startswith(want):
                    prefix.append(widget)
                    break
        for group in (exact, prefix):
            if control:
                controls = [w for w in group if self._control_of(w) is not None]
                group = controls or group
            # a label inside a button counts as the button
            unique = []
            for widget in group:
                target = self._control_of(widget) or widget
                if target not in unique:
                    unique.append(target)
            if len(unique) == 1:
                return unique[0]
            if len(unique) > 1:
                raise TouchError(f"{text!r} is on screen {len(unique)} times: "
                                 + ", ".join(describe(w) for w in unique[:6])
                                 + " — say which with within=")
        raise TouchError(f"nothing showing {text!r} on screen; visible texts: "
                         + self.texts()[:600])

    @staticmethod
    def _texts_of(widget) -> list[str]:
        """What ``widget`` shows to be found by: a text box by its hint (what was typed in
        it is not its name), a Field's label by its own Small label."""
        found = []
        _, _, _, _, _, TextInput = _widget_classes()
        for attr in ("hint_text",) if isinstance(widget, TextInput) else ("text", "title"):
            value = getattr(widget, attr, None)
            if isinstance(value, str) and value.strip():
                found.append(plain(value))
        if _is_field(widget):          # a Field's text is its box's: found there
            return []
        return found

    @staticmethod
    def _control_of(widget):
        return _control_of_any(widget)

    def texts(self, within=None) -> str:
        """Every text drawn on screen (or under ``within``), in tree order, as read; an
        empty text box shows its hint."""
        from kivy.uix.label import Label
        _, _, _, _, _, TextInput = _widget_classes()
        parts = []
        for widget in self.candidates(within):
            if isinstance(widget, Label) and widget.text.strip():
                parts.append(plain(widget.text))
            elif isinstance(widget, TextInput):
                parts.append(widget.text or widget.hint_text)
        return " | ".join(p for p in parts if p)

    def field(self, label: str, within=None):
        """The text box of the Field labelled ``label`` (or with that hint)."""
        _, _, _, _, _, TextInput = _widget_classes()
        want = plain(label)
        boxes = []
        for widget in self.candidates(within):
            if isinstance(widget, TextInput) and plain(widget.hint_text).startswith(want):
                boxes.append(widget)
            field_label = getattr(widget, "label", None)
            if isinstance(field_label, str) and plain(field_label).startswith(want) \
                    and "input" in getattr(widget, "ids", {}):
                boxes.append(widget.ids.input)
        unique = list(dict.fromkeys(boxes))
        if len(unique) != 1:
            raise TouchError(f"{len(unique)} text boxes labelled {label!r}")
        return unique[0]

    # ---- the finger ------------------------------------------------------------------------
    def _touch(self, x: float, y: float):
        w, h = self.window._get_effective_size()
        self._ids += 1
        return self._Finger("touch-harness", self._ids, (x / max(1, w - 1), y / max(1, h - 1)),
                            is_touch=True, type_id="touch")

    def _move(self, touch, x: float, y: float) -> None:
        w, h = self.window._get_effective_size()
        touch.move((x / max(1, w - 1), y / max(1, h - 1)))

    def tap_at(self, x: float, y: float, hold: float = TAP_HOLD) -> None:
        """Down and up at window position (x, y), then let the screen settle."""
        touch = self._touch(x, y)
        self.provider.pending.append(("begin", touch))
        self.wait(hold)
        self.provider.pending.append(("end", touch))
        self.wait(SETTLE)

    def tap(self, target, within=None) -> Any:
        """Tap a widget, or the widget showing ``target`` (text), at its centre as seen.

        Raises TouchError if the control did not respond (its press never came): the
        message names what took the touch instead."""
        ButtonBehavior, FocusBehavior, *_ = _widget_classes()
        widget = self.find(target, within) if isinstance(target, str) else target
        self.scroll_into_view(widget)
        x, y = self.centre(widget)
        control = self._control_of(widget) or widget
        pressed: list = []
        if isinstance(control, ButtonBehavior):
            def mark(*_args):
                pressed.append(True)
            control.fbind("on_press", mark)
        else:
            mark = None
        try:
            self.tap_at(x, y)
        finally:
            if mark is not None:
                control.funbind("on_press", mark)
        responded = pressed if mark is not None else \
            (getattr(control, "focus", None) is not False)
        if not responded:
            taker = self.who_takes(x, y)
            raise TouchError(f"tapped {describe(control)} at ({x:.0f}, {y:.0f}) and it did not "
                             f"respond; the touch went to {describe(taker)}; drawn there: "
                             f"{describe(self.drawn_at(x, y))}; on the window: "
                             + ", ".join(describe(r) for r in self.roots()))
        return control

    def tap_keys(self, keys: str, within=None) -> None:
        """Tap on-screen keys one by one (the sign-in pad)."""
        for key in keys:
            self.tap(key, within=within)

    def centre(self, widget) -> tuple[float, float]:
        rect = self.seen_rect(widget)
        if rect[0] >= rect[2] or rect[1] >= rect[3]:
            raise TouchError(f"{describe(widget)} cannot be seen")
        return (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2

    def drag(self, start, end, steps: int = 8, rest: float = 0.15) -> None:
        """Put a finger at ``start``, slide it to ``end``, rest, lift (no fling)."""
        if math.dist(start, end) < 30:
            raise TouchError(f"a slide of {math.dist(start, end):.0f} px is a tap, not a drag")
        touch = self._touch(*start)
        self.provider.pending.append(("begin", touch))
        self.frames(2)
        for i in range(1, steps + 1):
            self._move(touch, start[0] + (end[0] - start[0]) * i / steps,
                       start[1] + (end[1] - start[1]) * i / steps)
            self.provider.pending.append(("update", touch))
            self.frames()
        # Kivy measures a fling in real time, from the moves of the last 1/6 s: rest the
        # finger for real longer than that before lifting, and it lifts without a fling
        self.wait(rest)
        time.sleep(0.2)
        self.provider.pending.append(("end", touch))
        self.settle()

    def settle(self, timeout: float = 10.0) -> None:
        """Frames until no scroll view is still moving (and the tap hand-over is done)."""
        _, _, _, ScrollView, _, _ = _widget_classes()

        def still() -> bool:
            for root in self.roots():
                for w in root.walk(restrict=True):
                    if isinstance(w, ScrollView):
                        for effect in (w.effect_x, w.effect_y):
                            if effect is not None and abs(getattr(effect, "velocity", 0)) > 0.5:
                                return False
            return True
        self.wait(SETTLE)
        for _ in range(int(timeout / self.FRAME)):      # the app's time, not the test's
            if still():
                return
            self.frames()
        raise TouchError(f"the page still scrolls after {timeout} s")

    def scroll_into_view(self, widget, margin: float = 12) -> None:
        """Drag the page (like a finger) until ``widget`` is wholly in view (or as far as the
        page goes)."""
        _, _, _, ScrollView, _, _ = _widget_classes()
        views = [w for w in list(ancestors(widget))[1:] if isinstance(w, ScrollView)]
        for view in views:
            for _ in range(30):
                clip = window_rect(view)
                rect = window_rect(widget)
                below = clip[1] + margin - rect[1]        # > 0: the widget's bottom is hidden
                above = rect[3] - (clip[3] - margin)      # > 0: its top is hidden
                tall = rect[3] - rect[1] > clip[3] - clip[1] - 2 * margin
                if (below <= 0 and above <= 0) or (tall and _inside(clip, *self._mid(rect))):
                    break
                # move the content up (finger up) to see what is below, and the other way;
                # a slide shorter than the view's scroll distance would be a tap: go further
                distance = below if below > 0 else -above
                least = view.scroll_distance * 2 + margin
                if abs(distance) < least:
                    distance = least if distance > 0 else -least
                limit = (clip[3] - clip[1]) * 0.6
                distance = max(-limit, min(limit, distance))
                x = clip[0] + (clip[2] - clip[0]) * 0.3
                y0 = clip[1] + (clip[3] - clip[1]) / 2 - distance / 2
                before = view.scroll_y
                self.drag((x, y0), (x, y0 + distance))
                if abs(view.scroll_y - before) < 1e-6:
                    break
        if self.seen_rect(widget)[3] <= self.seen_rect(widget)[1]:
            raise TouchError(f"could not scroll {describe(widget)} into view")

    @staticmethod
    def _mid(rect):
        return (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2

    # ---- the keyboard ----------------------------------------------------------------------
    def focused(self):
        _, FocusBehavior, *_ = _widget_classes()
        for root in self.roots():
            for widget in root.walk(restrict=True):
                if isinstance(widget, FocusBehavior) and widget.focus:
                    return widget
        return None

    def type(self, text: str) -> None:
        """Type into the focused text box, as the system keyboard sends it (a new line is
        the Enter key)."""
        box = self.focused()
        if box is None:
            raise TouchError(f"typing {text!r} but no text box has the keyboard")
        for i, line in enumerate(text.split("\n")):
            if i:
                self.key("enter")
            for char in line:
                self.window.dispatch("on_textinput", char)
        self.frames(2)

    KEYS = {"backspace": (8, 42, None), "enter": (13, 40, None), "tab": (9, 43, None),
            "a": (97, 4, "a")}

    def key(self, name: str, modifiers: tuple[str, ...] = ()) -> None:
        code, scancode, char = self.KEYS[name]
        self.window.dispatch("on_key_down", code, scancode, char, list(modifiers))
        self.window.dispatch("on_key_up", code, scancode)
        self.frames()

    def clear(self) -> None:
        """Select everything in the focused box and delete it (Ctrl+A, Backspace)."""
        box = self.focused()
        if box is not None and box.text:
            self.key("a", ("ctrl",))
            self.key("backspace")
            if box.text:            # some boxes ignore Ctrl+A: delete one by one
                for _ in range(len(box.text)):
                    self.key("backspace")

    def fill(self, target, text: str, within=None) -> Any:
        """Tap the text box (a widget, or the Field labelled ``target``), clear it, type."""
        box = self.field(target, within) if isinstance(target, str) else target
        if getattr(box, "ids", None) and "input" in box.ids:
            box = box.ids.input
        self.tap(box)
        self.clear()
        self.type(text)
        return box

    def done_typing(self) -> None:
        """Put the keyboard away the way a person does: tap an empty spot of the page."""
        box = self.focused()
        if box is None:
            return
        x, y = self._empty_spot()
        self.tap_at(x, y)
        if self.focused() is box:
            raise TouchError("the text box kept the keyboard after a tap elsewhere")

    def _empty_spot(self) -> tuple[float, float]:
        """A point where the tap reaches no control: the page's background."""
        w, h = self.window.width, self.window.height
        for fy in (0.5, 0.35, 0.65, 0.2, 0.8):
            for fx in (0.98, 0.5, 0.02):
                taker = self.who_takes(w * fx, h * fy, quiet=True)
                if self._control_of(taker) is None if taker is not None else True:
                    return w * fx, h * fy
        raise TouchError("no empty spot on the screen to tap")

    # ---- what takes a touch ----------------------------------------------------------------
    def who_takes(self, x: float, y: float, quiet: bool = False):
        """The widget that takes a tap at (x, y), found by dispatching a tap through the
        window with every press swallowed (nothing is done, nothing moves)."""
        with _Probe(self) as probe:
            taker = probe.tap(x, y)
            self.wait(SETTLE if not quiet else SETTLE)
        return taker

    def drawn_at(self, x: float, y: float, painted: list | None = None):
        """The topmost visible widget drawn at (x, y): what a person sees there.
        ``painted``: a list from ``painted()`` to reuse for many points of one state."""
        for widget, rect in painted if painted is not None else self.painted():
            if rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3]:
                return widget
        return None

    def painted(self) -> list:
        """Every visible widget with the part of the window where it shows, topmost first:
        children before their parent, a parent's children in the order Kivy offers them a
        touch (the one drawn last first), the window's own children likewise."""
        _, _, _, _, StencilView, _ = _widget_classes()
        out: list = []

        def visit(widget, clip) -> None:
            if widget.opacity <= 0:
                return
            rect = window_rect(widget)
            if isinstance(widget, StencilView):
                clip = _intersect(clip, rect)
            if clip[0] >= clip[2] or clip[1] >= clip[3]:
                return
            for child in widget.children:
                visit(child, clip)
            if widget.width > 0 and widget.height > 0:
                seen = _intersect(rect, clip)
                if seen[0] <= seen[2] and seen[1] <= seen[3]:
                    out.append((widget, seen))

        for root in self.roots():
            visit(root, (0, 0, self.window.width, self.window.height))
        return out

    def unreadable(self, within=None) -> list[str]:
        """Texts that do not fit the box they are drawn in (a font too big for the layout):
        a one-line text wider than its box, a wrapped text taller than its box. A text
        the layout shortens with "…" on purpose (``shorten``) counts as fitting."""
        from kivy.uix.label import Label
        problems = []
        for widget in self.candidates(within):
            if not isinstance(widget, Label) or not widget.text.strip():
                continue
            width, height = widget.texture_size
            wraps = widget.text_size[0] is not None
            if not wraps and not widget.shorten and width > widget.width + 1:
                problems.append(f"{describe(widget)}: {width:.0f} px of text in "
                                f"{widget.width:.0f} px")
            if height > widget.height + 1 and not widget.shorten:
                problems.append(f"{describe(widget)}: {height:.0f} px tall text in a "
                                f"{widget.height:.0f} px box")
        return problems

    # ---- the sweep ---------------------------------------------------------------------------
    def sweep(self, label: str = "") -> int:
        """Check this state (module docstring); returns how many taps were probed."""
        from tests.ui.sweep import sweep
        return sweep(self, label)

    # ---- screenshots -------------------------------------------------------------------------
    def _check_drawn(self, path: Path) -> None:
        """Not blank: the whole window, or with a dialog open (the page behind it dimmed)
        the dialog's own part of it."""
        from kivy.uix.modalview import ModalView
        dialogs = [w for w in self.roots() if isinstance(w, ModalView)]
        if not dialogs:
            check_not_blank(path)
            return
        left, bottom, right, top = window_rect(dialogs[0])
        part = path.with_name(path.stem + "-dialog.png")
        from PIL import Image
        with Image.open(path) as shot:
            height = shot.height
            shot.crop((int(left), int(height - top), int(right), int(height - bottom))).save(part)
        try:
            check_not_blank(part)
        finally:
            part.unlink()


    def shot(self, label: str, probe: Callable[[Any], Any] | None = None,
             sweep: bool | None = None) -> Path:
        """Screenshot the window to test-artifacts/<name>-<nn>-<label>.png (checked not blank;
        ``probe(app)`` a one-line CJK label, dragged into view if need be, checked for real
        glyphs), then sweep this state."""
        if probe is not None:
            self.scroll_into_view(probe(self.app))
        self.settle()
        self._shot_count += 1
        path = self.folder / f"{self.name}-{self._shot_count - 1:02d}-{label}.png"
        render_window(path)
        self._check_drawn(path)
        if probe is not None:
            probed = probe(self.app)
            seen = self.seen_rect(probed)
            if seen[2] - seen[0] < probed.width - 1 or seen[3] - seen[1] < probed.height - 1:
                raise TouchError(f"{path.name}: the probed label {describe(probed)} is not "
                                 "wholly on screen")
            check_chinese(path, probed)
        self.shots[label] = path
        if self.sweep_on_shot if sweep is None else sweep:
            self.sweep(label)
        return path


def _is_field(widget) -> bool:
    """A labelled text box (app.ui.widgets.Field): its label and text show in its children."""
    return isinstance(getattr(widget, "label", None), str) and "input" in getattr(widget, "ids", {})


def _control_of_any(widget):
    """The innermost control (button, text box) ``widget`` is or belongs to, or None."""
    for w in ancestors(widget):
        if isinstance(w, _CONTROLS()):
            return w
    return None


@functools.cache
def _CONTROLS():
    ButtonBehavior, _, _, _, _, TextInput = _widget_classes()
    return (ButtonBehavior, TextInput)


class _Probe:
    """For a moment, every widget on screen reports whether it took a touch, and buttons
    swallow their press and release (so a probing tap does nothing)."""

    def __init__(self, ui: TouchUI) -> None:
        self.ui = ui
        self.taken: dict[int, list] = {}

    def __enter__(self) -> _Probe:
        self.wrapped: list = []
        self.swallowed: list = []
        self.toggles: list = []
        self.scrolls: list = []
        self.focus = self.ui.focused()
        # an open list or popup would close at a probe's lift outside it: keep it open
        self.menus = [(w, w.auto_dismiss) for w in self.ui.roots() if hasattr(w, "auto_dismiss")]
        for menu, _ in self.menus:
            menu.auto_dismiss = False
        self.cover()
        return self

    def cover(self) -> None:
        """Wrap every widget on screen not wrapped yet (a list makes new rows as it scrolls)."""
        ButtonBehavior, _, ToggleButtonBehavior, ScrollView, _, TextInput = _widget_classes()
        for widget in [w for root in self.ui.roots() for w in root.walk(restrict=True)]:
            if "on_touch_down" in widget.__dict__:
                continue
            if isinstance(widget, ToggleButtonBehavior):
                self.toggles.append((widget, widget.state))
            if isinstance(widget, ScrollView):
                self.scrolls.append((widget, widget.scroll_x, widget.scroll_y))
            original = widget.on_touch_down

            def probe(touch, widget=widget, original=original):
                if isinstance(widget, TextInput):      # would take the keyboard: only ask
                    took = (not widget.disabled and widget.collide_point(*touch.pos))
                else:
                    took = original(touch)
                if took:
                    self.taken.setdefault(touch.uid, []).append(widget)
                return took
            widget.on_touch_down = probe
            self.wrapped.append(widget)
            if isinstance(widget, ButtonBehavior):
                for event in ("on_press", "on_release"):
                    widget.fbind(event, _swallow)
                    self.swallowed.append((widget, event))
                # a probe asks who takes the touch: the button need not go down (and redraw)
                widget._do_press = widget._do_release = _nothing

    def tap(self, x: float, y: float):
        from kivy.base import EventLoop
        _, FocusBehavior, _, ScrollView, _, _ = _widget_classes()
        touch = self.ui._touch(x, y)
        FocusBehavior.ignored_touch.append(touch)      # a probe never moves the keyboard
        EventLoop.post_dispatch_input("begin", touch)
        EventLoop.post_dispatch_input("end", touch)
        took = self.taken.get(touch.uid, [])
        # A ScrollView takes every touch first (and so do its parents) and hands a tap on
        # to its content on the lift: the taker is whoever took it first apart from those.
        views = [w for w in took if isinstance(w, ScrollView)]
        behind = {id(a) for view in views for a in ancestors(view)}
        inner = [w for w in took if id(w) not in behind]
        return inner[0] if inner else (views[0] if views else None)

    def __exit__(self, *exc) -> None:
        for widget in self.wrapped:
            for name in ("on_touch_down", "_do_press", "_do_release"):
                widget.__dict__.pop(name, None)
        for widget, event in self.swallowed:
            widget.funbind(event, _swallow)
        for widget, state in self.toggles:
            widget.state = state
        for view, sx, sy in self.scrolls:
            view.scroll_x, view.scroll_y = sx, sy
        for menu, auto_dismiss in self.menus:
            menu.auto_dismiss = auto_dismiss
        if self.focus is not None and not self.focus.focus:
            self.focus.focus = True


def _swallow(*_args) -> bool:
    return True


def _nothing(*_args) -> None:
    return None


def render_window(path: Path) -> Path:
    """Everything on the window (app and popups) drawn into a framebuffer of the window's
    layout size, saved as PNG (the offscreen window's own buffer stays 800×600)."""
    from kivy.core.window import Window
    from kivy.graphics import ClearBuffers, ClearColor, Fbo, Scale, Translate
    width, height = int(Window.width), int(Window.height)
    fbo = Fbo(size=(width, height), with_stencilbuffer=True)
    with fbo:
        ClearColor(1, 1, 1, 1)
        ClearBuffers()
        Scale(1, -1, 1)
        Translate(0, -height, 0)
    moved = []
    for child in reversed(Window.children):       # bottom first, as the window draws them
        index = Window.canvas.indexof(child.canvas)
        if index >= 0:
            Window.canvas.remove(child.canvas)
        fbo.add(child.canvas)
        moved.append((child, index))
    try:
        fbo.draw()
        from PIL import Image
        # drawn upside down (Scale(1, -1)) so GL's bottom-up rows read top-down
        Image.frombytes("RGBA", (width, height), fbo.pixels).convert("RGB").save(path)
    finally:
        for child, index in reversed(moved):
            fbo.remove(child.canvas)
            if index >= 0:
                Window.canvas.insert(index, child.canvas)
    return path


@contextmanager
def touch_app(app, size: str = "tablet", *, name: str, sweep: bool = True,
              fontscale: float = 1.0, artifacts: Path = ARTIFACTS_DIR) -> Iterator[TouchUI]:
    """Run ``app`` at ``size`` ("tablet" or "phone") for the length of the block; the
    block drives it through the returned TouchUI. ``fontscale``: the system's font size
    setting (1.3 = 130 %). On failure the screen is saved as
    test-artifacts/<name>-failed.png."""
    from kivy.base import EventLoop, runTouchApp
    from kivy.core.window import Window

    from app.ui.fonts import register_cjk_font

    width, height, density = SIZES[size]
    artifacts.mkdir(parents=True, exist_ok=True)
    for old in artifacts.glob(f"{name}-[0-9][0-9]-*.png"):
        old.unlink()
    register_cjk_font()
    ui = TouchUI(app, artifacts, name, sweep=sweep)
    previous_clearcolor = tuple(Window.clearcolor)
    Window.clearcolor = (1, 1, 1, 1)
    from kivy.metrics import Metrics
    system_fontscale = Metrics.fontscale
    Metrics.fontscale = fontscale
    before = list(Window.children)
    with window(width, height, density), ui.clock:
        try:
            app._run_prepare()   # App.run() without its loop: this thread steps the loop
            runTouchApp(embedded=True)
            EventLoop.add_input_provider(ui.provider, auto_remove=True)
            ui.wait(0.3)
            yield ui
        except BaseException:
            try:
                render_window(artifacts / f"{name}-failed.png")
            except Exception:      # the failure itself matters more than its picture
                pass
            raise
        finally:
            # stop even an app that failed to build, and leave the window as it was, so
            # the next test starts clean
            try:
                app.stop()
            finally:
                for child in list(Window.children):
                    if child not in before:
                        Window.remove_widget(child)
                EventLoop.remove_input_provider(ui.provider)
                Window.clearcolor = previous_clearcolor
                Metrics.fontscale = system_fontscale
