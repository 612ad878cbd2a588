"""The shipped matter catalog and the town's edits to it."""
from __future__ import annotations

import copy

import pytest

import schemas.catalog
from app.domain.errors import CatalogError
from app.domain.service.catalog import Catalog, apply_catalog_edits, check_catalog
from app.domain.shared.phone import check_phone

DOC = schemas.catalog.load_matters()
SCHEMA = schemas.catalog.matters_schema()
CATEGORIES = {"党员组织关系接转", "劳动就业", "社会保险", "社会救助", "社会福利", "卫生健康",
              "城乡居民医保", "退役军人服务", "农业农村", "村级证明"}


def test_shipped_catalog_is_valid():
    check_catalog(DOC, SCHEMA)


def test_catalog_covers_every_category_with_at_least_twenty_matters():
    assert len(DOC["matters"]) >= 20
    assert {m["category"] for m in DOC["matters"]} == CATEGORIES


def test_every_matter_carries_the_full_one_time_notice():
    for m in DOC["matters"]:
        assert m["materials"] and m["legal_basis"] and m["conditions"] and m["procedure"], m["code"]
        assert m["fees"] and m["time_limit_source"].startswith("["), m["code"]
        for material in m["materials"]:
            assert material["copies"] >= 1 and material["issuer"], (m["code"], material)


def test_dibao_time_limits_follow_rules_md():
    dibao = Catalog(DOC).matter("JZ-001")
    assert (dibao["time_limit_working_days"], dibao["extended_time_limit_working_days"]) == (25, 40)
    assert "30个工作日" in dibao["time_limit_source"] and "公示7天" in dibao["time_limit_source"]
    assert any("公示7天" in step for step in dibao["procedure"])


def test_party_transfer_letters_follow_rules_md():
    catalog = Catalog(DOC)
    out = catalog.matter("DY-001")
    assert any("6个月以上" in c for c in out["conditions"])
    assert "3个月" in out["note"]
    assert any("不足6个月" in c for c in catalog.matter("DY-003")["conditions"])


def test_placeholder_phones_are_marked_and_never_shown_as_numbers():
    catalog = Catalog(DOC)
    assert catalog.phone_text("town_service_center") == "镇便民服务中心（电话还没有设置）"
    assert not catalog.phone_configured("town_service_center")
    # A hotline whose label says its number reads once, not "12393…热线：12393".
    assert catalog.phone_text("hotline_12393") == "12393医疗保障服务热线"
    assert catalog.phone_configured("hotline_12393") and not catalog.phone_configured("nope")
    for key, phone in DOC["phones"].items():
        assert check_phone(phone["number"]).ok is phone["configured"], key


def test_forwarding_departments_are_county_level():
    catalog = Catalog(DOC)
    for m in DOC["matters"]:
        assert catalog.department(m["forward_to"])["level"] == "county"


def _edit(i: int, kind: str, payload: dict, hlc: int | None = None, origin: str = "t1") -> dict:
    return {"id": f"c{i}", "origin": origin, "seq": i, "hlc": hlc or 100 + i, "type": kind, "v": 1,
            "record": "catalog", "kind": "config", "author": "u-town", "payload": payload}


def test_town_changes_a_matter_and_versions_go_up():
    catalog = apply_catalog_edits(DOC, [_edit(1, "catalog.matter_changed", {
        "code": "JZ-001", "fields": {"time_limit_working_days": 30},
        "was": {"time_limit_working_days": 25}})], SCHEMA)
    assert catalog.rejected == () and catalog.review_items == ()
    assert catalog.matter("JZ-001")["time_limit_working_days"] == 30
    assert catalog.matter("JZ-001")["version"] == 2
    assert catalog.version == DOC["catalog_version"] + 1
    assert Catalog(DOC).matter("JZ-001")["time_limit_working_days"] == 25   # input untouched


