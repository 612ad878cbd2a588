"""Mutation check of the decision and supervision numbers (issues #12, #13): change each
``decisions.*`` / ``supervision.*`` default in a copy of the tree, run their tests there,
and report every change no behaviour test notices.

The mutations are the plausible mistakes for each kind of value: a threshold phrase one
step stricter and one step looser ("三分之二以上" → "四分之三以上", "五分之三以上"), a number
one up and one down (or the neighbouring choices of an enum), a flag flipped, a list with
one item dropped or one added, the step table with a merge or a gate removed, the star
bands moved.  The mutated key's legal bound is emptied in the copy, and the tests of the
config file itself (``test_*_defaults.py``) are left out, so only a test of the *rule*
can catch a mutation.

    python tools/mutate_decision_rules.py              # every key
    python tools/mutate_decision_rules.py supervision. # keys starting with this

Exits non-zero if any mutation survives.  One pytest run per mutation (about a second).
"""
from __future__ import annotations

import argparse
import copy
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from app.domain.decisions.thresholds import STRICTNESS  # noqa: E402

TESTS = ["tests/domain/decisions", "tests/domain/supervision",
         "--ignore=tests/domain/decisions/test_decision_defaults.py",
         "--ignore=tests/domain/supervision/test_supervision_defaults.py"]


def mutations(entry: dict[str, Any]) -> list[tuple[str, Any]]:
    value, schema = entry["value"], entry["value_schema"]
    if isinstance(value, bool):
        return [("flipped", not value)]
    if isinstance(value, str) and value in STRICTNESS:
        i = STRICTNESS.index(value)
        return [(f"{value}→{STRICTNESS[j]}", STRICTNESS[j]) for j in (i + 1, i - 1)
                if 0 <= j < len(STRICTNESS)]
    if isinstance(value, str):
        choices = schema.get("enum") or []
        return [(f"{value}→{c}", c) for c in choices if c != value] or [
            ("other procedure", "一征三议两公开" if value != "一征三议两公开" else "四议两公开")]
    if isinstance(value, int):
        choices = schema.get("enum") or [v for v in (value + 1, value - 1)
                                         if schema.get("minimum", -10**9) <= v <= schema.get("maximum", 10**9)]
        near = sorted(choices, key=lambda c: abs(c - value))
        return [(f"{value}→{c}", c) for c in near if c != value][:2]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        out = [(f"dropped {value[0]}", value[1:]), (f"dropped {value[-1]}", value[:-1])]
        extra = [c for c in (schema.get("items") or {}).get("enum", []) if c not in value]
        return out + ([(f"added {extra[0]}", value + [extra[0]])] if extra else [])
    if isinstance(value, list):                       # star bands
        moved = copy.deepcopy(value)
        moved[0]["min"] += 1
        return [("top band +1", moved), ("dropped the lowest band", value[:-1])]
    if isinstance(value, dict):                       # the step tables
        out = []
        for name, steps in value.items():
            for i, step in enumerate(steps):
                for field in ("merge", "gated"):
                    if field in step:
                        changed = copy.deepcopy(value)
                        del changed[name][i][field]
                        out.append((f"{name}: {step['code']} without {field}", changed))
        return out
    return []


def run(copy_root: Path) -> str | None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-o", "addopts=",
         *TESTS], cwd=copy_root, capture_output=True, text=True,
        env={"PYTHONPATH": str(copy_root), "PATH": "/usr/bin:/bin", "HOME": str(copy_root)})
    if result.returncode == 0:
        return None
    for line in result.stdout.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split()[1]
    return result.stdout.strip().splitlines()[-1][:120]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix", nargs="?", default="")
    args = parser.parse_args(argv)
    defaults = json.loads((ROOT / "schemas/config/defaults.json").read_text(encoding="utf-8"))
    keys = [k for k in defaults["values"] if k.startswith(("decisions.", "supervision."))
            and k.startswith(args.prefix)]
    survived, total = [], 0
    with tempfile.TemporaryDirectory(prefix="sanji-mutate-") as tmp:
        base = Path(tmp) / "base"
        for name in ("app", "sync", "schemas", "tests", "pyproject.toml"):
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, base / name, ignore=shutil.ignore_patterns("__pycache__", "*.ttf"))
            else:
                shutil.copy2(src, base / name)
        for key in keys:
            for what, value in mutations(defaults["values"][key]):
                root = Path(tmp) / "m"
                shutil.rmtree(root, ignore_errors=True)
                shutil.copytree(base, root)
                doc = copy.deepcopy(defaults)
                doc["values"][key]["value"] = value
                if "legal_bound" in doc["values"][key]:
                    doc["values"][key]["legal_bound"]["schema"] = {}
                (root / "schemas/config/defaults.json").write_text(
                    json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
                failing = run(root)
                total += 1
                if failing is None:
                    survived.append(f"{key} ({what})")
                    print(f"SURVIVED  {key:48s} {what}", flush=True)
                else:
                    print(f"caught    {key:48s} {what:28s} by {failing}", flush=True)
    print(f"\nmutations: {total}, caught: {total - len(survived)}, survived: {len(survived)}")
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main())
