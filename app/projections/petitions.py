"""Petitions (信访事项) and sealed accusations (检举控告), folded for the registers and
boards, with a bigram full-text index over petitioners and content (textrows).

``petitions``: one row per petition, by ``app.domain.petition.flow.fold`` with the
rules in force here (petition_rules): channel, category, stage, level and holder,
status, the dates every clock starts from (received, decided and told, accepted,
answered and delivered; extension days), the link to a contested answer, the latest
appeal against this one, the proposed 不予受理 and whether the officer overrode it, the
follow-up person after 依法终结.  Clock labels (days left, overdue) are computed by the
services with today's date from a fresh fold (petition_clocks); nothing here reads a
clock.

``sealed_accusations``: a 检举控告 is a ``petition.accusation_sealed`` event of the
confidential kind ``complaint`` (petition_sealed).  The row keeps nothing but what
``petition.sealed.visible_summary`` allows (category, date received, level) and the record
id; the ciphertext stays in the event log for the discipline role.  A payload that
fails ``check_sealed_payload`` is not shown at all.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from app.domain.dispute.links import prior_of_petition
from app.domain.petition import flow as petition_case
from app.domain.petition.rules import PetitionRules
from app.domain.petition.sealed import EVENT_TYPE as SEALED_TYPE
from app.domain.petition.sealed import check_sealed_payload, visible_summary
from app.domain.petition.state import OPEN, PetitionState
from app.projections import links, textrows
from app.projections.rules_cache import ConfigCache
from app.search_text import index_text
from sync.db import run_script

DDL = """
CREATE TABLE petitions(record TEXT PRIMARY KEY, channel TEXT, category TEXT, stage TEXT,
  status TEXT, status_name TEXT, level TEXT, owner_node TEXT, origin TEXT, village TEXT,
  petitioners TEXT, summary TEXT, request TEXT, first_officer TEXT, first_time INTEGER,
  links INTEGER, group_size INTEGER, representatives TEXT, received_at TEXT,
  received_on TEXT, decision TEXT, decided_on TEXT, notice_on TEXT, accepted_on TEXT,
  extension_days INTEGER, hearings INTEGER, answered_on TEXT, delivered_on TEXT,
  result TEXT, appeal_of TEXT, appeal_stage TEXT, appealed_by TEXT, review_result TEXT,
  proposal_ground TEXT, proposal_label TEXT, override INTEGER, terminated_on TEXT,
  follow_up_person TEXT, rejected INTEGER, hlc INTEGER, open INTEGER);
CREATE INDEX petitions_open ON petitions(open, received_on);
CREATE INDEX petitions_origin ON petitions(origin, received_on);
CREATE INDEX petitions_appeal ON petitions(appeal_of);
CREATE VIRTUAL TABLE petitions_fts USING fts5(record UNINDEXED, body);
CREATE TABLE sealed_accusations(record TEXT PRIMARY KEY, category TEXT, received_on TEXT,
  level TEXT)
"""

Levels = Callable[[sqlite3.Connection], dict[str, str]]


def create_tables(conn: sqlite3.Connection) -> None:
    run_script(conn, DDL)


def add_receipt_and_holder(conn: sqlite3.Connection) -> None:
    """Issue #10: the public receipt (可查询) and where the petition was received (a
    village station registers, the town handles), the 包案领导 and the rating; a row written
    before has them once its petition is folded again (its next step, or a rebuild)."""
    run_script(conn, "ALTER TABLE petitions ADD COLUMN receipt_no TEXT;"
                     "ALTER TABLE petitions ADD COLUMN received_level TEXT;"
                     "ALTER TABLE petitions ADD COLUMN leader TEXT;"
                     "ALTER TABLE petitions ADD COLUMN rating TEXT;"
                     "CREATE INDEX petitions_receipt ON petitions(receipt_no)")


def add_sealed_receipt(conn: sqlite3.Connection) -> None:
    """Issue #13: a sealed report's public receipt number (shown with 已密封); rows
    written before have none (those reports were taken without one)."""
    run_script(conn, "ALTER TABLE sealed_accusations ADD COLUMN receipt_no TEXT;"
                     "CREATE INDEX sealed_receipt ON sealed_accusations(receipt_no)")


class PetitionFolds:
    def __init__(self, levels: Levels, config: ConfigCache) -> None:
        self.levels = levels
        self.config = config

    def rules(self, conn: sqlite3.Connection) -> PetitionRules:
        return PetitionRules.from_config(self.config.get(conn))

    def fold_petition(self, conn: sqlite3.Connection, record: str,
                      events: list[dict[str, Any]]) -> None:
        state = petition_case.fold(events, self.levels(conn), self.rules(conn))
        if state.status == "new":
            return  # a later step arrived before the registration: wait for it
        write_petition(conn, state, str(events[0]["origin"]), events[-1]["hlc"])


def write_petition(conn: sqlite3.Connection, state: PetitionState, first_origin: str,
                   hlc: int) -> None:
    registration = next((s for s in state.steps if s.event_type == "petition.registered"), None)
    origin = registration.origin if registration else first_origin
    decision = state.decision or {}
    group = state.group or {}
    appeal_of = state.appeal_of or {}
    proposal = state.proposal or {}
    values = (
        state.record, state.channel, state.category, state.stage, state.status,
        state.status_name, state.level, state.owner_node, origin, state.village,
        "、".join(p.name for p in state.petitioners), state.summary, state.request,
        state.first_officer.get("name"), int(state.first_time), len(state.links),
        group.get("size"), "、".join(group.get("representatives") or []) or None,
        state.received_at, _iso(state.received_on), decision.get("kind"),
        _iso(state.decided_on), decision.get("notice_on"), _iso(state.accepted_on),
        state.extension_days, len(state.hearings), _iso(state.answered_on),
        _iso(state.delivered_on), (state.answer or {}).get("result"), appeal_of.get("record"),
        appeal_of.get("stage"), state.appeals[-1].get("record") if state.appeals else None,
        (state.review or {}).get("result"), proposal.get("ground"), proposal.get("label"),
        int(bool(state.override)), (state.terminated or {}).get("on"),
        (state.follow_up_person or {}).get("name"), len(state.rejected), hlc,
        int(state.status in OPEN), state.receipt_no, state.received_level,
        (state.leader or {}).get("name"), (state.rating or {}).get("level"))
    textrows.replace(conn, "petitions", values, index_text(
        " ".join(p.name for p in state.petitioners), state.summary, state.request,
        state.village, state.category, state.channel, state.first_officer.get("name"),
        " ".join(group.get("representatives") or [])))
    links.put(conn, prior_of_petition(state))


def fold_sealed(conn: sqlite3.Connection, record: str, events: list[dict[str, Any]]) -> None:
    """Kind ``complaint``: only ``petition.accusation_sealed`` is read here (the
    supervision workflow owns the kind's other events)."""
    event = next((e for e in events if e["type"] == SEALED_TYPE), None)
    if event is None or not check_sealed_payload(event["payload"]).ok:
        return
    seen = visible_summary(event["payload"])
    conn.execute("INSERT OR REPLACE INTO sealed_accusations(record, category, received_on, level,"
                 " receipt_no) VALUES(?,?,?,?,?)", (record, seen.get("category"),
                                                   seen.get("received_on"), seen.get("level"),
                                                   seen.get("receipt_no")))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
