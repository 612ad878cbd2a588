"""The notice-board papers of a village matter (issue #12 §3, RULES.md §3 "each 公开:
what, where, period, 监督意见"): 决议公开 and 实施结果公开, one A4 sheet each for the 村务公开栏.

    publicity_notice(notice) -> bytes

``Notice`` is plain data the service fills from the matter (app.services.decisions.notices):
the matter, what is made public (the 决议 with its meeting and tally, or what was done),
the place or channel, the period, and the 监督意见 received so far.  Everything printed
comes from the records; ``render`` refuses a paper with an empty value or a placeholder
(app.docs.checks), so a notice never goes up with a gap.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.docs.base import render
from app.docs.blocks import Block, Document, Field, Fields, Seal, Text
from app.docs.service import cn_date

RESOLUTION, RESULT = "决议公开", "实施结果公开"


@dataclass(frozen=True)
class Notice:
    kind: str                      # RESOLUTION or RESULT
    village: str                   # the issuing 村民委员会, e.g. "王湾村村民委员会"
    title: str                     # the matter
    content: str                   # what is made public (the record's 议题和内容)
    place: str                     # 公开地点或渠道
    start: date
    end: date
    opinions: str                  # 监督意见 received ("" → none received by ``issued``)
    issued: date
    facts: Sequence[tuple[str, str]] = ()   # the 决议's meeting and tally / the 实施 done


def _intro(notice: Notice) -> str:
    what = "决议" if notice.kind == RESOLUTION else "实施结果"
    return (f"按照“四议两公开”的规定，现将“{notice.title}”的{what}公开如下，"
            f"公开期自{cn_date(notice.start)}至{cn_date(notice.end)}。")


def publicity_notice(notice: Notice) -> bytes:
    opinions = notice.opinions.strip() or f"截至{cn_date(notice.issued)}，未收到监督意见"
    if notice.opinions.strip() and notice.issued < notice.end:   # the period is still running
        opinions += f"（截至{cn_date(notice.issued)}）"
    blocks: list[Block] = [
        Text(_intro(notice), indent=True),
        Fields([Field("事项名称", notice.title),
                Field("公开内容", notice.content),
                *[Field(label, value) for label, value in notice.facts],
                Field("公开地点或渠道", notice.place),
                Field("公开期限", f"{cn_date(notice.start)}至{cn_date(notice.end)}"),
                Field("收到的监督意见", opinions)]),
        Text("公开期内，村民对以上内容有意见或建议的，可以向村务监督委员会或者村党组织反映，"
             "也可以向镇党委反映；反映的意见将登记在本事项的档案（一事一档）中。", indent=True),
        Seal(notice.village, cn_date(notice.issued)),
    ]
    doc = Document(issuer=notice.village, title=notice.kind, blocks=blocks,
                   subject=f"村务公开：{notice.kind}")
    return render(doc)


__all__ = ["RESOLUTION", "RESULT", "Notice", "publicity_notice"]
