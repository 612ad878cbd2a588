"""The public receipt-status page of a hub (issue #3 §3): a citizen types the receipt
number and the last four digits of the phone given at intake, and sees the status, the
promised date, whether it is overdue (已超期), the date closed, and whom to call (the town
center's and the town 纪委's phones as the town set them). Nothing else, whoever asks.

    GET  /status[?receipt=]        the form (Chinese, small, works without JavaScript); the
                                   receipt's QR code opens it with the number filled in
    GET  /status/query?receipt=&phone4=
    POST /status/query             form-encoded; HTML, or JSON with Accept: application/json

No oracle: an unknown receipt and a wrong phone suffix give the same answer, status code
and body. Rate limits (in memory, per hub process): each client address gets
`per_ip` queries a minute; each receipt number `per_receipt` failed queries an hour
(unknown numbers count too, so the limit says nothing about whether a number exists).
Client addresses are taken from the socket; behind a reverse proxy every query would
share the proxy's address, so put the limit at the proxy there.
"""
from __future__ import annotations

import html
import json
import logging
from collections.abc import Sequence
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.domain import parse_receipt
from app.domain.errors import ReceiptError
from app.hubext.ratelimit import TokenBuckets, seconds_text
from app.hubext.status import PROVISIONAL_NOTE, PublicStatus
from app.hubext.table import lookup
from app.services.rules import RulesCache
from sync.hub.store import HubStore

