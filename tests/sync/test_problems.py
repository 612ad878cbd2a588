"""One problem catalogue (issue #9): every problem code has exactly one HTTP status and
one Chinese message saying what to do (sync.problems); every place in the tree that
makes a Problem is held to it; a real hub answers with the catalogue's status and
message, and the client shows the catalogue's message."""
from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import app.authority  # noqa: F401 — registers the write policy's codes
from sync.client import HubClient, from_reply
from sync.errors import Problem
from sync.keys import SigningKey
from sync.problems import CATALOGUE, Entry, register
from tests.support.hubs import HubProcess

ROOT = Path(__file__).resolve().parents[2]
HAN = re.compile(r"[\u4e00-\u9fff]")
# Calls that pass a code they do not spell out, each checked another way below.
DYNAMIC = {
    ("sync/events.py", "bad"): "its callers' literal codes are checked (422)",
    ("sync/hub/push.py", "_check_events"): "re-raises a checked Problem's own code",
    ("sync/client.py", "from_reply"): "a hub's reply, read through the catalogue",
    ("app/authority.py", "may_write"): "check_write's codes, checked below (403)",
    ("app/authority.py", "_own"): "its two codes, checked below (403)",
}

# Helpers whose codes all become 422 problems (sync.events.check_envelope).
MAKE_422 = {"sync/events.py": "bad", "schemas/registry.py": "PayloadError"}


def sources() -> Iterator[tuple[str, ast.Module]]:
    for package in ("sync", "app", "schemas"):
        for path in sorted((ROOT / package).rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))


def calls(tree: ast.Module, name: str) -> Iterator[tuple[str, ast.Call]]:
    """(enclosing function, call) for every call of `name`."""
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                        and node.func.id == name:
                    yield func.name, node


def literal(node: ast.expr) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def test_every_problem_made_in_the_tree_has_its_catalogued_status() -> None:
    seen, wrong, unknown, dynamic = set(), [], [], set()
    for path, tree in sources():
        for func, call in calls(tree, "Problem"):
            status, code = (literal(a) for a in call.args[:2])
            if not isinstance(code, str) or not isinstance(status, int):
                dynamic.add((path, func))
                continue
            seen.add(code)
            if code not in CATALOGUE:
                unknown.append(f"{path} {func}: {code}")
            elif CATALOGUE[code].status != status:
                wrong.append(f"{path} {func}: {code} {status} ≠ {CATALOGUE[code].status}")
        # bad(code, …) in sync.events makes a 422, also of a PayloadError's code
        name = MAKE_422.get(path)
        if name is not None:
            for func, call in calls(tree, name):
                code = literal(call.args[0])
                if code is None and name == "bad":
                    continue                  # bad(exc.code): a PayloadError's, below
                seen.add(str(code))
                if code not in CATALOGUE or CATALOGUE[str(code)].status != 422:
                    wrong.append(f"{path} {func}: {name}({code!r}) is not a catalogued 422")
    assert not unknown, unknown
    assert not wrong, wrong
    assert dynamic <= set(DYNAMIC), dynamic - set(DYNAMIC)
    assert len(seen) > 50        # the scan found the raise sites (not an empty tree)


def test_the_write_policy_refuses_with_catalogued_codes() -> None:
    tree = ast.parse((ROOT / "app/domain/authority.py").read_text(encoding="utf-8"))
    codes = {literal(call.args[0]) for _, call in calls(tree, "no")}
    assert codes and all(isinstance(c, str) for c in codes)
    assert {c: CATALOGUE[str(c)].status for c in codes if c in CATALOGUE} == dict.fromkeys(
        codes, 403)
    assert all(CATALOGUE[c].status == 403 for c in ("not_own_record", "not_own_cadre"))


def test_each_message_is_chinese_and_says_what_to_do() -> None:
    for code, entry in CATALOGUE.items():
        assert HAN.search(entry.message) and "请" in entry.message, code
        assert 400 <= entry.status < 600, code
        assert re.fullmatch(r"[a-z][a-z_]*", code), code


def test_a_code_keeps_its_one_status_and_message() -> None:
    assert Problem(422, "chain_broken", "末端与签名不符").status == 409
    with pytest.raises(ValueError):
        register({"chain_broken": Entry(422, "数据链不对：请重试。")})
    body = Problem(409, "chain_broken", "末端与签名不符", origin="A").to_json()
    assert body["title"] == CATALOGUE["chain_broken"].message
    assert body["detail"] == "末端与签名不符" and body["origin"] == "A"


def test_the_client_shows_the_catalogue_message_whatever_a_hub_says() -> None:
    """An older hub may answer with its own words or status: the station shows its own
    catalogue's message for the code, and keeps the hub's words as detail."""
    problem = from_reply(422, {"code": "chain_broken", "title": "旧版本的说法", "seq": 3})
    assert (problem.status, problem.message) == (409, CATALOGUE["chain_broken"].message)
    assert problem.extra == {"seq": 3, "detail": "旧版本的说法"}
    unknown = from_reply(418, {"code": "newer_code", "title": "新版本的说明：请升级。"})
    assert (unknown.status, unknown.message) == (418, "新版本的说明：请升级。")


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    process = HubProcess(tmp_path_factory.mktemp("problems") / "town", "town")
    process.init("新集镇")
    process.start()
    try:
        yield process
    finally:
        process.stop()


def test_a_real_hub_answers_from_the_catalogue(hub: HubProcess) -> None:
    node_id, _ = hub.add_node("李庄村", "village")
    from sync.client import Credentials
    creds = Credentials(node_id, "not-the-token", SigningKey.generate(), lambda: 1)
    with HubClient(hub.url, creds, pin=hub.pin) as client:
        with pytest.raises(Problem) as refused:
            client.call("POST", "/v1/pull", {"cursor": None})
    assert refused.value.code == "bad_token"
    assert (refused.value.status, refused.value.message) == (
        401, CATALOGUE["bad_token"].message)
    with HubClient(hub.url, pin=hub.pin) as client:
        with pytest.raises(Problem) as refused:
            client.call("POST", "/v1/enroll", {"code": "0000-0000-0000"})
    assert refused.value.code in ("bad_code", "bad_request")
    assert refused.value.message == CATALOGUE[refused.value.code].message
