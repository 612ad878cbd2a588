"""What the station tablet installs, worked out from pyproject.toml and checked against
the pinned python-for-android (p4a) release, so buildozer.spec cannot drift.

p4a builds a requirement in one of two ways: with a *recipe* of the same name (its own,
in `pythonforandroid/recipes/`, or ours in `android/recipes/`, which take precedence),
or with `pip install --no-deps` of a pure-Python wheel. Anything else — a compiled
package without a recipe, such as orjson (Rust) — cannot be on the tablet.

So, starting from `[project].dependencies` (the station's runtime requirements; the hub's
are the `hub` extra), each package is:
- built by a p4a recipe: pinned to the recipe's own version (the build p4a tests), which
  must also be the version installed here, so the tests run what the tablet runs;
- built by one of our recipes (a pure package whose p4a recipe builds something else, a
  compiled one whose p4a recipe we extend only to build the version we pin — see
  android/recipes/cryptography — or a compiled one p4a has no recipe for, built from
  that very version's PyPI source distribution with recipes p4a has — see
  android/recipes/sqlcipher3): pinned to the installed version, which our recipe names;
- otherwise pure Python (read from the installed distribution): pinned to the installed
  version.
A compiled package's recipe brings what it depends on; a pure package's dependencies
(read from its metadata, markers evaluated for the tablet's Python) are ours to list and
pin, since p4a installs plain packages with `pip install --no-deps`.

    python -m tools.android_requirements            # print the requirements line
    python -m tools.android_requirements --write    # put it into buildozer.spec
    python -m tools.android_requirements --check    # what is wrong with buildozer.spec
"""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "buildozer.spec"
LOCAL_RECIPES = ROOT / "android" / "recipes"
P4A = "python-for-android"


class AndroidRequirementError(Exception):
    """A station requirement the tablet cannot get (no recipe, not pure Python, or a
    version that differs from the one p4a builds)."""


@dataclass(frozen=True)
class Package:
    name: str                # as buildozer.spec names it (PEP 503, or the recipe's name)
    version: str             # the installed version, which the tests run
    how: str                 # "p4a recipe" | "our recipe" | "pure Python"
    exact: bool              # must the spec pin exactly this version? (see check_spec)
    wanted: SpecifierSet     # what the packages that need it ask of its version


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# pyproject --------------------------------------------------------------------------------
def station_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[Requirement]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return [Requirement(line) for line in project["dependencies"]]


def pinned_version(requirement: Requirement) -> str:
    pins = [s.version for s in requirement.specifier if s.operator == "=="]
    if len(pins) != 1 or len(requirement.specifier) != 1:
        raise AndroidRequirementError(
            f"{requirement}: station requirements are pinned exactly (name==version)")
    return pins[0]


def dev_pin(name: str, pyproject: Path = ROOT / "pyproject.toml") -> str:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    for line in project["optional-dependencies"]["dev"]:
        requirement = Requirement(line)
        if normalise(requirement.name) == normalise(name):
            return pinned_version(requirement)
    raise AndroidRequirementError(f"{name} is not pinned in the dev extra")


# recipes ----------------------------------------------------------------------------------
def p4a_recipes_dir(pyproject: Path = ROOT / "pyproject.toml") -> Path:
    """The recipes of the installed python-for-android, which must be the pinned one."""
    installed, pinned = metadata.version(P4A), dev_pin(P4A, pyproject)
    if installed != pinned:
        raise AndroidRequirementError(
            f"{P4A} {installed} is installed but pyproject pins {pinned}: "
            "run bash scripts/setup.sh")
    return Path(str(metadata.distribution(P4A).locate_file("pythonforandroid/recipes")))


def recipe_folders(directory: Path) -> dict[str, Path]:
    """Recipe name as p4a matches a requirement to it (case-insensitively) → folder."""
    if not directory.is_dir():
        return {}
    return {p.name.lower(): p for p in directory.iterdir() if (p / "__init__.py").is_file()}


def find_recipe(recipes: dict[str, Path], name: str) -> Path | None:
    """The recipe p4a would use for package `name` (spelt with - or _)."""
    return recipes.get(name) or recipes.get(name.replace("-", "_"))


def recipe_attribute(folder: Path, name: str) -> object:
    """A constant class attribute (`version = "…"`, `depends = [...]`) of the recipe class
    in folder/__init__.py, read as source (importing a recipe needs p4a's build
    context); None when it sets none itself."""
    tree = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if (isinstance(item, ast.Assign) and len(item.targets) == 1
                        and isinstance(item.targets[0], ast.Name)
                        and item.targets[0].id == name):
                    try:
                        return ast.literal_eval(item.value)
                    except ValueError:
                        return None
    return None


