"""检举控告 from a citizen's own phone through the town's public page (issue #13 §1),
sealed on arrival: the plaintext lives only in the memory of the request that carries it.

    GET  /report         the form (Chinese, for a phone; no JavaScript)
    POST /report         form-encoded; sealed at once (app.seal_envelope, HPKE) to every
                         discipline device of this town and of the levels above it whose
                         certified announcement the hub holds; stored sealed in
                         ``public_reports``; the answer shows the receipt number, the date
                         and 已密封 — nothing of what was typed
    POST /v1/public-reports   a certified discipline device of this town (signed request,
                         sync.hub.admin.authenticate) collects what waits. It writes each as
                         the same ``petition.accusation_sealed`` event the tablets write (one
                         code path from there on: app.services.petition_accusations); the
                         row leaves the inbox when that event reaches this hub, so nothing
                         accepted is lost if the device fails between collecting and pushing.

Follow-up like service cases: the receipt number and the phone's last four digits on
/status show 已密封送达纪检监察机关 (the hub cannot see the case: its steps are sealed).
Receipt numbers use the hub's two letters and station number 000, which no station is
given (sync.hub.admin numbers stations from 001).

Evidence: up to three photos or PDFs go with the report (app.hubext.evidence_form reads
the multipart body in memory, with its limits and Chinese refusals). Each file is sealed
to the same keys as the text, in the same request, and kept sealed in
``public_report_files``; the sealed text lists them (name, type, size, the sealed file's
SHA-256). The 纪委 device collects them with the report and keeps them as the report
event's attachments (app.sealing.collect_public_reports), as a tablet keeps the evidence
it seals: from there they sync up like any attachment, readable only where a discipline
key opens them. A refused upload stores nothing and spends no receipt number.
"""
from __future__ import annotations

import hashlib
import html
import logging
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.domain import format_receipt
from app.domain.authority import PUBLIC_PAGE_STATION
from app.domain.petition.sealed import EVENT_TYPE, SUBJECTS, sealed_plaintext
from app.domain.shared.phone import check_phone
from app.hubext.evidence_form import (
    ALLOWED_TEXT, MAX_FILE_BYTES, MAX_FILES, Evidence, FormRefused, is_multipart,
    read_report_form)
from app.hubext.page import HEADERS, _client, _fields, _page
from app.hubext.ratelimit import TokenBuckets, seconds_text
from app.seal_envelope import KEY, SealError, b64, seal_bytes, seal_text, unb64
from sync import log
from sync.db import run_script, transaction
from sync.errors import Problem
from sync.hub import admin
from sync.hub.store import HubStore
from sync.ids import uuid7
from sync.migrations import Step, migrate
from sync.policy import DISCIPLINE_ROLE

logger = logging.getLogger("sanji.hub")
STATUS_NAME = "已密封送达纪检监察机关（内容仅纪委可见）"
NO_KEY = ("本镇纪委的接收设备还没有登记，暂时不能在网上检举控告。请直接到镇纪委反映，"
          "或拨打12388，或登录中央纪委国家监委网站（www.12388.gov.cn）。")
DDL = """
CREATE TABLE public_reports(id TEXT PRIMARY KEY, receipt_no TEXT NOT NULL UNIQUE,
  received_on TEXT NOT NULL, sealed TEXT NOT NULL, claimed_by TEXT, created_ms INTEGER NOT NULL)
"""


FILES_DDL = """
CREATE TABLE public_report_files(report TEXT NOT NULL, n INTEGER NOT NULL, sha256 TEXT NOT NULL,
  sealed BLOB NOT NULL, PRIMARY KEY(report, n))
"""
# What one collect hands over at most (sealed evidence, before base64): a 纪委 device on a
# village link takes the rest in its next rounds; one report always goes, whatever its size.
COLLECT_BYTES = 8 * 1024 * 1024


def _create_inbox(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)


def _create_files(conn: sqlite3.Connection) -> None:
    run_script(conn, FILES_DDL)


# Named steps, appended never edited (sync.migrations)
MIGRATIONS = [Step("public reports inbox", _create_inbox),
              Step("public report evidence", _create_files)]


