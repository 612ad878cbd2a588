"""Mutation pass over the rule numbers (issue #10): change each configurable value, run
the domain tests, and report which change no test notices.

For every entry of schemas/config/defaults.json the tool makes a copy of the code
(app/, sync/, schemas/, tests/ — not the git metadata, fonts or artifacts), changes the
value there, and runs ``pytest tests/domain`` in the copy.  Where a rules dataclass
(DisputeRules, PetitionRules, RiskRules) carries the same number as a built-in default,
it is changed too, so the shipped config and the built-in defaults still agree and only
*behaviour* tests can catch the change.  Legal bounds are removed in the copy for the
same reason (the mutated key's bound schema is emptied, its text kept; the tests of the
bounds themselves — tests/domain/test_legal_bounds.py, the decisions and supervision
defaults tests and the five-representatives cap — are left out): a mutation the bound
refuses would be caught by the bound, not by a test of the rule.  Threshold phrases
("三分之二以上") move one step stricter and one looser, enum choices to their neighbours,
star bands and step tables (a merge or a gate removed) get their own mistakes.  A mutation "survives" when every other domain test still passes.

    python tools/mutate_rules.py                 # every key, two mutations each
    python tools/mutate_rules.py petition.       # only keys starting with this
    python tools/mutate_rules.py service. --also tests/app/test_desk_rules.py

Prints one line per mutation (caught by which test, or SURVIVED) and a summary; exits
non-zero when a statutory ([law]) number survives.  Takes a few minutes (one pytest run
of the domain tests per mutation, stopping at the first failure).
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from copy import deepcopy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from app.domain.decisions.thresholds import STRICTNESS  # noqa: E402  (the phrase order)
COPIED = ("app", "sync", "schemas", "tests", "pyproject.toml")
IGNORED = shutil.ignore_patterns("__pycache__", "test-artifacts", "*.pyc", "*.ttf", "*.ttc")
RULE_FILES = {"dispute.": "app/domain/dispute/rules.py", "petition.": "app/domain/petition/rules.py",
              "risk.": "app/domain/risk/grading.py"}


def mutations(entry: dict[str, Any]) -> list[tuple[str, Any]]:
    """Two plausible wrong values for a default, described."""
    value = entry["value"]
    schema = entry["value_schema"]
    if isinstance(value, bool):
        return [("flipped", not value)]
    if isinstance(value, str) and value in STRICTNESS:     # a threshold phrase: one step each way
        i = STRICTNESS.index(value)
        return [(f"{value}→{STRICTNESS[j]}", STRICTNESS[j]) for j in (i + 1, i - 1)
                if 0 <= j < len(STRICTNESS)]
    if not isinstance(value, (list, dict)) and "enum" in schema:   # the nearest other choices
        choices = [c for c in schema["enum"] if c != value]
        if isinstance(value, int):
            choices.sort(key=lambda c: abs(c - value))
        return [(f"{value}→{c}", c) for c in choices[:2]]
    if isinstance(value, int):
        low, high = schema.get("minimum", -10**9), schema.get("maximum", 10**9)
        out = [(f"{value}→{v}", v) for v in (value + 1, value - 1) if low <= v <= high]
        return out or [(f"{value}→{value + 2}", value + 2)]
    if isinstance(value, float):
        return [(f"{value}→{round(value * 0.5, 3)}", round(value * 0.5, 3)),
                (f"{value}→{round(min(1.0, value + 0.1), 3)}", round(min(1.0, value + 0.1), 3))]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        choices = (schema.get("items") or {}).get("enum", [])
        out = [(f"dropped {value[0]}", value[1:])]
        if len(value) > 2:
            out.append((f"dropped {value[-1]}", value[:-1]))
        extra = [c for c in choices if c not in value]
        if extra:
            out.append((f"added {extra[0]}", value + [extra[0]]))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) and "min" in v for v in value):
        moved = deepcopy(value)                   # star bands: move one, drop one
        moved[0]["min"] += 1
        return [("first band's minimum +1", moved), ("dropped the last band", value[:-1])]
    if isinstance(value, list) and value:
        return [("dropped the last item", value[:-1])]
    if isinstance(value, dict):                         # step tables: take a merge or a gate away
        out = []
        for name, steps in value.items():
            for i, step in enumerate(steps):
                for flag in ("merge", "gated"):
                    if flag in step:
                        changed = deepcopy(value)
                        del changed[name][i][flag]
                        out.append((f"{name}: {step['code']} without {flag}", changed))
        return out
    if isinstance(value, str):
        return [("changed text", value + "（改）")]
    return []


def _python_literal(value: Any) -> str:
    if isinstance(value, list):
        return "(" + "".join(f"{json.dumps(v, ensure_ascii=False)}, " for v in value) + ")"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, bool) else str(value)


def mutate_copy(copy: Path, key: str, value: Any) -> None:
    path = copy / "schemas" / "config" / "defaults.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    entry = doc["values"][key]
    if "legal_bound" in entry:   # keep its text (shown, tested), drop what it refuses
        entry["legal_bound"]["schema"] = {}
    entry["value"] = value
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    simple = isinstance(value, (bool, int, float)) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value))
    for prefix, relative in RULE_FILES.items():
        if not key.startswith(prefix) or not simple:
            continue
        field = key[len(prefix):]
        source = copy / relative
        text = source.read_text(encoding="utf-8")
        pattern = re.compile(rf"^(\s+{re.escape(field)}: [^=\n]+= )(.+)$", re.MULTILINE)
        if pattern.search(text):
            text = pattern.sub(lambda m: m.group(1) + _python_literal(value), text, count=1)
            source.write_text(text, encoding="utf-8")


def run(copy: Path, tests: list[str]) -> str | None:
    """None if every test passed, else the first failing test's id."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-o",
         "addopts=", *tests], cwd=copy, capture_output=True, text=True,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin", "HOME": str(copy),
             "SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1"})
    if result.returncode == 0:
        return None
    failed = re.search(r"^FAILED (\S+)", result.stdout, re.MULTILINE)
    if failed:
        return failed.group(1)
    error = re.search(r"^ERROR (\S+)", result.stdout, re.MULTILINE)
    return error.group(1) if error else result.stdout.strip().splitlines()[-1][:120]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix", nargs="?", default="")
    parser.add_argument("--also", action="append", default=[], metavar="TEST_PATH",
                        help="more tests to run with the domain tests (e.g. the service "
                             "tests of the service.* keys)")
    args = parser.parse_args(argv)
    args.tests = ["tests/domain", "--ignore=tests/domain/test_legal_bounds.py",
                  "--ignore=tests/domain/decisions/test_decision_defaults.py",
                  "--ignore=tests/domain/supervision/test_supervision_defaults.py", "--deselect",
                  "tests/domain/test_dispute_config.py::"
                  "test_the_statutory_cap_of_five_representatives_cannot_be_changed_by_a_town",
                  *args.also]
    defaults = json.loads((ROOT / "schemas/config/defaults.json").read_text(encoding="utf-8"))
    survived_law, total, caught = [], 0, 0
    with tempfile.TemporaryDirectory(prefix="sanji-mutate-") as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        for name in COPIED:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, base / name, ignore=IGNORED)
            else:
                shutil.copy2(src, base / name)
        for key, entry in defaults["values"].items():
            if not key.startswith(args.prefix):
                continue
            for what, value in mutations(entry):
                copy = Path(tmp) / "m"
                if copy.exists():
                    shutil.rmtree(copy)
                shutil.copytree(base, copy)
                mutate_copy(copy, key, value)
                failing = run(copy, args.tests)
                total += 1
                if failing is None:
                    if entry["source"].startswith("[law]"):
                        survived_law.append(f"{key} ({what})")
                    print(f"SURVIVED  {key:45s} {what}", flush=True)
                else:
                    caught += 1
                    print(f"caught    {key:45s} {what:24s} by {failing}", flush=True)
    print(f"\nmutations: {total}, caught: {caught}, survived: {total - caught}; "
          f"statutory numbers that survived: {len(survived_law)}")
    for item in survived_law:
        print(f"  statutory survivor: {item}")
    return 1 if survived_law else 0


if __name__ == "__main__":
    raise SystemExit(main())
