"""Run Python as a station tablet has it: only the station's runtime requirements (and
what they need) importable; the hub's extra (starlette, uvicorn, orjson) and the dev
tools are not there.

    python -m tests.support.tablet MODULE [ARGS...]     # runs MODULE as __main__

The machine has them all installed, so an import finder refuses every top-level module
that is neither the standard library, ours, nor provided by a distribution in the
metadata closure of pyproject's `dependencies` (a superset of what p4a packs).
"""
from __future__ import annotations

import sys

AT_START = frozenset(sys.modules)   # before this module imports `packaging` and the like

import importlib.abc  # noqa: E402
import runpy  # noqa: E402
from importlib import metadata  # noqa: E402

from packaging.requirements import Requirement  # noqa: E402

from tools.android_requirements import normalise, station_requirements  # noqa: E402

OURS = frozenset({"app", "sync", "schemas", "tests", "tools", "main"})


def station_distributions() -> set[str]:
    """Every distribution the station requirements need, by installed metadata."""
    found: set[str] = set()
    todo = [normalise(r.name) for r in station_requirements()]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        for line in metadata.distribution(name).requires or ():
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(normalise(requirement.name))
    return found


def allowed_modules() -> frozenset[str]:
    wanted = station_distributions()
    provided = {top for top, dists in metadata.packages_distributions().items()
                if any(normalise(d) in wanted for d in dists)}
    return frozenset(sys.stdlib_module_names | OURS | provided)


class NotOnTablet(importlib.abc.MetaPathFinder):
    def __init__(self, allowed: frozenset[str]) -> None:
        self.allowed = allowed
        self.refused: set[str] = set()

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        top = fullname.partition(".")[0]
        if top not in self.allowed:
            self.refused.add(top)
            raise ModuleNotFoundError(f"No module named {fullname!r} (not on the tablet)",
                                      name=fullname)
        return None


def install() -> NotOnTablet:
    finder = NotOnTablet(allowed_modules())
    # Forget what was imported while working the list out (packaging, for one).
    for name in list(sys.modules):
        if name not in AT_START and name.partition(".")[0] not in finder.allowed:
            del sys.modules[name]
    sys.meta_path.insert(0, finder)
    return finder


if __name__ == "__main__":
    install()
    target = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_module(target, run_name="__main__", alter_sys=True)
