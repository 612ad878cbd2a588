"""Linking a new intake to earlier disputes and petitions; the 初信初访 flag."""
from __future__ import annotations

from datetime import date

from app.domain.dispute.links import (
    Person, Prior, find_links, is_first_time, link_payload, match_person, similarity)
from app.domain.dispute.rules import DisputeRules

ZHANG = Person("张大山", "410181198001011234", "东王村")
WANG = Person("王小河", "", "东王村")
SUMMARY = "张大山与王小河因宅基地之间的排水沟堵塞发生争执"


def prior(record, people, summary=SUMMARY, village="东王村", **extra):
    return Prior(record, extra.pop("kind", "dispute"), extra.pop("opened_on", date(2025, 11, 2)),
                 tuple(people), summary, village, **extra)


def test_same_id_number_matches_even_with_another_name_spelling_or_village():
    earlier = Person("张大山 ", "410181198001011234 ", "东王庄")
    assert match_person(ZHANG, earlier) == "same_id"
    liu = Person("刘桂芳", "41018119700202002X", "西李村")
    assert match_person(liu, Person("刘桂方", "41018119700202002x", "")) == "same_id"


def test_two_different_id_numbers_are_two_people_even_with_the_same_name():
    namesake = Person("张大山", "410181199912120011", "东王村")
    assert match_person(ZHANG, namesake) is None


def test_same_name_and_village_matches_when_an_id_is_missing():
    assert match_person(WANG, Person("王小河", "", "东王村")) == "same_name_village"
    assert match_person(WANG, Person("王小河", "", "西李村")) is None
    assert match_person(ZHANG, Person("张大山", "", "东王村")) == "same_name_village"


def test_similarity_of_chinese_summaries():
    assert similarity(SUMMARY, SUMMARY) == 1.0
    assert similarity(SUMMARY, "张大山和王小河又因排水沟堵塞吵架") > 0.4
    assert similarity(SUMMARY, "申请低保") == 0.0
    assert similarity("", SUMMARY) == 0.0


def test_repeat_of_same_parties_is_linked_and_not_first_time():
    priors = [prior("dsp-old", [Person("张大山", "410181198001011234"), Person("王小河")],
                    summary="排水沟纠纷")]
    links = find_links([ZHANG, WANG], SUMMARY, "东王村", priors)
    assert [(l.record, l.relation, l.same_person, l.same_matter) for l in links] == [
        ("dsp-old", "same_id", True, True)]
    assert links[0].reasons == ("张大山：身份证号相同", "王小河：同村同名", "涉及的当事人相同")
    assert is_first_time(links) is False


def test_same_person_on_another_matter_is_linked_but_still_first_time():
    priors = [prior("pet-9", [Person("张大山", "410181198001011234")], summary="申请危房改造补助",
                    kind="petition")]
    links = find_links([ZHANG], SUMMARY, "东王村", priors)
    assert links[0].same_person and not links[0].same_matter
    assert is_first_time(links) is True


def test_same_matter_by_someone_else_in_the_village_is_offered():
    priors = [prior("dsp-2", [Person("李四", "", "东王村")],
                    summary="张大山与王小河因宅基地之间排水沟堵塞发生争执，邻居反映")]
    links = find_links([Person("赵五", "", "东王村")], SUMMARY, "东王村", priors)
    assert [(l.relation, l.same_person, l.same_matter) for l in links] == [("same_matter", False, True)]
    assert is_first_time(links) is True
    assert links[0].reasons[0].startswith("反映内容相似（")


def test_alike_summary_in_another_village_is_not_offered():
    priors = [prior("dsp-3", [Person("李四")], summary=SUMMARY, village="西李村")]
    assert find_links([Person("赵五")], SUMMARY, "东王村", priors) == []


def test_sealed_priors_are_never_offered():
    priors = [prior("cmp-1", [ZHANG], sealed=True)]
    assert find_links([ZHANG], SUMMARY, "东王村", priors) == []


def test_order_same_person_and_matter_first_then_strength_then_newest():
    priors = [
        prior("a-other-matter", [ZHANG], summary="申请低保", opened_on=date(2026, 1, 1)),
        prior("b-old", [ZHANG], opened_on=date(2024, 5, 1)),
        prior("c-new", [ZHANG], opened_on=date(2025, 5, 1)),
        prior("d-name-only", [Person("张大山", "", "东王村")], opened_on=date(2026, 2, 1)),
    ]
    links = find_links([ZHANG], SUMMARY, "东王村", priors)
    assert [l.record for l in links] == ["c-new", "b-old", "d-name-only", "a-other-matter"]


def test_threshold_is_configurable():
    priors = [prior("x", [Person("李四", "", "东王村")], summary="张大山王小河排水沟")]
    assert find_links([Person("赵五")], SUMMARY, "东王村", priors, min_similarity=0.9) == []
    assert find_links([Person("赵五")], SUMMARY, "东王村", priors, min_similarity=0.2) != []


def test_link_payload_keeps_the_reasons():
    links = find_links([ZHANG], SUMMARY, "东王村", [prior("dsp-old", [ZHANG])])
    assert link_payload(links) == [{"record": "dsp-old", "kind": "dispute", "relation": "same_id",
                                    "why": "张大山：身份证号相同；反映内容相似（100%）"}]


def test_priors_from_projections_link_a_petition_to_an_earlier_dispute():
    from app.domain.dispute.links import prior_of_dispute, prior_of_petition
    from tests.domain.test_dispute_builders import dispute_log, petition_log
    dispute = dispute_log()
    dispute.add("dispute.registered")
    petition = petition_log()
    petition.add("petition.registered", "v1", petitioners=[{"name": "王小河", "village": "东王村"}])
    priors = [prior_of_dispute(dispute.state()), prior_of_petition(petition.state())]
    assert (priors[0].level, priors[0].handled, priors[0].opened_on) == ("village", True, date(2026, 3, 10))
    assert (priors[1].handled, priors[1].status) == (False, "registered")
    links = find_links([ZHANG, WANG], SUMMARY, "东王村", priors)
    assert [(l.record, l.kind, l.same_person, l.same_matter) for l in links] == [
        ("dsp-1", "dispute", True, True), ("pet-1", "petition", True, False)]


def test_the_same_matter_threshold_is_the_configured_one():
    # dispute.same_matter_similarity (0.5): 0.52 alike, 0.48 not (no shared people, same village)
    summary = "东王村三组排水沟堵塞污水流入院内"
    someone = Person("赵新民", "", "东王村")
    near = Prior("d-near", "dispute", date(2026, 1, 5), (Person("钱某", "", "东王村"),),
                 "东王村三组的排水沟", "东王村", "village", "registered", True)
    far = Prior("d-far", "dispute", date(2026, 1, 5), (Person("孙某", "", "东王村"),),
                "三组排水沟堵了", "东王村", "village", "registered", True)
    assert round(similarity(summary, near.summary), 2) == 0.52
    assert round(similarity(summary, far.summary), 2) == 0.48
    found = find_links([someone], summary, "东王村", [near, far],
                       min_similarity=DisputeRules().same_matter_similarity)
    assert [(link.record, link.relation) for link in found] == [("d-near", "same_matter")]
