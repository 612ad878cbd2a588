"""The tablet's package list, as far as this machine can prove it without the Android
SDK (issue #8 §5): every station runtime requirement is pure Python or built by a
recipe of the pinned python-for-android release (its recipes read from the installed
package itself, ours from android/recipes/), at the version the tests run; and
buildozer.spec's requirements are exactly those, so spec and pyproject cannot drift."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.version import Version

from tools.android_requirements import (LOCAL_RECIPES, ROOT, SPEC, AndroidRequirementError,
                                        extends_p4a_recipe, new_recipe_problems,
                                        recipe_attribute,
                                        Package, check_spec, dev_pin, is_pure_python,
                                        p4a_recipes_dir, p4a_release_tag, recipe_folders,
                                        recipe_version, spec_requirements,
                                        spec_value, station_packages, station_requirements)

PYPROJECT = ROOT / "pyproject.toml"


@pytest.fixture(scope="module")
def packages() -> list[Package]:
    return station_packages()


def by_name(packages: list[Package]) -> dict[str, Package]:
    return {p.name: p for p in packages}


def test_every_station_requirement_is_pure_python_or_built_by_a_recipe(
        packages: list[Package]) -> None:
    found = by_name(packages)
    direct = {r.name.lower() for r in station_requirements()}
    assert direct <= set(found)
    # What the project pins for a tablet, and how p4a gets each of them.
    assert found["kivy"].how == "p4a recipe" and found["kivy"].version == "2.3.1"
    assert found["cryptography"].how == "our recipe"       # p4a's, at 48.0.0 (HPKE)
    assert found["pillow"].how == "p4a recipe"
    assert found["httpx"].how == "p4a recipe"
    assert found["reportlab"].how == "our recipe"
    assert found["sqlcipher3"].how == "our recipe"       # p4a has none (issue #11)
    assert found["openpyxl"].how == "pure Python" and found["et-xmlfile"].how == "pure Python"
    assert found["charset-normalizer"].how == "pure Python"   # mypyc-compiled, source beside
    recipes = recipe_folders(p4a_recipes_dir())
    for package in packages:
        if package.how == "p4a recipe":
            assert recipe_version(recipes[package.name]) == package.version, package
        elif package.how == "pure Python":
            assert is_pure_python(metadata.distribution(package.name)), package
    # The hub's extra is not on the tablet.
    assert not {"starlette", "uvicorn", "orjson"} & set(found)


def test_the_spec_lists_exactly_the_station_packages(packages: list[Package]) -> None:
    assert check_spec(packages, spec_requirements()) == []
    assert spec_value("requirements").startswith("python3,")
    done = subprocess.run([sys.executable, "-m", "tools.android_requirements", "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_spec_check_catches_drift(packages: list[Package]) -> None:
    pins = spec_requirements()

    def problems(**changes: str | None) -> list[str]:
        changed = dict(pins)
        for name, pin in changes.items():
            name = name.replace("_", "-")
            if pin is None:
                changed.pop(name, None)
            else:
                changed[name] = pin
        return check_spec(packages, changed)

    assert any("openpyxl is missing" in p for p in problems(openpyxl=None))
    assert any("et-xmlfile is missing" in p for p in problems(et_xmlfile=None))
    assert any("orjson is not a station requirement" in p for p in problems(orjson="3.13.0"))
    assert any("cryptography==46.0.3, but the tests run 48.0.0" in p
               for p in problems(cryptography="46.0.3"))
    assert any("kivy is not pinned" in p for p in problems(kivy=""))
    # A pure, transitive package may move, but only within what its dependents ask.
    assert problems(h11="0.17.0") == []
    assert any("h11==0.14.0" in p and ">=0.16" in p for p in problems(h11="0.14.0"))
    assert any("python3" in p for p in problems(python3=None))


def test_p4a_branch_and_app_version_follow_pyproject() -> None:
    assert spec_value("p4a.branch") == p4a_release_tag(dev_pin("python-for-android"))
    assert p4a_release_tag("2026.5.9") == "v2026.05.09"
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    assert spec_value("version") == project["version"]
    assert spec_value("p4a.local_recipes") == "./android/recipes"
    assert spec_value("source.dir") == "." and (ROOT / "main.py").is_file()


def test_our_recipes_replace_p4a_recipes_for_pure_packages_or_extend_them() -> None:
    ours = recipe_folders(LOCAL_RECIPES)
    assert set(ours) == {"reportlab", "cryptography", "sqlcipher3"}
    p4a = recipe_folders(p4a_recipes_dir())
    for name, folder in ours.items():
        assert recipe_version(folder) == metadata.version(name)
        if name == "sqlcipher3":
            continue                             # a new recipe: the next test
        assert name in p4a                       # it overrides one (else it is not needed)
        assert recipe_version(p4a[name]) != recipe_version(folder)
        assert is_pure_python(metadata.distribution(name)) or extends_p4a_recipe(folder)
    assert not extends_p4a_recipe(ours["reportlab"])  # a pure package: built plainly


def test_a_new_recipe_builds_the_pinned_source_with_recipes_p4a_has(tmp_path: Path) -> None:
    """sqlcipher3: compiled, no p4a recipe; ours builds its PyPI sdist (the source the
    tests built) against p4a's openssl recipe."""
    ours, p4a = recipe_folders(LOCAL_RECIPES), recipe_folders(p4a_recipes_dir())
    folder = ours["sqlcipher3"]
    assert "sqlcipher3" not in p4a and not is_pure_python(metadata.distribution("sqlcipher3"))
    known = set(p4a) | set(ours)
    assert new_recipe_problems(folder, "sqlcipher3", known) == []
    assert recipe_attribute(folder, "depends") == ["setuptools", "openssl"]
    assert Version(recipe_version(p4a["openssl"]) or "0") >= Version("3.2")  # Argon2id
    # The check refuses a recipe that builds other source or needs a recipe nobody has.
    bad = tmp_path / "sqlcipher3"
    bad.mkdir()
    text = (folder / "__init__.py").read_text(encoding="utf-8")
    (bad / "__init__.py").write_text(text.replace("files.pythonhosted.org", "example.org")
                                     .replace('"openssl"]', '"openssl", "libsqlcipher"]'),
                                     encoding="utf-8")
    problems = new_recipe_problems(bad, "sqlcipher3", known)
    assert any("url must be" in p for p in problems)
    assert any("libsqlcipher" in p for p in problems)


