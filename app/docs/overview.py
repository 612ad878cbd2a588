"""镇里概况 printed: the period's figures by village for 便民服务, 矛盾纠纷 and 信访, with the
town's totals and how each column is counted (app.services.overview builds the figures).
Pure: a report in, a Document out; ``app.docs.base.render`` makes the PDF."""
from __future__ import annotations

from typing import TYPE_CHECKING

from app.docs.blocks import Document, Grid, Heading, Space, Text

if TYPE_CHECKING:
    from app.services.overview import PlaceFigures, TownReport


def _rate(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "—"


def _service_row(p: PlaceFigures) -> list[str]:
    oldest = p.oldest_overdue[5:].replace("-", "月", 1) + "日" if p.oldest_overdue else "—"
    return [p.name, str(p.accepted), str(p.closed), _rate(p.on_time_rate), str(p.withdrawn),
            str(p.active), str(p.overdue), oldest, _rate(p.satisfaction)]


def _dispute_row(p: PlaceFigures) -> list[str]:
    return [p.name, str(p.disputes), str(p.settled), str(p.failed), _rate(p.settle_rate),
            str(p.disputes_open), str(p.high_risk_open), str(p.disputes_overdue)]


def _petition_row(p: PlaceFigures) -> list[str]:
    return [p.name, str(p.petitions), str(p.answered), str(p.petitions_open),
            str(p.petitions_overdue)]


def _late_rows(places, total, attrs: tuple[str, ...]) -> frozenset[int]:
    """Rows to mark: a village with something overdue (black border on a grey printer)."""
    return frozenset(i for i, p in enumerate(places) if any(getattr(p, a) for a in attrs))


def town_report_document(report: TownReport) -> Document:
    places, total = list(report.places), report.total
    every = [*places, total]
    summary = (f"全镇本期受理便民服务事项 {total.accepted} 件、办结 {total.closed} 件"
               f"（按时办结率 {_rate(total.on_time_rate)}），现在在办 {total.active} 件、"
               f"超期 {total.overdue} 件；登记矛盾纠纷 {total.disputes} 起、调解成功 "
               f"{total.settled} 起；登记信访事项 {total.petitions} 件、答复 {total.answered} 件。")
    blocks = [
        Text(f"统计期间：{report.period.range_text}　　统计日期："
             f"{report.today.year}年{report.today.month}月{report.today.day}日", small=True),
        Text(summary, indent=True),
        Heading("一、便民服务"),
        Grid(["村（站点）", "受理", "办结", "按时办结率", "撤件", "在办", "超期", "最早超期",
              "满意率"], [_service_row(p) for p in every],
             widths=[2.0, 0.9, 0.9, 1.9, 0.9, 0.9, 0.9, 1.5, 1.2],
             emphasis_rows=_late_rows(places, total, ("overdue",))),
        Heading("二、矛盾纠纷"),
        Grid(["村（站点）", "登记", "调解成功", "调解不成", "成功率", "未结", "高风险未结",
              "超期"], [_dispute_row(p) for p in every],
             widths=[2.2, 1, 1.2, 1.2, 1.1, 1, 1.4, 1],
             emphasis_rows=_late_rows(places, total, ("disputes_overdue", "high_risk_open"))),
        Heading("三、信访"),
        Grid(["村（站点）", "登记", "答复", "未结", "超期"], [_petition_row(p) for p in every],
             widths=[2.2, 1, 1, 1, 1],
             emphasis_rows=_late_rows(places, total, ("petitions_overdue",))),
        Space(4),
        Text("说明：受理、办结、撤件、登记、调解成功、答复按发生日期在统计期间内计数；在办、超期、"
             "未结按统计日期当天的状态计数；按时办结率为期内办结中不晚于承诺日期的比例；满意率为"
             "期内办结并已评价事项中“满意”“基本满意”的比例；有超期或高风险未结的村加框标出。",
             small=True),
        Text(f"{report.town}便民服务中心\n"
             f"{report.today.year}年{report.today.month}月{report.today.day}日", align="right"),
    ]
    return Document(issuer=f"{report.town}人民政府", title="镇里概况", blocks=blocks,
                    number=report.period.label, number_label="统计期间",
                    subject=f"镇里概况 {report.period.label}")
