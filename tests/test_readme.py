"""README.md against the code: every command line it shows parses with the real `sanji`
parser, and its /v1/status table names exactly the fields a hub reports (issue #8 §4)."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from app.cli import build_parser
from sync.hub.api import hub_status
from sync.hub.server import open_hub
from tests.support.keys import HUB_KEY

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def command_lines() -> list[str]:
    """Every indented `sanji …` line (one per command; two on a line are split)."""
    lines = []
    for line in README.splitlines():
        if not line.startswith("    sanji ") and " sanji " not in line[:8]:
            continue
        for part in re.split(r"\s{2,}(?=sanji )", line.strip()):
            lines.append(part.split("#")[0].strip())
    return lines


def concrete(line: str) -> list[str]:
    """A README line as an operator would type it: alternatives and options in [] taken
    in full, placeholders filled in."""
    line = re.sub(r"\[(--[^\]]*)\]", r"\1", line)            # [--no-app] → --no-app
    line = re.sub(r"(\w+)\|[\w|]+", r"\1", line)             # town|county → town
    line = line.replace("…", "1234-5678-9012")
    words = shlex.split(line)[1:]
    placeholders = {"DIR": "d", "URL": "http://127.0.0.1:1", "N": "8732", "S": "5",
                    "ID": "x", "NAME": "n", "&": ""}
    return [placeholders.get(w, w) for w in words if w != "&"]


def test_every_command_the_readme_shows_parses() -> None:
    lines = command_lines()
    assert len(lines) >= 15
    parser = build_parser()
    seen = set()
    for line in lines:
        args = parser.parse_args(concrete(line))      # exits (fails the test) if not
        seen.add(args.command if args.command != "node" else f"node {args.node_command}")
    assert seen >= {"hub", "node add", "node list", "node revoke", "enroll", "sync", "app",
                    "demo", "up"}


def test_the_json_options_the_readme_names_exist() -> None:
    parser = build_parser()
    for words in (["node", "add", "--data", "d", "--name", "n", "--kind", "village"],
                  ["node", "list", "--data", "d"], ["node", "revoke", "x", "--data", "d"],
                  ["enroll", "--data", "d", "--hub", "u", "--code", "c"],
                  ["sync", "--data", "d"], ["hub", "init", "--level", "town", "--data", "d"]):
        assert parser.parse_args([*words, "--json"]).json is True


def test_the_status_table_names_what_a_hub_reports(tmp_path: Path) -> None:
    table = README[README.index("### Hub status"):README.index("## Android")]
    documented = set(re.findall(r"`(\w+)`", "\n".join(
        line.split("|")[1] for line in table.splitlines() if line.startswith("| `"))))
    hub = open_hub(tmp_path / "town", "town", "新集镇", key=HUB_KEY)
    try:
        reported = set(hub_status(hub))
    finally:
        hub.close()
    assert documented == reported


@pytest.mark.parametrize("path", ["buildozer.spec", "main.py", "android/recipes/",
                                  "sync/jsoncodec.py", "tests/android/", "scripts/setup.sh"])
def test_files_the_readme_names_exist(path: str) -> None:
    assert path in README
    assert (Path(__file__).resolve().parent.parent / path).exists()


def test_ci_runs_the_tests_as_the_readme_says() -> None:
    """.ci/run's pytest command passes the README's options (workers, distribution)."""
    readme = re.search(r"python3 -m pytest ([^\n]*)", README)
    ci = re.search(r"^SDL_VIDEODRIVER=offscreen python3 -m pytest ([^\n]*)$",
                   (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(),
                   re.MULTILINE)
    assert readme and ci
    wanted = readme.group(1).split()
    assert "-n" in wanted and "--dist" in wanted
    assert ci.group(1).split()[:len(wanted)] == wanted
