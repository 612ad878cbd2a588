"""The app's policy for sync (issue #7): who may write what, from the one declaration
in app.domain.authority, and who receives what (sync's default scope, with the app's
kinds). Plugged into every hub (app.hubext) and every station (app.station).

`AppPolicy.may_write` answers sync's question for one event and its certified author:
first the declaration (levels, roles, the author's own node, owner changes, payload
against the certificate); then the record, as far as the place can tell:

- a creating event may not create a record another origin has created (so nobody can
  become a record's creator, whatever clock it stamps: issue #7 item 8);
- at the author's own hub, which holds everything the author has seen, a step must
  be on a record that hub holds and that the author can see (its creator, or a node it
  was ever handed to, is in the author's scope): an event on another village's record
  is refused there, with its owner change (item 8);
- a step on the author's own records (OWN: 忘记密码) is refused wherever the record, or
  the cadre named as its author, is known to have been created by another station; in
  the author's own file and at its own hub, which hold all it made, both must be known.

Folds read only what the declaration allows (`admissible`), with levels from the
certificates, so an event that got past no check still changes no state.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.accounts import SUPERVISOR_ROLE
from app.domain.authority import (CREATE, OWN, STEP, WRITERS, Author, Writers,
                                  check_write, in_force)
from app.domain.supervision.member_keys import (KEY_CERTIFIED, MESSAGES, SIGNED_TYPES,
                                                certified_keys, signature_problem)
from app.domain.supervision.oversight import MEMBER_WRITES
from app.services.member_keys import verify
from schemas import Registry, load_registry
from sync import log
from sync.certs import HUB_ROLE, Cert, Directory, Root
from sync.errors import Problem
from sync.nodes import Node
from sync.policy import DISCIPLINE_ROLE, Audience, DefaultPolicy, Where, default_policy
from sync.problems import Entry, register

# Kinds whose every payload is sealed for the discipline devices (app.sealing)
SEALED_FOR_DISCIPLINE = frozenset({"discipline_case"})
# Steps only the town of the record's village writes (a village's 监委会 opinion is
# answered by its own town: app.domain.supervision.oversight), checked wherever the
# record's creator is known
OWN_TOWN_STEPS = frozenset({"supervisor.opinion_answered"})


def author_of(cert: Cert) -> Author:
    return Author(cert.id, cert.kind, cert.parent, frozenset(cert.roles), cert.short_code,
                  cert.name)


# The write policy's refusals, in sync's problem catalogue (one status, one message each):
# app.domain.authority.check_write's codes and the record checks below.
_ASK = "如果确实需要办理，请联系镇里管理员。"
POLICY_PROBLEMS = {
    "no_writer": Entry(403, "本程序没有规定谁可以写这类数据，没有接收：请把程序升级到最新版本。"),
    "wrong_level": Entry(403, "本站的级别不能办理这一步，没有保存：请交给有权办理的镇或县里。"),
    "role_required": Entry(403, "这一步只有指定岗位（如纪委、村务监督委员会）的登记设备可以办理，"
                                "没有保存：" + _ASK),
    "member_supervises_only": Entry(403, "村务监督委员会成员的账号只能查看村务、记录监督巡查和意见，没有保存："
                                         "请由村干部用自己的账号登录办理。"),
    "not_our_town": Entry(403, "这条记录属于别的镇的村，本镇不能答复，没有保存：请由该村所在的镇答复。"),
    # a 监委会 member's own signature (app.domain.supervision.member_keys)
    **{code: Entry(403, message) for code, message in MESSAGES.items()},
    "not_our_village": Entry(403, "只能认证本镇各村监委会成员的签名钥匙，没有保存：请由该村所在的镇核对认证。"),
    "not_self": Entry(403, "站点只能公布自己的信息，没有保存：请只公布本站的信息。"),
    "owner_not_movable": Entry(403, "这一步不能把记录转给别的站点，没有保存：请用“转交”办理。"),
    "receipt_not_yours": Entry(403, "回执编号不是本站的编号，没有保存：请用本站的回执编号。"),
    "not_certified": Entry(403, "记录里写的级别或站点与上级颁发的证书不符，没有保存：" + _ASK),
    "name_not_certified": Entry(403, "公布的站点名称与镇里登记的名称不符，没有保存：站点名称以镇里登记的为准，"
                                     "如需改名请联系镇里管理员。"),
    "record_taken": Entry(403, "这条记录已由别的站点建立，不能重新建立，没有保存：请先同步再办理。"),
    "unknown_record": Entry(403, "服务器上没有这条记录，没有保存：请先同步，再在本机看得到的记录上办理。"),
    "not_holder": Entry(403, "这条记录不是本站建立的，也没有转给本站，没有保存：" + _ASK),
    "no_author": Entry(403, "这一步要写明是本站哪位干部办的，没有保存：请登录后再办。"),
    "not_own_record": Entry(403, "只能给本站登记的干部重设密码：请在该干部所在的服务站办理。"),
    "bad_scheme": Entry(403, "考评方案不符合要求（分值合计须为100分等），没有保存：请在考评方案页面改正后再保存。"),
    "bad_committee": Entry(403, "村务监督委员会名单不符合规定（组织法第三十二条）或没有选定村，没有保存："
                                "请在监委会名单页面改正后再登记。"),
    "bad_group": Entry(403, "党风政风监督组名单不符合要求（要有一位组长、不超过15人），没有保存："
                            "请在监督组页面改正后再登记。"),
    "bad_date": Entry(403, "日期不是有效日期或还没有到，没有保存：请按 2026-03-10 的格式填写当天或以前的日期，"
                           "并检查平板的日期。"),
    "not_own_cadre": Entry(403, "证明人必须是本站登记的干部：请由本站另一位干部用自己的密码证明。"),
}
register(POLICY_PROBLEMS)


@dataclass(frozen=True)
class AppPolicy(DefaultPolicy):
    """sync.policy.Policy with the app's declaration of who may write what
    (`declared`: app.domain.authority.WRITERS; a test may vary one entry)."""

    declared: Mapping[str, Writers] = field(default_factory=lambda: WRITERS)
    # what each certificate says, kept: a hub checks the same few hundred authors all day
    _authors: dict[str, tuple[Cert, Author]] = field(default_factory=dict, compare=False)
    _creating: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_creating", frozenset(
            kind for kind, writers in self.declared.items() if writers.record == CREATE))

    def creates(self, event_type: str) -> bool:
        return event_type in self._creating

    def may_pull(self, child: Node, subtree: frozenset[str], origin: str, kind: str,
                 audience: Audience, scope: frozenset[str] | None = None,
                 lineage: frozenset[str] = frozenset()) -> bool:
        """sync's default scope, except for the 纪委's cases (issue #13 §2): sealed to
        the devices that may read them (the case's town, the county, the towns of its
        办案协作区: app.sealing), they reach every discipline device through the hubs —
        town hubs included, which hand them on to their discipline devices only — so a
        neighbouring town's 纪委 in the zone receives them; outside it, it holds
        ciphertext it cannot open. No other station receives them."""
        if kind in SEALED_FOR_DISCIPLINE and origin not in subtree:
            return DISCIPLINE_ROLE in child.roles or HUB_ROLE in child.roles
        return super().may_pull(child, subtree, origin, kind, audience, scope, lineage)

    def _author(self, cert: Cert) -> Author:
        held = self._authors.get(cert.id)
        if held is None or held[0] is not cert:
            held = self._authors[cert.id] = (cert, author_of(cert))
        return held[1]

    def may_write(self, event: dict[str, Any], author: Cert, where: Where) -> Problem | None:
        verdict = check_write(event, self._author(author), self.declared)
        if not verdict.ok:
            return Problem(403, verdict.code, verdict.message)
        writers = self.declared[event["type"]]
        if writers.record == CREATE:
            facts = where.record(event["record"])
            if facts.created and facts.creator != author.id or \
                    where.first_hop and facts.known and facts.creator != author.id:
                return Problem(403, "record_taken", "这条记录已由别的站点建立，不能重新建立，"
                                                    "也不能冒充它的建立人。")
        elif writers.record == OWN:
            return _own(event, author.id, where)
        if event["type"] == "supervisor.committee_set":
            problem = _committee_village(event, author, where)
            if problem is not None:
                return problem
        if event["type"] in OWN_TOWN_STEPS:
            problem = _own_town(event, author, where)
            if problem is not None:
                return problem
        if event["type"] == KEY_CERTIFIED:
            problem = _own_village(event, author, where)
            if problem is not None:
                return problem
        if event["type"] in SIGNED_TYPES and where.first_hop:
            code = signature_problem(event, _member_keys(where, str(event["origin"])), verify)
            if code is not None:
                return Problem(403, code, MESSAGES[code])
        if writers.record == STEP and where.first_hop:
            facts = where.record(event["record"])
            if not facts.known:
                return Problem(403, "unknown_record", "服务器上没有这条记录：只能在本机看得到的"
                                                      "记录上办理，请先同步。")
            if not facts.holders & where.scope:
                return Problem(403, "not_holder", "这条记录不是本站建立的，也没有转给本站，"
                                                  "不能在上面办理或转交。")
        return None


@dataclass(frozen=True)
class StationPolicy(AppPolicy):
    """AppPolicy on a station's own file, with what only the tablet knows: a 村务监督委员会
    member's account (the cadre role ``supervisor``, app.accounts) writes the committee's
    inspections and opinions and nothing else of the village's business (issue #13 §3).
    Checked as the station writes, whatever service writes (``local_roles``: a cadre id →
    its roles on this tablet)."""

    local_roles: Callable[[str], frozenset[str]] = field(
        default=lambda _author: frozenset(), compare=False)

    def may_write(self, event: dict[str, Any], author: Cert, where: Where) -> Problem | None:
        if where.writing and event["type"] not in MEMBER_WRITES and \
                SUPERVISOR_ROLE in self.local_roles(str(event.get("author") or "")):
            return Problem(403, "member_supervises_only", "村务监督委员会成员的账号只能查看村务、"
                           "记录监督巡查和意见，不能办理村里的事项：请由村干部用自己的账号登录办理。")
        return super().may_write(event, author, where)


def station_policy(local_roles: Callable[[str], frozenset[str]]) -> StationPolicy:
    base = app_policy()
    return StationPolicy(base.confidential, base.broadcast, base.local, base.declared,
                         local_roles=local_roles)


def _own_town(event: dict[str, Any], author: Cert, where: Where) -> Problem | None:
    facts = where.record(str(event["record"]))
    creator = where.directory.verified(facts.creator) if facts.known and facts.creator else None
    if creator is not None and creator.parent != author.parent:
        return Problem(403, "not_our_town", "这条记录属于别的镇的村：只有该村所在的镇可以答复。")
    return None


def _own_village(event: dict[str, Any], author: Cert, where: Where) -> Problem | None:
    """A member's key is certified only by a town station of the village's own town:
    refused wherever the village's certificate says otherwise, and at the first hub
    (which certified the town's villages) if the village is not known there."""
    named = str(event["payload"].get("village") or "")
    if event.get("owner") != named:
        return Problem(403, "not_our_village", "认证的钥匙要交给它所属的村（记录的去向须是该村）。")
    village = where.directory.verified(named)
    if village is None and not where.first_hop:
        return None
    if village is None or village.kind != "village" or village.parent != author.parent:
        return Problem(403, "not_our_village", "这个村不属于本镇：只能认证本镇各村监委会成员的签名钥匙。")
    return None


def _member_keys(where: Where, village: str) -> dict[tuple[str, str], str]:
    """The members' keys certified in this file (at the first hub: everything the
    village's own town stations wrote), each read against the certificates."""
    rows = where.directory.conn.execute(log.SELECT + " WHERE type=?", (KEY_CERTIFIED,))
    events = [log.row_to_event(r) for r in rows]
    nodes = {village} | {str(e["origin"]) for e in events} | {
        str(e["payload"].get("village")) for e in events}
    levels, parents = {}, {}
    for node in nodes:
        cert = where.directory.verified(node)
        if cert is not None and cert.parent:
            levels[node], parents[node] = cert.kind, cert.parent
    return certified_keys(events, levels, parents)


def _committee_village(event: dict[str, Any], author: Cert, where: Where) -> Problem | None:
    """A committee may be addressed (``owner``) only to its own village: the village's
    own record stays with it, one the town records goes to that village's tablet and
    nowhere else. A town records it only for a village of its own town (review H2/M3),
    checked wherever the village's certificate is known, and always at the first hub,
    which certified the town's villages (the fold checks it again)."""
    village_id = str(event["payload"].get("village_id") or author.id)
    if event.get("owner") not in (None, village_id):
        return Problem(403, "not_our_village", "村务监督委员会名单只能交给它所属的村（记录的去向须是该村）。")
    if author.kind != "town":
        return None
    village = where.directory.verified(village_id)
    if village is None and not where.first_hop:
        return None
    if village is None or village.kind != "village" or village.parent != author.parent:
        return Problem(403, "not_our_town", "这个村不属于本镇：只能为本镇的村登记村务监督委员会。")
    return None


def _own(event: dict[str, Any], author: str, where: Where) -> Problem | None:
    for field_name, code, message in (
            ("record", "not_own_record", "这条记录不是本站建立的：只能给本站登记的干部重设密码。"),
            ("author", "not_own_cadre", "证明人不是本站登记的干部：要由本站另一位干部用自己的"
                                        "密码证明。")):
        facts = where.record(str(event[field_name]))
        made_elsewhere = facts.known and facts.creator != author
        unknown_where_all_is = not facts.known and (where.first_hop or where.writing)
        if made_elsewhere or unknown_where_all_is:
            return Problem(403, code, message)
    return None


def app_policy(registry: Registry | None = None,
               declared: Mapping[str, Writers] = WRITERS) -> AppPolicy:
    base = default_policy(registry or load_registry())
    return AppPolicy(base.confidential, base.broadcast, base.local, declared)


# the folds' side --------------------------------------------------------------------------
def admissible(events: Iterable[dict[str, Any]], directory: Directory
               ) -> list[dict[str, Any]]:
    """The events a fold may read: written by a certified origin as the declaration
    allows. (A store applies nothing else; this also keeps out what an older version
    stored before certificates.) Without a pinned root yet — a station enrolled before
    certificates, until its first sync — nothing can be checked, and all are read."""
    events = list(events)
    if directory.root is None:
        return events
    out = []
    for event in events:
        cert = directory.verified(event["origin"])
        if cert is not None and check_write(event, author_of(cert)).ok:
            out.append(event)
    return out


def config_in_force(events: Sequence[dict[str, Any]], directory: Directory,
                    me: str | None) -> list[dict[str, Any]]:
    """The config and catalog events in force at node `me`: the county's, and its own
    town's (issue #7 item 4)."""
    if directory.root is None or me is None:
        return list(events)
    lineage = frozenset(directory.lineage(me))
    out = []
    for event in events:
        cert = directory.verified(event["origin"])
        if cert is not None and in_force(author_of(cert), lineage) \
                and check_write(event, author_of(cert)).ok:
            out.append(event)
    return out


def directory_for(conn: sqlite3.Connection) -> Directory:
    """A station file's directory, for code that holds only the connection (the rules
    screens). Certificates are verified on first use, so this is cheap for the few
    origins a caller asks about."""
    def root() -> Root | None:
        row = conn.execute("SELECT value FROM meta WHERE key='root'").fetchone()
        return Root.from_json(json.loads(row[0])) if row and row[0] else None
    return Directory(conn, root)


def own_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key='node_id'").fetchone()
    return row[0] if row else None


def record_events(conn: sqlite3.Connection, record: str, directory: Directory
                  ) -> list[dict[str, Any]]:
    """One record's events a fold may read, in the total order."""
    return admissible(log.of_record(conn, record), directory)
