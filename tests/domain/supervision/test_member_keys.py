"""A 监委会 member's own signature (issue #13 §3), pure: an opinion counts only if signed
by the key the village's own town certified for that member; unsigned, altered,
signed by someone else's key, or with a key certified by a neighbouring town (or by a
village) it is refused and kept aside."""
from __future__ import annotations

from app.domain.supervision.member_keys import KEY_CERTIFIED, MemberKeys, certified_keys
from app.domain.supervision.oversight import SENT, fold_opinion
from app.services.member_keys import fingerprint, same_fingerprint, verify
from tests.domain.supervision.support import member_key, signed

LEVELS = {"v1": "village", "t1": "town", "t2": "town", "v9": "village"}
PARENTS = {"v1": "hubA", "t1": "hubA", "t2": "hubB", "v9": "hubA"}
MEMBERS = {"v1": ["m1", "m2"]}


def cert(origin: str, public: str, hlc: int = 1, village: str = "v1", member: str = "m1"
         ) -> dict:
    return {"type": KEY_CERTIFIED, "origin": origin, "hlc": hlc, "record": f"k{hlc}",
            "payload": {"village": village, "member": {"id": member, "name": "王德明"},
                        "key": public}}


def opinion(member: str = "m1") -> dict:
    return {"id": "e1", "type": SENT, "origin": "v1", "hlc": 5, "seq": 1, "record": "op1",
            "payload": {"member": {"id": member, "name": "王德明"}, "on": "2026-11-02",
                        "subject": "村级财务", "text": "修路款支出没有公开明细"}}


def codes(event: dict, keys: dict) -> list[str]:
    folded = fold_opinion([event], LEVELS, PARENTS, MEMBERS, keys=MemberKeys(keys, verify))
    return [r.code for r in folded.rejected] if not folded.village else []


def test_only_the_members_own_town_certified_key_signs() -> None:
    private, public = member_key()
    other_private, other_public = member_key()
    own = certified_keys([cert("t1", public)], LEVELS, PARENTS)
    assert own == {("v1", "m1"): (public,)}
    assert codes(signed(opinion(), private), own) == []
    assert codes(opinion(), own) == ["member_signature_missing"]
    assert codes(signed(opinion(), other_private), own) == ["member_signature_bad"]
    altered = signed(opinion(), private)
    altered["payload"] = {**altered["payload"], "text": "没有问题"}
    assert codes(altered, own) == ["member_signature_bad"]
    # signed over another record id: not this one
    moved = signed({**opinion(), "record": "op0"}, private) | {"record": "op1"}
    assert codes(moved, own) == ["member_signature_bad"]
    # a neighbouring town (t2), or the village itself (v9), certifies nothing here
    foreign = certified_keys([cert("t2", other_public), cert("v9", other_public, 2)],
                             LEVELS, PARENTS)
    assert foreign == {}
    assert codes(signed(opinion(), other_private), foreign) == ["member_key_unknown"]


def test_a_renewed_key_does_not_void_what_the_old_one_signed() -> None:
    old_private, old_public = member_key()
    new_private, new_public = member_key()
    stray_private, _ = member_key()
    keys = certified_keys([cert("t1", new_public, 2), cert("t1", old_public, 1)], LEVELS, PARENTS)
    assert keys == {("v1", "m1"): (old_public, new_public)}
    assert codes(signed(opinion(), new_private), keys) == []
    assert codes(signed(opinion(), old_private), keys) == []
    assert codes(signed(opinion(), stray_private), keys) == ["member_signature_bad"]
    # m1's keys sign for m1 only
    assert codes(signed(opinion("m2"), new_private), keys) == ["member_key_unknown"]


def test_the_fingerprint_is_sixteen_digits_and_typed_in_any_spacing() -> None:
    _, public = member_key()
    shown = fingerprint(public)
    assert len(shown) == 19 and shown.replace(" ", "").isdigit()
    assert same_fingerprint(shown.replace(" ", "-"), public)
    wrong = ("0" if shown[0] != "0" else "1") + shown[1:]
    assert not same_fingerprint(wrong, public)