def recipe_version(folder: Path) -> str | None:
    value = recipe_attribute(folder, "version")
    return None if value is None else str(value)


def pypi_sdist_url(name: str) -> str:
    """The PyPI source distribution of `name`, with p4a's {version} placeholder."""
    project = normalise(name)
    return (f"https://files.pythonhosted.org/packages/source/{project[0]}/{project}/"
            f"{project.replace('-', '_')}-{{version}}.tar.gz")


def new_recipe_problems(folder: Path, name: str, known: set[str]) -> list[str]:
    """What is wrong with our recipe for a compiled package p4a has no recipe for: it
    must build this package's own PyPI source (at the version the tests run, checked
    apart) and depend only on recipes that exist (`known`: p4a's and ours)."""
    problems = []
    url = recipe_attribute(folder, "url")
    if url != pypi_sdist_url(name):
        problems.append(f"its url must be {pypi_sdist_url(name)} (the source the tests built)")
    depends = recipe_attribute(folder, "depends")
    if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
        problems.append("it must list what it depends on (depends = [...])")
    else:
        problems += [f"it depends on {d}, which no recipe builds" for d in depends
                     if d.lower() not in known]
    return problems


# installed distributions ----------------------------------------------------------------
def is_pure_python(dist: metadata.Distribution) -> bool:
    """A wheel marked purelib; or one whose every compiled module ships its Python
    source beside it (mypyc builds such as charset-normalizer: the compiled copy only
    speeds the same code up, and its pure wheel is what p4a's pip finds for Android)."""
    wheel = dist.read_text("WHEEL") or ""
    if re.search(r"^Root-Is-Purelib:\s*true\s*$", wheel, re.M | re.I):
        return True
    files = {str(f) for f in dist.files or ()}
    compiled = [f for f in files if f.endswith((".so", ".pyd"))]
    if not compiled:
        return False
    for path in compiled:
        if "__mypyc" in path.rsplit("/", 1)[-1]:
            continue             # mypyc's shared runtime, loaded only by compiled modules
        source = path.split(".", 1)[0] + ".py"
        if source not in files:
            return False
    return True


def android_markers(python_version: str) -> dict[str, str]:
    """PEP 508 marker values on the tablet: CPython `python_version` (p4a's python3
    recipe) on Android's Linux kernel."""
    return {**default_environment(), "sys_platform": "linux", "platform_system": "Linux",
            "os_name": "posix", "platform_python_implementation": "CPython",
            "implementation_name": "cpython", "python_full_version": python_version,
            "python_version": ".".join(python_version.split(".")[:2]), "extra": ""}


def runtime_dependencies(dist: metadata.Distribution, markers: dict[str, str]
                         ) -> list[Requirement]:
    wanted = []
    for line in dist.requires or ():
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(markers):
            wanted.append(requirement)
    return wanted


def extends_p4a_recipe(folder: Path) -> bool:
    """Does our recipe only subclass python-for-android's recipe of the same package
    (the same build steps at another version)? Read from its source, not imported:
    importing a recipe needs the whole p4a build context."""
    source = (folder / "__init__.py").read_text(encoding="utf-8")
    return f"from pythonforandroid.recipes.{folder.name} import" in source


# the closure ------------------------------------------------------------------------------
def station_packages(pyproject: Path = ROOT / "pyproject.toml") -> list[Package]:
    p4a_dir = p4a_recipes_dir(pyproject)
    p4a, ours = recipe_folders(p4a_dir), recipe_folders(LOCAL_RECIPES)
    python = recipe_version(p4a_dir / "python3")
    assert python is not None, "python-for-android's python3 recipe names its version"
    markers = android_markers(python)
    direct = {normalise(r.name): pinned_version(r) for r in station_requirements(pyproject)}
    found: dict[str, tuple[str, str, bool]] = {}
    wanted: dict[str, SpecifierSet] = {name: SpecifierSet() for name in direct}
    todo = list(direct)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as exc:
            raise AndroidRequirementError(f"{name} is not installed: run bash scripts/setup.sh"
                                          ) from exc
        installed, pure = dist.version, is_pure_python(dist)
        if name in direct and direct[name] != installed:
            raise AndroidRequirementError(
                f"{name}: pyproject pins {direct[name]} but {installed} is installed")
        if (folder := find_recipe(ours, name)) is not None:
            if not pure and not extends_p4a_recipe(folder):
                if find_recipe(p4a, name) is not None:
                    raise AndroidRequirementError(
                        f"{name}: our recipe for a compiled package must extend p4a's own "
                        "(the same build at another version)")
                problems = new_recipe_problems(folder, name, set(p4a) | set(ours))
                if problems:
                    raise AndroidRequirementError(
                        f"{name}: android/recipes/{folder.name}: " + "; ".join(problems))
            if recipe_version(folder) != installed:
                raise AndroidRequirementError(
                    f"{name}: android/recipes/{folder.name} builds {recipe_version(folder)}, "
                    f"the tests run {installed}")
            found[name] = (name, "our recipe", True)
            if not pure:
                continue         # p4a's recipe, which ours extends, brings what it needs
        elif (folder := find_recipe(p4a, name)) is not None:
            version = recipe_version(folder)
            if version != installed:
                raise AndroidRequirementError(
                    f"{name}: python-for-android's recipe builds {version}, the tests run "
                    f"{installed}; pin {name}=={version} in pyproject.toml (or, for a pure "
                    "package, add our own recipe under android/recipes/)")
            found[name] = (folder.name.lower(), "p4a recipe", True)
            if not pure:
                continue         # the recipe brings what the compiled package needs
        elif pure:
            found[name] = (name, "pure Python", name in direct)
        else:
            raise AndroidRequirementError(
                f"{name} {installed} is compiled and python-for-android has no recipe for "
                "it: the tablet cannot have it (make it optional, as orjson is)")
        for requirement in runtime_dependencies(dist, markers):
            dep = normalise(requirement.name)
            wanted[dep] = wanted.get(dep, SpecifierSet()) & requirement.specifier
            todo.append(dep)
    return sorted((Package(spelt, metadata.version(name), how, exact, wanted[name])
                   for name, (spelt, how, exact) in found.items()), key=lambda p: p.name)