def install(hub: HubStore) -> None:
    migrate(hub.conn, MIGRATIONS, "hubext_reports")
    hub.projectors.append(_arrived)


def _arrived(conn: sqlite3.Connection, events: Sequence[dict[str, Any]]) -> None:
    """A discipline device's event for a collected report reached the hub: the inbox row
    has done its work."""
    for event in events:
        if event["type"] == EVENT_TYPE and isinstance(event.get("payload"), dict):
            receipt = event["payload"].get("receipt_no")
            conn.execute("DELETE FROM public_report_files WHERE report IN (SELECT id FROM"
                         " public_reports WHERE receipt_no=?)", (receipt,))
            conn.execute("DELETE FROM public_reports WHERE receipt_no=?", (receipt,))


def discipline_keys(hub: HubStore) -> list[bytes]:
    """The sealing keys of the discipline devices certified by this hub or a hub above
    it, each from the device's own latest announcement (as app.sealing reads them)."""
    hubs = set(hub.identity()["ancestors"])
    latest: dict[str, Any] = {}
    rows = hub.conn.execute(log.SELECT + " WHERE type='node.announced' ORDER BY hlc, origin, seq")
    for row in rows:
        event = log.row_to_event(row)
        if event["origin"] != event["record"]:
            continue
        cert = hub.directory.verified(event["origin"])
        if cert is None or cert.parent not in hubs or DISCIPLINE_ROLE not in cert.roles:
            continue
        latest[event["origin"]] = event["payload"].get("seal_key")
    keys = []
    for node in sorted(latest):
        try:
            raw = unb64(latest[node]) if isinstance(latest[node], str) else b""
        except ValueError:
            continue
        if len(raw) == KEY:
            keys.append(raw)
    return keys


def take(hub: HubStore, fields: dict[str, str], today: date, now: datetime,
         evidence: Sequence[Evidence] = ()) -> dict[str, str]:
    """Seal one report and its evidence files and keep them; returns {receipt_no,
    received_on, evidence}. ValueError (Chinese) when the form is not usable; SealError
    when no discipline key is known. Nothing is stored unless everything is."""
    subject = fields.get("subject", "")
    accused = {k: fields.get(f"accused_{k}", "").strip()[:100] for k in ("name", "unit", "post")}
    phone = fields.get("phone", "").strip()
    complainant = {k: v for k, v in (("name", fields.get("name", "").strip()[:50]),
                                     ("phone", phone)) if v}
    if phone:
        checked = check_phone(phone)
        if not checked.ok or checked.kind != "mobile":
            raise ValueError(checked.message or "请填写11位手机号（用于查询进度），或者不填")
    keys = discipline_keys(hub)
    if not keys:
        raise SealError(NO_KEY, "no_discipline_key")
    sealed_files = [seal_bytes(item.data, keys) for item in evidence]
    listed = [{"name": item.name, "mime": item.mime, "size": len(item.data),
               "sealed_sha256": hashlib.sha256(sealed_file).hexdigest()}
              for item, sealed_file in zip(evidence, sealed_files)]
    plaintext = sealed_plaintext(
        content=fields.get("content", "").strip()[:5000], channel="网上",
        accused=[{k: v for k, v in accused.items() if v}], subject=subject or None,
        received_at=now.strftime("%Y-%m-%dT%H:%M"), complainant=complainant or None,
        evidence=listed)
    sealed = seal_text(plaintext, keys)
    del plaintext
    with transaction(hub.conn):
        counter_key = f"public_receipt:{today:%Y%m%d}"
        counter = int(hub.meta.get(counter_key, "0") or 0) + 1
        hub.meta.set(counter_key, counter)
        receipt = format_receipt(hub.prefix() + PUBLIC_PAGE_STATION, today, counter)
        record = uuid7()
        hub.conn.execute("INSERT INTO public_reports VALUES(?,?,?,?,NULL,?)",
                         (record, receipt, today.isoformat(), sealed, hub.now_ms()))
        hub.conn.executemany("INSERT INTO public_report_files VALUES(?,?,?,?)",
                             [(record, n, item["sealed_sha256"], sealed_file) for n, (item, sealed_file)
                              in enumerate(zip(listed, sealed_files))])
        if phone:
            hub.conn.execute(
                "INSERT OR IGNORE INTO public_status(receipt_no, record, phone_last4, status_name,"
                " due, due_provisional, closed_on, updated_hlc, kind) VALUES(?,?,?,?,NULL,0,NULL,0,"
                "'complaint')", (receipt, record, "".join(c for c in phone if c.isdigit())[-4:],
                                 STATUS_NAME))
    return {"receipt_no": receipt, "received_on": today.isoformat(),
            "evidence": str(len(sealed_files))}