def test_concurrent_matter_edits_keep_the_loser_for_review():
    catalog = apply_catalog_edits(DOC, [
        _edit(2, "catalog.matter_changed", {"code": "JZ-001", "fields": {"time_limit_working_days": 28},
                                            "was": {"time_limit_working_days": 25}}, hlc=500, origin="t2"),
        _edit(1, "catalog.matter_changed", {"code": "JZ-001", "fields": {"time_limit_working_days": 30},
                                            "was": {"time_limit_working_days": 25}}, hlc=400),
    ], SCHEMA)
    (item,) = catalog.review_items
    assert (item.kept, item.lost, item.kept_event, item.lost_event) == (28, 30, "c2", "c1")
    assert item.message.startswith("「承诺时限（工作日）」被两处同时修改")


def test_town_adds_and_retires_matters():
    new = copy.deepcopy(Catalog(DOC).matter("JZ-003"))
    new.update(code="JZ-009", name="残疾人两项补贴申请")
    catalog = apply_catalog_edits(DOC, [
        _edit(1, "catalog.matter_added", {"matter": new}),
        _edit(2, "catalog.matter_retired", {"code": "JY-004", "reason": "并入县职业培训平台"}),
    ], SCHEMA)
    assert catalog.rejected == ()
    assert catalog.matter("JZ-009")["version"] == 1
    assert catalog.matter("JY-004")["retired"] is True
    assert "JY-004" not in {m["code"] for m in catalog.active_matters()}
    assert len(catalog.active_matters()) == len(DOC["matters"])


@pytest.mark.parametrize("kind, payload, reason", [
    ("catalog.matter_added", {"matter": {"code": "JZ-001", "name": "重复"}},
     "事项编码“JZ-001”已存在；要修改该事项，请用“修改事项”"),
    ("catalog.matter_changed", {"code": "ZZ-999", "fields": {"fees": "免费"}, "was": {}},
     "目录中没有编码为“ZZ-999”的事项，无法修改"),
    ("catalog.matter_changed", {"code": "JZ-001", "fields": {"retired": True}, "was": {}},
     "不能直接修改“retired”；停用事项请用“停用事项”"),
    ("catalog.matter_changed", {"code": "JZ-001", "fields": {"complaint_phone": "nobody"}, "was": {}},
     "事项“最低生活保障申请”（JZ-001）用到的电话“nobody”不在电话表中，请先添加该电话"),
    ("catalog.matter_changed", {"code": "JZ-001", "fields": {"extended_time_limit_working_days": 20},
                                "was": {"extended_time_limit_working_days": 40}},
     "事项“最低生活保障申请”（JZ-001）的延长时限必须长于承诺时限"),
    ("catalog.matter_retired", {"code": "JZ-001", "reason": ""}, "停用事项必须写明理由"),
    ("catalog.phone_set", {"key": "town_service_center",
                           "phone": {"label": "咨询电话", "number": "0376-123", "configured": True}},
     "电话“咨询电话”的号码“0376-123”不对：固定电话号码（区号后面的部分）应为7至8位，请核对后重新输入"),
    ("catalog.department_set", {"key": "county_civil",
                                "department": {"name": "镇民政所", "level": "town", "phone": "county_civil"}},
     "事项“最低生活保障申请”（JZ-001）的转办部门“county_civil”不是目录中的县直部门"),
])
def test_edit_that_would_break_the_catalog_is_kept_as_rejected(kind, payload, reason):
    catalog = apply_catalog_edits(DOC, [_edit(1, kind, payload)], SCHEMA)
    assert [(r.event_id, r.reason) for r in catalog.rejected] == [("c1", reason)]
    assert catalog.version == DOC["catalog_version"]


def test_schema_failure_of_an_edited_matter_is_reported_in_chinese():
    catalog = apply_catalog_edits(DOC, [_edit(1, "catalog.matter_changed", {
        "code": "JZ-001", "fields": {"time_limit_working_days": -5},
        "was": {"time_limit_working_days": 25}})], SCHEMA)
    assert catalog.rejected[0].reason.startswith("事项“最低生活保障申请”（JZ-001）的内容不符合目录格式")


