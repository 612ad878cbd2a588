"""Earlier records shown at intake (矛盾纠纷 and 信访): one tickable row per suggested link —
ticked: kept on the new record; unticked: the officer says it is not the same person or
matter. The links themselves come from the services (links_for / preview)."""
from __future__ import annotations

from kivy.properties import StringProperty

from app.services.errors import ServiceError
from app.ui.widgets import CheckRow, esc

KIND_NAMES = {"dispute": "纠纷", "petition": "信访"}
HINT = "打勾＝是同一人同一件事，保留关联；不是的，点一下去掉勾。"


class LinkRow(CheckRow):
    """A suggested link to an earlier record: ticked = kept; untick a wrong one."""
    record = StringProperty("")


def link_text(app, link) -> str:
    """What the officer needs to judge a link: kind, number, date, status, the earlier
    summary, and why it was suggested."""
    try:
        if link.kind == "dispute":
            state = app.disputes.dispute(link.record)
            title = state.ledger_no or ""
        else:
            state = app.petitions.petition(link.record)
            title = ""
        status, summary = state.status_name, state.summary
    except ServiceError:
        title, status, summary = "", link.status, ""
    when = link.opened_on.isoformat() if link.opened_on else ""
    head = " · ".join(x for x in (KIND_NAMES.get(link.kind, link.kind), esc(title), when,
                                  esc(status)) if x)
    short = esc(summary[:36] + ("…" if len(summary) > 36 else ""))
    why = esc("；".join(link.reasons))
    return f"[b]{head}[/b]\n{short}\n[size=17sp][color=4d4f59]{why}[/color][/size]"


def show_links(box, hint_label, app, links, on_change) -> None:
    """Fill ``box`` with a LinkRow per link (keeping earlier ticks), or a line saying
    there are none; ``on_change`` is called when a tick changes."""
    from app.ui.widgets import Body
    kept_before = {row.record: row.active for row in box.children if isinstance(row, LinkRow)}
    box.clear_widgets()
    hint_label.text = HINT if links else ""
    if not links:
        box.add_widget(Body(text="没有找到同一人或同一件事的以前记录。"))
    for link in links:
        row = LinkRow(text=link_text(app, link), record=link.record,
                      active=kept_before.get(link.record, True))
        row.bind(active=lambda *_: on_change())
        box.add_widget(row)


def kept(box) -> list[str]:
    return [row.record for row in reversed(box.children)
            if isinstance(row, LinkRow) and row.active]


__all__ = ["HINT", "KIND_NAMES", "LinkRow", "kept", "link_text", "show_links"]