def collect(hub: HubStore, node_id: str) -> list[dict[str, Any]]:
    """What waits for a discipline device of this town: unclaimed reports and those it
    claimed before (it may have failed before pushing them); claimed by it now. Each with
    its sealed evidence files (base64); at most COLLECT_BYTES of them per answer."""
    out: list[dict[str, Any]] = []
    budget = COLLECT_BYTES
    with transaction(hub.conn):
        rows = hub.conn.execute(
            "SELECT id, receipt_no, received_on, sealed FROM public_reports"
            " WHERE claimed_by IS NULL OR claimed_by=? ORDER BY created_ms LIMIT 50",
            (node_id,)).fetchall()
        for record, receipt, received_on, sealed in rows:
            files = hub.conn.execute("SELECT sha256, sealed FROM public_report_files WHERE"
                                     " report=? ORDER BY n", (record,)).fetchall()
            size = sum(len(data) for _, data in files)
            if out and size > budget:
                break
            budget -= size
            out.append({"id": record, "receipt_no": receipt, "received_on": received_on,
                        "sealed": sealed, "evidence": [{"sha256": sha, "data": b64(bytes(data))}
                                                       for sha, data in files]})
        hub.conn.executemany("UPDATE public_reports SET claimed_by=? WHERE id=?",
                             [(node_id, item["id"]) for item in out])
    return out


# pages -------------------------------------------------------------------------------------
def _title(hub: HubStore) -> str:
    return f"向{hub.meta.get('name') or ''}纪委检举控告"


def _options(chosen: str) -> str:
    return "".join(f"<label><input type=\"radio\" name=\"subject\" value=\"{html.escape(s)}\""
                   f"{' checked' if s == chosen else ''} style=\"width:auto;min-height:auto\"> "
                   f"{html.escape(s)}</label>" for s in SUBJECTS)


def form_html(hub: HubStore, fields: dict[str, str] | None = None, message: str = "") -> str:
    f = {k: html.escape(v) for k, v in (fields or {}).items()}
    alert = f"<p class=\"msg\" role=\"alert\">{html.escape(message)}</p>" if message else ""

    def box(name: str, label: str, extra: str = "") -> str:
        return (f"<label for=\"{name}\">{label}</label><input id=\"{name}\" name=\"{name}\""
                f" value=\"{f.get(name, '')}\"{extra}>")

    body = (
        f"{alert}<form method=\"post\" action=\"/report\" enctype=\"multipart/form-data\">"
        "<p class=\"hint\">您填写的内容在服务器收到时立即加密，只有纪委能打开；不会告诉被反映的人或单位"
        "（信访工作条例第四十六条）。可以不留姓名。</p>"
        f"<label>反映的是</label>{_options(fields.get('subject', '') if fields else '')}"
        + box("accused_name", "被反映人姓名") + box("accused_unit", "单位（村、站所）")
        + box("accused_post", "职务")
        + "<label for=\"content\">反映的问题和事实</label><textarea id=\"content\" name=\"content\""
        " rows=\"7\" required style=\"width:100%;font-size:1.1rem;box-sizing:border-box\">"
        f"{f.get('content', '')}</textarea>"
        + box("name", "您的姓名（可不填）")
        + box("phone", "您的手机号（可不填；凭回执编号和手机号后四位查询）", " inputmode=\"tel\"")
        + "<label for=\"evidence\">证据照片或材料（可不附）</label>"
        "<input id=\"evidence\" name=\"evidence\" type=\"file\" multiple"
        " accept=\"image/jpeg,image/png,application/pdf\">"
        f"<p class=\"hint\">{ALLOWED_TEXT}，最多 {MAX_FILES} 个，每个不超过 "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB；和文字一起加密，只有纪委能打开。"
        "更多的材料，请提交后凭回执编号带到镇纪委。</p>"
        + "<button type=\"submit\">加密提交</button></form>")
    return _page(_title(hub), body)