def requirements_line(packages: list[Package]) -> str:
    return ",".join(["python3", *(f"{p.name}=={p.version}" for p in packages)])


# buildozer.spec -----------------------------------------------------------------------------
_REQUIREMENTS = re.compile(r"^requirements\s*=\s*(.*)$", re.M)


def spec_value(key: str, spec: Path = SPEC) -> str:
    match = re.search(rf"^{re.escape(key)}\s*=\s*(.*)$", spec.read_text(encoding="utf-8"), re.M)
    if match is None:
        raise AndroidRequirementError(f"buildozer.spec has no {key}")
    return match.group(1).strip()


def spec_requirements(spec: Path = SPEC) -> dict[str, str]:
    """name → pinned version from buildozer.spec's requirements (python3 has none)."""
    pins: dict[str, str] = {}
    for item in spec_value("requirements", spec).split(","):
        name, _, version = item.strip().partition("==")
        pins[name.strip()] = version.strip()
    return pins


def check_spec(packages: list[Package], pins: dict[str, str]) -> list[str]:
    """What is wrong with buildozer.spec's requirements (nothing: an empty list). They
    must name exactly the station's packages, plus python3; pin a recipe-built or direct
    requirement to the version the tests run; and pin every other (pure, transitive)
    package to a version its dependents accept — the installed one when written, but a
    newer release installed here later does not make the spec wrong."""
    problems, pins = [], dict(pins)
    if pins.pop("python3", None) != "":
        problems.append("the requirements must start with python3, unpinned")
    expected = {p.name: p for p in packages}
    for name in sorted(set(expected) - set(pins)):
        problems.append(f"{name} is missing (python -m tools.android_requirements --write)")
    for name in sorted(set(pins) - set(expected)):
        problems.append(f"{name} is not a station requirement (nor needed by one)")
    for name in sorted(set(pins) & set(expected)):
        package, pin = expected[name], pins[name]
        if not pin:
            problems.append(f"{name} is not pinned")
        elif package.exact and pin != package.version:
            problems.append(f"{name}=={pin}, but the tests run {package.version} "
                            f"({package.how})")
        elif not package.wanted.contains(Version(pin), prereleases=True):
            problems.append(f"{name}=={pin} is not what its dependents ask: {package.wanted}")
    return problems


def write_spec(line: str, spec: Path = SPEC) -> None:
    text = spec.read_text(encoding="utf-8")
    spec.write_text(_REQUIREMENTS.sub(f"requirements = {line}", text, count=1),
                    encoding="utf-8")


def p4a_release_tag(version: str) -> str:
    """python-for-android tags its releases vYYYY.MM.DD (version 2026.5.9: v2026.05.09)."""
    year, month, day = (int(part) for part in version.split("."))
    return f"v{year}.{month:02d}.{day:02d}"


def main(argv: list[str]) -> int:
    try:
        packages = station_packages()
        if "--check" in argv:
            problems = check_spec(packages, spec_requirements())
            for problem in problems:
                print(f"buildozer.spec: {problem}", file=sys.stderr)
            return 1 if problems else 0
    except AndroidRequirementError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    line = requirements_line(packages)
    if "--write" in argv:
        write_spec(line)
        print(f"buildozer.spec: requirements = {line}")
    else:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
