"""The layers keep their shape (issue #9; DESIGN.md "Layering": app → sync → schemas):
`sync` and `schemas` never import `app`; only `app/ui` imports Kivy; `app/domain` (the
rules, pure functions) imports nothing that does I/O; no two modules import each other.
Read from the source (tests/layers/imports.py), every import counted: module level,
TYPE_CHECKING blocks and imports inside functions."""
from __future__ import annotations

import ast
import json
import subprocess
import sys

from tests.layers.imports import ROOT, Import, all_imports, files, known_modules, resolve

# What app/domain may import besides itself: the standard library's pure modules and the
# rule tables' pure libraries (holiday notices, the lunar calendar, JSON Schema checks).
DOMAIN_MAY_IMPORT = {
    "__future__", "typing", "dataclasses", "datetime", "re", "calendar", "fractions",
    "unicodedata", "functools", "decimal", "json", "copy", "collections", "enum",
    "itertools", "math", "operator", "string", "bisect", "abc", "types",
    "fastjsonschema", "lunar_python", "chinese_calendar",
}
# Modules that talk to files, networks, databases or other processes.
IO_MODULES = {"sqlite3", "sqlcipher3", "httpx", "socket", "ssl", "subprocess", "asyncio",
              "urllib.request", "http.client", "kivy"}


def importers(predicate: object) -> list[Import]:
    return [imp for imp in all_imports() if predicate(imp)]  # type: ignore[operator]


def test_sync_and_schemas_never_import_app() -> None:
    found = importers(lambda i: i.module.split(".")[0] in ("sync", "schemas")
                      and i.target.split(".")[0] == "app")
    assert found == []
    assert any(i.module.startswith("sync.") for i in all_imports())   # the scan saw sync


def test_only_app_ui_imports_kivy() -> None:
    kivy = importers(lambda i: i.target.split(".")[0] == "kivy")
    assert kivy, "the scan found no Kivy import at all"
    assert [i for i in kivy if not i.module.startswith("app.ui")] == []


def test_app_domain_imports_nothing_with_io() -> None:
    domain = importers(lambda i: i.module.startswith("app.domain"))
    assert len(domain) > 100
    outside = [i for i in domain if not i.target.startswith("app.domain")
               and i.target.split(".")[0] not in DOMAIN_MAY_IMPORT]
    assert outside == []
    # Nor opens a file itself.
    for path in files("app"):
        if "domain" in path.relative_to(ROOT).parts[1:2]:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    assert node.func.id not in ("open", "exec", "eval", "__import__"), path
                if isinstance(node, ast.Attribute):
                    assert node.attr not in ("read_text", "write_text", "read_bytes",
                                             "write_bytes", "unlink", "mkdir"), path


# The modules app/domain keeps at its top: what every workflow reads (who may write each event
# type, the town's config, the event order, the errors, the duty roster, JSON Schema checks).
# A rule belongs to a package by concept (issue #9): shared/ for what several workflows use
# (calendars, ID numbers, reporting periods), else the workflow's own package.
DOMAIN_TOP = {"__init__", "authority", "config", "duty", "errors", "events", "schema_check"}


def test_app_domain_is_grouped_into_packages() -> None:
    domain = ROOT / "app" / "domain"
    loose = sorted(p.stem for p in domain.glob("*.py") if p.stem not in DOMAIN_TOP)
    assert loose == [], ("put these rules in the package of their concept (app/domain/shared or "
                         f"a workflow's package), not at the top of app/domain: {loose}")
    packages = {p.parent.name for p in domain.glob("*/__init__.py")}
    assert {"shared", "service", "dispute", "petition", "workflow"} <= packages
    moved = {"app.domain.shared.holiday_marks", "app.domain.shared.report_periods",
             "app.domain.service.local_matters"}
    assert moved <= known_modules()


def test_importing_all_of_app_domain_loads_no_io_module() -> None:
    """What the rules' libraries import too (a fresh interpreter, every domain module)."""
    script = (
        "import importlib, json, pkgutil, sys\n"
        "import app.domain as d\n"
        "for i in pkgutil.walk_packages(d.__path__, 'app.domain.'):\n"
        "    importlib.import_module(i.name)\n"
        "print(json.dumps(sorted(sys.modules)))\n")
    loaded = json.loads(subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT,
                                       capture_output=True, text=True).stdout)
    domain = {m for m in known_modules() if m == "app.domain" or m.startswith("app.domain.")}
    assert len(domain) > 50 and domain <= set(loaded), sorted(domain - set(loaded))
    assert sorted(m for m in loaded if m in IO_MODULES or m.split(".")[0] in IO_MODULES) == []
    assert [m for m in loaded if m.startswith("app.") and not m.startswith("app.domain")] == []


def test_no_two_modules_import_each_other() -> None:
    """Not at module level, not under TYPE_CHECKING, not inside a function (the demo and
    `sanji up`, sealing and the station, backups and the station used to)."""
    modules = known_modules()
    edges = {(i.module, t) for i in all_imports()
             if (t := resolve(i.target, modules)) and t != i.module
             and not i.module.startswith(t + ".")}    # a module's own package is not a cycle
    pairs = sorted((a, b) for a, b in edges if (b, a) in edges and a < b)
    assert pairs == []
    assert len(edges) > 500


def test_no_cycle_through_module_level_imports() -> None:
    modules = known_modules()
    graph: dict[str, set[str]] = {}
    for i in all_imports():
        t = resolve(i.target, modules)
        if i.top_level and t and t != i.module and not i.module.startswith(t + "."):
            graph.setdefault(i.module, set()).add(t)
    state: dict[str, int] = {}          # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state:
            assert visit(start) is None