def done_html(hub: HubStore, taken: dict[str, str]) -> str:
    rows = (("回执编号", taken["receipt_no"]), ("提交日期", taken["received_on"]),
            ("证据", f"{taken.get('evidence', '0')} 个文件（已密封）"), ("状态", "已密封"))
    items = "".join(f"<dt>{k}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    return _page(_title(hub), f"<div class=\"card\"><dl>{items}</dl><p class=\"hint\">请记下回执编号。"
                 "内容已加密，本页不再显示。留了手机号的，可在 /status 凭回执编号和手机号后四位查询。"
                 "</p></div>")


def routes(hub: HubStore, today: Callable[[], date] = date.today,
           now: Callable[[], datetime] = datetime.now) -> Sequence[BaseRoute]:
    per_ip = TokenBuckets(5, 3600.0)

    async def form(request: Request) -> Response:
        return HTMLResponse(form_html(hub), headers=HEADERS)

    async def submit(request: Request) -> Response:
        wait = per_ip.take(_client(request))
        if wait:
            return HTMLResponse(form_html(hub, message=f"提交太频繁，请 {seconds_text(wait)} 秒后再试。"),
                                status_code=429, headers=HEADERS)
        evidence: list[Evidence] = []
        content_type = request.headers.get("content-type", "")
        if is_multipart(content_type):
            try:
                form = await read_report_form(content_type,
                                              request.headers.get("content-length", ""),
                                              request.stream())
            except FormRefused as exc:  # nothing of it was kept; the typed text shown again
                return HTMLResponse(form_html(hub, exc.fields, exc.message),
                                    status_code=exc.status,
                                    headers={**HEADERS, "connection": "close"})
            fields, evidence = form.fields, form.files
        else:
            fields = await _fields(request, limit=16 * 1024)
        try:
            taken = take(hub, fields, today(), now(), evidence)
        except SealError as exc:       # (a ServiceError, itself a ValueError: first)
            return HTMLResponse(form_html(hub, fields, exc.message), status_code=503,
                                headers=HEADERS)
        except ValueError as exc:
            again = "（证据文件请重新选择）" if evidence else ""
            return HTMLResponse(form_html(hub, fields, str(exc) + again), status_code=400,
                                headers=HEADERS)
        except Exception:   # never echo or log what was typed
            logger.error("public report: sealing or storing failed")
            return HTMLResponse(form_html(hub, message="提交暂时出错，请稍后再试，或直接到镇纪委反映。"),
                                status_code=500, headers=HEADERS)
        return HTMLResponse(done_html(hub, taken), headers=HEADERS)

    async def inbox(request: Request) -> Response:
        raw = await request.body()
        try:
            admin.refresh_tree(hub)
            node = admin.authenticate(hub, request.headers, request.method, request.url.path, raw)
        except Problem as exc:
            return JSONResponse({"code": exc.code, "title": exc.message}, status_code=exc.status)
        cert = hub.directory.verified(node.id)
        if cert is None or DISCIPLINE_ROLE not in cert.roles or cert.parent != hub.hub_id:
            return JSONResponse({"code": "role_required",
                                 "title": "只有本镇纪委的登记设备可以接收网上检举控告。"}, status_code=403)
        return JSONResponse({"reports": collect(hub, node.id)})

    return [Route("/report", form, methods=["GET"]), Route("/report", submit, methods=["POST"]),
            Route("/v1/public-reports", inbox, methods=["POST"])]


__all__ = ["install", "routes", "take", "collect", "discipline_keys"]