def test_town_configures_a_real_phone_number():
    catalog = apply_catalog_edits(DOC, [_edit(1, "catalog.phone_set", {
        "key": "town_service_center",
        "phone": {"label": "新集镇便民服务中心", "number": "0376-2981234", "configured": True}})], SCHEMA)
    assert catalog.phone_text("town_service_center") == "新集镇便民服务中心 0376-2981234"
    assert catalog.phone_configured("town_service_center")


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["matters"].append(copy.deepcopy(d["matters"][0])), "事项编码“DY-001”重复，每个事项的编码必须不同"),
    (lambda d: d["phones"]["hotline_12345"].update(number="1234"),
     "电话“12345政务服务便民热线”的号码“1234”不对：手机号应为11位数字、以13至19开头，请核对后重新输入"),
    (lambda d: d["departments"]["county_org"].update(phone="gone"), "部门“县委组织部”的电话“gone”不在电话表中"),
])
def test_broken_catalog_files_are_refused(mutate, message):
    doc = copy.deepcopy(DOC)
    mutate(doc)
    with pytest.raises(CatalogError) as info:
        check_catalog(doc, SCHEMA)
    assert info.value.message == message


def test_catalog_file_of_wrong_shape_is_refused():
    doc = copy.deepcopy(DOC)
    del doc["matters"][0]["fees"]
    with pytest.raises(CatalogError) as info:
        check_catalog(doc, SCHEMA)
    assert info.value.message.startswith("事项目录格式不对")


def test_outdated_category_names_are_gone_and_old_edits_read_as_the_new_ones():
    assert not {"计划生育", "合作医疗"} & {m["category"] for m in DOC["matters"]}
    old = dict(copy.deepcopy(Catalog(DOC).matter("SB-005")), code="JS-009", name="旧目录事项",
                        category="计划生育")
    catalog = apply_catalog_edits(DOC, [_edit(1, "catalog.matter_added", {"matter": old})], SCHEMA)
    assert catalog.rejected == ()
    assert catalog.matter("JS-009")["category"] == "卫生健康"


@pytest.mark.parametrize("code, level, days, cites", [
    ("FL-001", "county", 20, "老年人权益保障法》第三十三条"),
    ("FL-002", "county", 20, "国发〔2015〕52号"),
    ("TY-001", "county", 20, "《军人抚恤优待条例》（2024年修订"),
    ("NY-001", "county", 20, "财农〔2016〕26号"),
    ("NY-002", "town", 20, "土地管理法》第六十二条"),
    ("CZ-001", "village", 0, "厅字〔2022〕28号"),
])
def test_the_common_village_matters_are_in_the_catalog_with_their_sources(code, level, days, cites):
    matter = Catalog(DOC).matter(code)
    assert (matter["level"], matter["time_limit_working_days"]) == (level, days)
    assert any(cites in basis for basis in matter["legal_basis"])
    # A number that is local practice says so beside it.
    assert matter["time_limit_source"].startswith("[local]")


def test_homestead_areas_follow_the_henan_rules():
    conditions = " ".join(Catalog(DOC).matter("NY-002")["conditions"])
    assert all(area in conditions for area in ("134平方米", "167平方米", "200平方米"))


def test_a_villages_own_matter_is_offered_there_only():
    own = dict(copy.deepcopy(Catalog(DOC).matter("CZ-001")), code="CL-001",
                        name="本村公益岗位报名", only_for=["wangwan"], proposed_by="王湾村")
    catalog = apply_catalog_edits(DOC, [_edit(1, "catalog.matter_added", {"matter": own})], SCHEMA)
    assert catalog.offered_at("CL-001", "wangwan")
    assert not catalog.offered_at("CL-001", "lizhuang")
    assert "CL-001" not in {m["code"] for m in catalog.active_matters("lizhuang")}
    assert catalog.next_code("CL") == "CL-002"
