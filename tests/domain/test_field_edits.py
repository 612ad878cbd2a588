"""Last writer wins; an overwrite of a value the author never saw raises a review item."""
from __future__ import annotations

from app.domain.shared.field_edits import apply_field_edits


def test_edit_of_the_value_seen_applies_without_review():
    values, writers, reviews = apply_field_edits({"remark": "a"}, {"remark": "e1"},
                                                 {"remark": "b"}, {"remark": "a"}, "e2")
    assert (values, writers, reviews) == ({"remark": "b"}, {"remark": "e2"}, [])


def test_overwrite_of_an_unseen_value_keeps_it_for_review():
    values, _, reviews = apply_field_edits({"remark": "x"}, {"remark": "e1"},
                                           {"remark": "b"}, {"remark": "a"}, "e2", {"remark": "备注"})
    assert values == {"remark": "b"}
    (item,) = reviews
    assert (item.kept, item.lost, item.kept_event, item.lost_event) == ("b", "x", "e2", "e1")
    assert item.message == "「备注」被两处同时修改：现为“b”，另一处填写的“x”已保留待核对，请核实后更正"


def test_missing_was_means_the_author_saw_the_field_empty():
    _, _, reviews = apply_field_edits({"remark": "x"}, {}, {"remark": "b"}, {}, "e2")
    assert [r.lost for r in reviews] == ["x"]
    _, _, none = apply_field_edits({}, {}, {"remark": "b"}, {}, "e2")
    assert none == []


def test_inputs_are_not_mutated():
    values, writers = {"remark": "a"}, {"remark": "e1"}
    apply_field_edits(values, writers, {"remark": "b"}, {"remark": "a"}, "e2")
    assert (values, writers) == ({"remark": "a"}, {"remark": "e1"})


def test_empty_lost_value_reads_as_empty_in_the_message():
    _, _, reviews = apply_field_edits({"m": []}, {}, {"m": ["身份证"]}, {"m": ["户口簿"]}, "e2")
    assert "另一处填写的“（空）”" in reviews[0].message