log = logging.getLogger("sanji.hub")
NOT_FOUND = "没有查到，请核对回执编号和手机号后四位"
BAD_DIGITS = "请输入手机号的后四位（4位数字），就是受理时登记的那个手机号"
MAX_BODY = 4096
HEADERS = {"cache-control": "no-store", "x-content-type-options": "nosniff",
           "referrer-policy": "no-referrer", "x-frame-options": "DENY",
           "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                      "form-action 'self'; base-uri 'none'"}


@dataclass
class Limits:
    per_ip: TokenBuckets
    per_receipt: TokenBuckets


def default_limits() -> Limits:
    return Limits(TokenBuckets(10, 60.0), TokenBuckets(20, 3600.0))


# HTML ------------------------------------------------------------------------------------
_STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;
background:#f4f6f8;color:#1d2733;font-size:18px;line-height:1.6}
main{max-width:32rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.5rem 0 1rem}
form,.card{background:#fff;border-radius:.6rem;padding:1rem;margin-bottom:1rem;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
label{display:block;font-weight:bold;margin:.6rem 0 .2rem}
input{box-sizing:border-box;width:100%;min-height:3rem;font-size:1.2rem;padding:.4rem .6rem;
border:1px solid #8a97a6;border-radius:.4rem}
button{width:100%;min-height:3.2rem;margin-top:1rem;font-size:1.2rem;color:#fff;
background:#c0392b;border:0;border-radius:.4rem}
.hint{color:#55606c;font-size:.95rem}
.msg{background:#fff4e5;border-left:.3rem solid #e67e22;padding:.6rem .8rem;margin-bottom:1rem}
dl{margin:0}dt{color:#55606c;font-size:.95rem;margin-top:.5rem}dd{margin:0;font-size:1.25rem;
font-weight:bold}.note{color:#a04000;font-size:.95rem;font-weight:normal}
.late{color:#fff;background:#c0392b;border-radius:.3rem;padding:0 .4rem;margin-left:.4rem}
.call{background:#fdecea;border-left:.3rem solid #c0392b;padding:.6rem .8rem}
"""


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>")


def _form(receipt: str = "", contact: str = "") -> str:
    # Opened from the receipt's QR code, the number is already there: the cursor goes to
    # the four digits, the one thing left to type.
    focus = (" autofocus", "") if receipt else ("", " autofocus")
    return (
        "<form method=\"post\" action=\"/status/query\">"
        "<label for=\"receipt\">回执编号</label>"
        f"<input id=\"receipt\" name=\"receipt\" value=\"{html.escape(receipt)}\" required"
        f"{focus[1]} autocomplete=\"off\" autocapitalize=\"characters\""
        " placeholder=\"如 XJ003-250926-0007-12\">"
        "<label for=\"phone4\">手机号后四位</label>"
        "<input id=\"phone4\" name=\"phone4\" required inputmode=\"numeric\" pattern=\"[0-9]{4}\""
        f" maxlength=\"4\"{focus[0]} autocomplete=\"off\" placeholder=\"受理时登记的手机号的最后4位\">"
        "<button type=\"submit\">查询办理进度</button>"
        "<p class=\"hint\">回执编号印在受理回执上（信访事项的回执编号在登记时告知）。只显示办理状态"
        "和日期，不显示个人信息。"
        f"{html.escape(contact or NO_PHONE)}</p></form>")


NO_PHONE = "有疑问请联系受理的便民服务站。"


@dataclass(frozen=True)
class Contact:
    """Whom the page tells the citizen to call, from the town's phones (catalog config
    events on the hub): the center for questions, the 纪委 for complaints."""

    enquiry: str = ""
    complaint: str = ""

    def text(self) -> str:
        return f"有疑问请拨打{self.enquiry}。" if self.enquiry else NO_PHONE

    def overdue_text(self, what: str = "承诺的办结日期") -> str:
        call = f"请拨打{self.enquiry}询问或催办" if self.enquiry else "请联系受理的便民服务站询问或催办"
        blame = f"；对办理有意见的，可以投诉：{self.complaint}" if self.complaint else ""
        return f"已超过{what}，{call}{blame}。"


def contact_of(rules: RulesCache) -> Contact:
    catalog = rules.get().catalog
    return Contact(*(catalog.phone_text(key) if catalog.phone_configured(key) else ""
                     for key in ("town_service_center", "town_discipline")))


def _title(hub: HubStore) -> str:
    return f"{hub.meta.get('name') or ''}便民服务和信访事项办理进度查询"


def form_html(hub: HubStore, receipt: str = "", contact: Contact = Contact()) -> str:
    return _page(_title(hub), _form(receipt, contact.text()))


def result_html(hub: HubStore, found: PublicStatus, today: date,
                contact: Contact = Contact()) -> str:
    due = html.escape(found.due.isoformat()) if found.due else "—"
    if found.due and found.due_provisional:
        due += f" <span class=\"note\">（{html.escape(PROVISIONAL_NOTE)}）</span>"
    status = html.escape(found.status_name)
    late = found.overdue(today)
    if late:
        status += " <span class=\"late\">已超期</span>"
    petition = found.kind != "便民服务事项"
    rows = [("回执编号", html.escape(found.receipt_no)), ("事项类别", html.escape(found.kind)),
            ("办理状态", status)]
    if not petition:
        rows.append(("承诺办结日期", due))
    elif found.due and found.due_provisional:   # the extra lines give the date itself
        rows.append(("日期说明", f"<span class=\"note\">{html.escape(PROVISIONAL_NOTE)}</span>"))
    rows += [(html.escape(label), html.escape(text)) for label, text in found.extra]
    if found.closed_on:
        rows.append(("答复日期" if petition else "办结日期",
                     html.escape(found.closed_on.isoformat())))
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    what = "信访事项的法定期限" if petition else "承诺的办结日期"
    call = (f"<p class=\"call\" role=\"alert\">{html.escape(contact.overdue_text(what))}</p>"
            if late else "")
    return _page(_title(hub), f"<div class=\"card\"><dl>{items}</dl>{call}</div>"
                              f"{_form(contact=contact.text())}")


def message_html(hub: HubStore, message: str, receipt: str = "",
                 contact: Contact = Contact()) -> str:
    return _page(_title(hub), f"<p class=\"msg\" role=\"alert\">{html.escape(message)}</p>"
                              f"{_form(receipt, contact.text())}")


# routes ------------------------------------------------------------------------------------
def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _fields(request: Request, limit: int = MAX_BODY) -> dict[str, str]:
    if request.method == "GET":
        return {k: v for k, v in request.query_params.items()}
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            break
        chunks.append(chunk)
    raw = b"".join(chunks)[:limit].decode("utf-8", errors="replace")
    if "application/json" in request.headers.get("content-type", ""):
        try:
            body = json.loads(raw)
        except ValueError:
            return {}
        return {k: str(v) for k, v in body.items()} if isinstance(body, dict) else {}
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def _prefilled(request: Request) -> str:
    """The receipt number a QR code put in the address, if it is one (else nothing)."""
    typed = request.query_params.get("receipt", "").strip()[:64]
    try:
        return parse_receipt(typed).number if typed else ""
    except ReceiptError:
        return ""


def routes(hub: HubStore, limits: Limits | None = None,
           today: Callable[[], date] = date.today) -> Sequence[BaseRoute]:
    """``today``: the hub's clock for 已超期 (passed in, so tests can fix it)."""
    limits = limits or default_limits()
    rules = RulesCache(hub.conn)

    def reply(request: Request, status: int, message: str | None = None,
              found: PublicStatus | None = None, receipt: str = "",
              code: str = "", extra: dict[str, str] | None = None) -> Response:
        headers = {**HEADERS, **(extra or {})}
        contact = contact_of(rules)
        if _wants_json(request):
            body: dict[str, Any] = found.to_json(today(), contact.text()) if found else {
                "found": False, "message": message, **({"code": code} if code else {})}
            return JSONResponse(body, status_code=status, headers=headers)
        text = (result_html(hub, found, today(), contact) if found
                else message_html(hub, message or "", receipt, contact))
        return HTMLResponse(text, status_code=status, headers=headers)

    async def form(request: Request) -> Response:
        return HTMLResponse(form_html(hub, _prefilled(request), contact_of(rules)),
                            headers=HEADERS)

    async def query(request: Request) -> Response:
        try:
            return await answer(request)
        except Exception:  # the hub keeps serving whatever one query did
            log.exception("public status query failed")
            return reply(request, 500, "查询暂时出错，请稍后再试。", code="internal")

    async def answer(request: Request) -> Response:
        wait = limits.per_ip.take(_client(request))
        if wait:
            seconds = seconds_text(wait)
            return reply(request, 429, f"查询太频繁，请 {seconds} 秒后再试。",
                         code="rate_limited", extra={"retry-after": str(seconds)})
        fields = await _fields(request)
        typed = fields.get("receipt", "").strip()[:64]
        try:
            receipt = parse_receipt(typed).number
        except ReceiptError as exc:
            return reply(request, 400, exc.message, receipt=typed, code="bad_receipt")
        digits = "".join(fields.get("phone4", "").split())
        if len(digits) != 4 or not digits.isascii() or not digits.isdigit():
            return reply(request, 400, BAD_DIGITS, receipt=receipt, code="bad_phone4")
        wait = limits.per_receipt.would_wait(receipt)
        if wait:
            minutes = max(1, round(wait / 60))
            return reply(request, 429, f"这个回执编号查询失败次数太多，请 {minutes} 分钟后再试，"
                                       "或到受理的便民服务站查询。", receipt=receipt,
                         code="rate_limited", extra={"retry-after": str(seconds_text(wait))})
        found = lookup(hub.conn, receipt, digits)
        if found is None:
            limits.per_receipt.take(receipt)
            return reply(request, 200, NOT_FOUND, receipt=receipt, code="not_found")
        return reply(request, 200, found=found)

    return [Route("/status", form, methods=["GET"]),
            Route("/status/query", query, methods=["GET", "POST"])]
