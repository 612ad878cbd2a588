"""村务决策 (issue #12) in the station app, by touch, tablet and phone: a village cadre opens
the 村务决策 tile, is told what is missing when saving an empty matter, saves a matter, sees
why it cannot go to a meeting (not filed with the town: what to do), files it with the
town, and sees it waiting for the town's review.

Screenshots: test-artifacts/decisions-<size>-<nn>-<screen>.png."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.flows import current, fill_form, sign_in, station_app, title
from tests.ui.screens import screen
from tests.ui.stations import make_station
from tests.ui.touch import touch_app


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_a_village_opens_a_matter_and_files_it_with_the_town(tmp_path: Path, size: str) -> None:
    village = make_station(tmp_path / "village", cadres=(("李建国", "村党支部书记"),))
    with touch_app(station_app(village), size, name=f"decisions-{size}") as ui:
        sign_in(ui, "李建国")
        ui.tap("村务决策")
        matters = screen(ui.app, "decisions")
        ui.shot("list", title("decisions"))
        ui.tap("保存事项")
        assert "事项名称" in matters.ids.error.text
        fill_form(ui, matters._form, title="修建三组村组道路", motion_source="党员群众建议",
                  reason="群众反映雨天出行难", kind="公益事业", money="380000",
                  options="水泥路面\n沥青路面", needs_assessment="不需要")
        ui.shot("new-matter", title("decisions"))
        ui.tap("保存事项")
        assert current(ui) == "decision", matters.ids.error.text
        matter = screen(ui.app, "decision")
        assert "还没有向镇党委报备" in matter.ids.blocked.text
        assert "第二十四条" in matter.ids.status.text
        ui.shot("matter", title("decision"))
        ui.tap("报镇党委备案", within=matter.ids.form_buttons)
        assert "合法性论证" in matter.ids.form_error.text
        fill_form(ui, matter._form, legality="符合村民委员会组织法和一事一议筹资规定",
                  feasibility="资金已落实，施工队已询价", consultation="三组村民会议同意，占地户签字同意",
                  options="水泥路面\n沥青路面")
        ui.tap("报镇党委备案", within=matter.ids.form_buttons)
        assert not matter.ids.form_error.text, matter.ids.form_error.text
        assert "已报镇审核" in matter.ids.status.text
        assert "镇里还没有审核" in matter.ids.blocked.text
        ui.shot("filed", title("decision"))
