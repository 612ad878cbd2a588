"""The import graph of the tree, read from the source (ast): which modules each module
imports, at module level (a TYPE_CHECKING block included) or inside functions."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "sync", "schemas")


@dataclass(frozen=True)
class Import:
    module: str          # the importing module
    target: str          # what it imports (a module, or a name inside one)
    top_level: bool      # at module level (TYPE_CHECKING blocks count), not in a function


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def files(package: str) -> Iterator[Path]:
    yield from sorted((ROOT / package).rglob("*.py"))


def imports_of(path: Path) -> Iterator[Import]:
    name = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, top: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                   ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(name, alias.name, top)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = name.split(".")
                    anchor = anchor[:len(anchor) - child.level + (1 if is_package else 0)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    yield Import(name, f"{base}.{alias.name}", top)
            yield from visit(child, inner)

    yield from visit(tree, True)


def all_imports() -> list[Import]:
    return [imp for package in PACKAGES for path in files(package) for imp in imports_of(path)]


def known_modules() -> set[str]:
    return {module_name(path) for package in PACKAGES for path in files(package)}


def resolve(target: str, modules: set[str]) -> str | None:
    """The module of the tree that `target` names (a module, or a name inside one)."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None
