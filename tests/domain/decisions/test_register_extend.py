"""The register kept between roster changes (bench.decisions, issue #12 §5): extending it by
the new events gives the same roster as folding everything again, at every stamp, shares
the unchanged people, leaves the register it came from as it was, and declines (None) when
an event arrives out of order."""
from __future__ import annotations

from typing import Any

from app.domain.decisions.village import extend_register, fold_register


def _ev(n: int, people: list[dict[str, Any]] | None = None, removed: list[str] | None = None,
        origin: str = "v") -> dict[str, Any]:
    payload: dict[str, Any] = {"on": "2026-03-01", "officer": {"name": "王"}}
    if people:
        payload["people"] = people
    if removed:
        payload["removed"] = removed
    return {"id": f"e{n}-{origin}", "origin": origin, "seq": n, "hlc": n << 16, "v": 1,
            "type": "decision.roster_changed", "record": "reg", "payload": payload}


def _person(i: int, household: str = "") -> dict[str, Any]:
    return {"id": f"p{i}", "name": f"村民{i}", "birth_date": "1970-01-01",
            "household": household or f"h{i}", **({"party": "正式"} if i < 3 else {})}


def test_extending_equals_folding_again_and_shares_what_did_not_change() -> None:
    first = [_ev(1, [_person(i) for i in range(10)]), _ev(2, [_person(10)])]
    held = fold_register(first)
    before = held.people()
    later = [*first, _ev(3, [_person(4, "新户")]), _ev(4, removed=["p7"]),
             _ev(5, [_person(99)], origin="other")]          # not the village's: ignored
    extended = extend_register(held, later)
    assert extended is not None
    again = fold_register(later)
    for hlc in (None, 1 << 16, 2 << 16, 3 << 16, 4 << 16):
        assert extended.people(hlc) == again.people(hlc), hlc
    assert [p.household for p in extended.people() if p.id == "p4"] == ["新户"]
    assert "p7" not in {p.id for p in extended.people()}
    kept = {p.id: p for p in extended.people()}
    assert all(kept[p.id] is p for p in before if p.id not in ("p4", "p7"))   # shared
    assert held.people() == before and len(held.people()) == 11   # the old one unchanged
    same = extend_register(extended, later)                      # nothing new: same roster
    assert same is not None and same.people() == extended.people()


def test_an_event_arriving_out_of_order_folds_the_register_again() -> None:
    held = fold_register([_ev(1, [_person(1)]), _ev(3, [_person(3)])])
    assert extend_register(held, [_ev(1, [_person(1)]), _ev(2, [_person(2)]),
                                  _ev(3, [_person(3)])]) is None