def write_pyproject(tmp_path: Path, replace: str, by: str) -> Path:
    text = PYPROJECT.read_text(encoding="utf-8")
    assert replace in text
    path = tmp_path / "pyproject.toml"
    path.write_text(text.replace(replace, by, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("replace, by, says", [
    # Compiled, no recipe: the reason orjson is optional.
    ('"kivy==2.3.1",', '"kivy==2.3.1",\n    "orjson==3.13.0",', "orjson 3.13.0 is compiled"),
    # A package at another version than its recipe builds.
    ('"cryptography==48.0.0"', '"cryptography==46.0.3"', "pyproject pins 46.0.3"),
    ('"kivy==2.3.1",', '"kivy==2.3.1",\n    "pycparser==3.0",', "recipe builds 2.14"),
    # Not pinned exactly.
    ('"httpx==0.28.1"', '"httpx>=0.28"', "pinned exactly"),
])
def test_a_requirement_the_tablet_cannot_have_is_refused(
        tmp_path: Path, replace: str, by: str, says: str) -> None:
    with pytest.raises(AndroidRequirementError, match=says):
        station_packages(write_pyproject(tmp_path, replace, by))


def test_pure_python_is_read_from_the_installed_wheels() -> None:
    for name in ("httpx", "openpyxl", "reportlab", "charset-normalizer", "chinesecalendar"):
        assert is_pure_python(metadata.distribution(name)), name
    for name in ("orjson", "kivy", "cryptography", "pillow", "cffi"):
        assert not is_pure_python(metadata.distribution(name)), name


def test_the_spec_file_is_the_one_buildozer_reads() -> None:
    assert SPEC == ROOT / "buildozer.spec" and SPEC.is_file()
    assert spec_value("title") == "三级联动"
    assert "android.permission.INTERNET" in spec_value("android.permissions")
    assert spec_value("android.allow_backup") == "False"
