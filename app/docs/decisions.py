"""The 一事一档 of a village matter as one PDF for the archive (issue #12 §1): cover, index,
the filing with the town's answers, the risk assessment, every step record (its fields,
the attendance sheet with each vote, the tally as the rules judged it, proxies, photos of
signed sheets and notices), what went back a step, and what was refused.

    matter_file(view, village, photos) -> bytes

``view`` is ``app.services.decisions.MatterView`` (the fold and the procedure state);
``photos`` maps an attachment's sha256 to its bytes (the service reads them from the
station's sealed blobs).  Everything printed comes from the records; a missing value
prints as "未填写" so the file shows the gap instead of hiding it.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.docs.base import render
from app.docs.blocks import (
    Block,
    Document,
    Field,
    Fields,
    Grid,
    Heading,
    NumberedList,
    Photo,
    Signatures,
    Text,
)
from app.domain.decisions.matters import ART24_ITEMS

ATTENDANCE_HEADER = ("序号", "姓名", "参加方式", "表决意见")
ATTENDANCE_WIDTHS = (12, 60, 40, 58)
TRAIL_HEADER = ("日期", "环节", "内容")
TRAIL_WIDTHS = (26, 34, 110)
SECTIONS = ("一、事项基本情况", "二、决策前论证备案", "三、社会稳定风险评估", "四、四议两公开办理记录",
            "五、退回和不予登记的记录")
FIELD_LABELS = {
    "date": "日期", "content": "议题和内容", "motion_source": "动议事由", "method": "征求意见方式",
    "participants": "参加人员", "opinions": "意见汇总", "place": "地点", "form": "会议形式",
    "signatures": "签名", "outcome": "会议结果", "minutes": "会议记录", "motion": "表决事项",
    "period_start": "公开开始", "period_end": "公开结束", "supervision_opinions": "监督意见",
    "township_attendees": "镇里参会人员", "done_on": "完成日期", "notes": "实施情况", "approvals": "审批", "announced_on": "通知日期",
}


def _v(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = "、".join(_v(v) for v in value)
    if isinstance(value, Mapping):
        value = str(value.get("name") or "") + (f"（{value['post']}）" if value.get("post") else "")
    text = str(value).strip() if value not in (None, "") else ""
    return text or "未填写"


def _cover(view: Any, village: str) -> list[Block]:
    m = view.matter
    o = m.opened
    kinds = [f"{k}（组织法第二十四条第一款{ART24_ITEMS[k][1]}项）" if k in ART24_ITEMS else k
             for k in m.kinds]
    current = view.state.status(view.state.current).label if view.state.current else "已办结"
    return [Fields([
        Field("村", village or "未填写"), Field("事项名称", _v(o.get("title")), wide=True),
        Field("动议事由", _v(o.get("motion_source"))), Field("立项日期", _v(o.get("on"))),
        Field("事由", _v(o.get("reason")), wide=True),
        Field("事项类别", "、".join(kinds) or "未填写", wide=True),
        Field("村民会议决定事项", "是（第二十四条）" if m.art24 else "否"),
        Field("涉及金额", f"{o['money_yuan']}元" if o.get("money_yuan") else "不涉及"),
        Field("备选方案", [str(x) for x in o.get("options") or ()] or "未填写", wide=True),
        Field("征求意见的利益关联方", "、".join(o.get("parties_consulted") or ()) or "未填写",
              wide=True),
        Field("执行程序", _v(o.get("procedure"))), Field("备案状态", m.status_name),
        Field("当前进度", current, wide=True),
    ], pairs_per_row=2), Heading("目录"), NumberedList(list(SECTIONS))]


def _trail(view: Any) -> list[Block]:
    rows = []
    for entry in view.matter.trail:
        if entry["type"] == "decision.filing_submitted":
            text = (f"合法性：{_v(entry.get('legality'))}；可行性：{_v(entry.get('feasibility'))}；"
                    f"协商情况：{_v(entry.get('consultation'))}；方案："
                    + "；".join(entry.get("options") or ()))
            rows.append([_v(entry.get("on")), "村里报备", text])
        else:
            said = entry.get("asked") or entry.get("reasons") or ""
            who = _v(entry.get("reviewer"))
            rows.append([_v(entry.get("on")), f"镇党委：{entry['result']}",
                         f"{said}（审核人：{who}）" if said else f"审核人：{who}"])
    if not rows:
        return [Text("还没有报镇党委备案。")]
    return [Grid(TRAIL_HEADER, rows, TRAIL_WIDTHS), Text(view.gate_message or "备案已同意，可以提交会议。",
                                                         small=True)]


def _assessment(view: Any) -> list[Block]:
    a = view.assessment
    if not a:
        needed = view.matter.opened.get("needs_assessment")
        return [Text("须做社会稳定风险评估，尚未关联评估。" if needed else "本事项经认定不需要社会稳定风险评估。")]
    return [Fields([Field("评估进度", _v(a.get("status_name"))),
                    Field("风险等级", _v(a.get("grade"))),
                    Field("防范化解措施", [str(x) for x in a.get("measures") or ()] or "无", wide=True)],
                   pairs_per_row=2)]


SHEET_ROWS = 120     # a larger meeting prints its attendance grouped, not a row a person


def _attendance(record: Mapping[str, Any], names: Mapping[str, str]) -> list[Block]:
    lines = list(record.get("attendance") or ())
    if len(lines) > SHEET_ROWS:
        return _grouped(lines, names)
    rows = []
    for i, line in enumerate(record.get("attendance") or (), 1):
        mode = line.get("mode") or "到场"
        vote = line.get("vote") or ("委托，不计入" if mode == "委托" else "未表决")
        held = f"（委托{line['holder']}）" if line.get("holder") else ""
        rows.append([str(i), names.get(line["person"], line["person"]) + held, mode, vote])
    return [Grid(ATTENDANCE_HEADER, rows, ATTENDANCE_WIDTHS)] if rows else []


def _grouped(lines: list[Mapping[str, Any]], names: Mapping[str, str]) -> list[Block]:
    """The attendance of a large meeting (a 村民会议) by how each attended and voted, every
    name listed: the same facts as the sheet, on a few pages instead of a hundred."""
    groups: dict[str, list[str]] = {}
    for line in lines:
        mode = line.get("mode") or "到场"
        vote = line.get("vote") or ("委托，不计入" if mode == "委托" else "未表决")
        held = f"（委托{line['holder']}）" if line.get("holder") else ""
        groups.setdefault(f"{mode}·{vote}", []).append(
            names.get(line["person"], line["person"]) + held)
    return [Text(f"{key}（{len(people)}人）：" + "、".join(people), small=True)
            for key, people in groups.items()]


def _records(view: Any, photos: Mapping[str, bytes]) -> list[Block]:
    statuses = {h.record: h for h in view.state.history}
    labels = {s.code: s.label for s in view.matter.step_list}
    out: list[Block] = []
    for n, record in enumerate(view.matter.records, 1):
        if record.get("back_to"):
            continue
        outcome = statuses.get(record["id"])
        out.append(Heading(f"（{n}）{labels.get(record['step'], record['step'])}"
                           f"——{outcome.status if outcome else '已登记'}"))
        fields = record.get("fields") or {}
        out.append(Fields([Field(FIELD_LABELS.get(k, k), _v(v), wide=len(_v(v)) > 20)
                           for k, v in fields.items()] +
                          ([Field("合并办理", "、".join(labels.get(c, c) for c in record["merged"]),
                                  wide=True)] if record.get("merged") else []),
                          pairs_per_row=2))
        if record.get("body"):
            out.append(Text(f"会议：{record['body']}", small=True))
        out += _attendance(record, view.names)
        if record.get("joint"):
            out.append(Text(f"合并召开：{record['joint'].get('body', '')}", small=True))
            out += _attendance(record["joint"], view.names)
        mine = [h for h in view.state.history if h.record == record["id"] and h.message]
        for h in mine:
            out.append(Text(h.message, small=True))
        for i, attachment in enumerate(record.get("attachments") or (), 1):
            data = photos.get(attachment["sha256"])
            caption = f"附件{i}：{attachment.get('name') or '照片'}"
            out.append(Photo(data, caption) if data else Text(f"{caption}（未同步到本机）", small=True))
    return out or [Text("还没有办理记录。")]


def _refused(view: Any) -> list[Block]:
    rows = [[r.event_type.split(".")[-1], r.reason] for r in view.matter.rejected]
    backs = [[r.get("on", ""), f"退回到“{r['back_to']}”：{r.get('reason', '')}"]
             for r in view.matter.records if r.get("back_to")]
    if not rows and not backs:
        return [Text("无。")]
    return [Grid(("日期或操作", "说明"), backs + rows, (40, 130))]


def matter_file(view: Any, village: str, photos: Mapping[str, bytes]) -> bytes:
    blocks: list[Block] = [*_cover(view, village)]
    for title, part in zip(SECTIONS[1:], (_trail(view), _assessment(view),
                                          _records(view, photos), _refused(view))):
        blocks += [Heading(title), *part]
    blocks.append(Signatures(["经办人", "村党组织书记"]))
    doc = Document(issuer=village or "村民委员会", title="村级重大事项决策档案（一事一档）",
                   blocks=blocks, subject="村级重大事项决策档案")
    return render(doc)
