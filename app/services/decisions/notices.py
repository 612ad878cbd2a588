"""The 公开 notices of a matter for the notice board (issue #12 §3): 决议公开 and 实施结果公开
as PDFs (app.docs.decision_notices), printed from the record of the step — or, before it
is saved, from what the cadre has typed into its form (预览), so the paper can go up on
the first day of the period and the record follow with the 监督意见 received."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.docs.decision_notices import RESOLUTION, RESULT, Notice, publicity_notice
from app.domain.decisions.procedure import PASSED
from app.services.decisions.base import MatterView
from app.services.decisions.reading import ReadingService
from app.services.errors import ServiceError
from app.services.workflow import as_date

NEEDED = (("content", "议题和内容"), ("place", "公开地点或渠道"), ("period_start", "公开开始日期"),
          ("period_end", "公开结束日期"))


def committee(name: str) -> str:
    """The village's 村民委员会 as it signs a notice ("王湾村便民服务站" → "王湾村村民委员会")."""
    base = name.replace("便民服务站", "").strip() or "本村"
    return base if base.endswith("村民委员会") else base + "村民委员会"


class NoticeService(ReadingService):
    def notices(self, record: str) -> list[tuple[str, str]]:
        """The 公开 steps that have a record to print: (step code, label)."""
        view = self.view(record)
        done = {str(r.get("step")) for r in view.matter.records if not r.get("back_to")}
        return [(s.code, s.label) for s in view.matter.step_list
                if s.kind == "publicity" and s.code in done]

    def notice_pdf(self, record: str, step: str,
                   fields: Mapping[str, Any] | None = None) -> bytes:
        """The notice of the 公开 step ``step``: from ``fields`` (the form being filled, a
        预览) or else the step's last record.  Refused, saying what to fill, if the content,
        place or period is missing."""
        view = self.view(record)
        try:
            spec = view.step(step)
        except StopIteration:
            raise ServiceError(f"这件事没有“{step}”这一步") from None
        if spec.kind != "publicity":
            raise ServiceError(f"“{spec.label}”不是公开，没有公告可以打印")
        if fields is None:
            last = next((r for r in reversed(view.matter.records)
                         if r.get("step") == step and not r.get("back_to")), None)
            if last is None:
                raise ServiceError(f"“{spec.label}”还没有登记：请先填写公开地点、期限，再预览公告")
            fields = last.get("fields") or {}
        missing = [label for key, label in NEEDED if not str(fields.get(key) or "").strip()]
        if missing:
            raise ServiceError("打印公告前请先填写：" + "、".join(missing))
        start, end = as_date(str(fields["period_start"])), as_date(str(fields["period_end"]))
        if end < start:
            raise ServiceError("公开结束日期早于开始日期，请改正后再打印")
        index = [s.code for s in view.matter.step_list].index(step)
        kind = RESOLUTION if index <= self._first_implementation(view) else RESULT
        return publicity_notice(Notice(
            kind=kind, village=committee(self.village_name(view)),
            title=str(view.matter.opened.get("title") or ""),
            content=str(fields["content"]).strip(), place=str(fields["place"]).strip(),
            start=start, end=end, opinions=str(fields.get("supervision_opinions") or ""),
            issued=self.today(), facts=self._facts(view, index, kind)))

    @staticmethod
    def _first_implementation(view: MatterView) -> int:
        kinds = [s.kind for s in view.matter.step_list]
        return kinds.index("implementation") if "implementation" in kinds else len(kinds)

    def _facts(self, view: MatterView, index: int, kind: str) -> list[tuple[str, str]]:
        """The 决议 (its meeting and tally as the rules counted it) or the 实施 before the
        公开 step at ``index``: the last step of that kind before it that passed."""
        wanted = "vote" if kind == RESOLUTION else "implementation"
        before = [s for s in view.matter.step_list[:index] if s.kind == wanted]
        status = next((view.state.status(s.code) for s in reversed(before)
                       if view.state.status(s.code).status == PASSED), None)
        if status is None:
            return []
        record = next((r for r in view.matter.records if str(r.get("id")) == status.record), {})
        data = record.get("fields") or {}
        if kind == RESULT:
            out = [("完成日期", _cn(data.get("done_on"))), ("实施情况", str(data.get("notes") or ""))]
            approvals = "、".join(data.get("approvals") or ())
            return out + ([("已取得的审批", approvals)] if approvals else [])
        lines = status.explanation.splitlines()
        vote = next((line for line in lines if line.startswith("表决：")), "")
        if record.get("step") != status.code and record.get("joint"):   # 合并召开
            meeting = f"{record['joint'].get('body') or status.label}（与党员大会合并召开）"
        else:
            meeting = str(record.get("body") or view.step(status.code).body or status.label)
        return [("决议会议", f"{_cn(data.get('date'))}召开的{meeting}"),
                *([("出席情况", lines[0].split("：", 1)[-1])] if lines else []),
                *([("表决情况", vote.split("：", 1)[-1] + "，决议通过")] if vote else [])]


def _cn(value: Any) -> str:
    try:
        day = as_date(str(value))
    except ServiceError:
        return str(value or "")
    return f"{day.year}年{day.month}月{day.day}日"
