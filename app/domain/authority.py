"""Who may write what: one declaration for every event type (issue #7, DESIGN.md
"Authority"). Pure: no I/O.

A village tablet can be lost, stolen or run a modified app; what it may write must not
depend on what it says about itself. So every event type declares which certified
levels (and roles) may write it and how it touches its record, and the author's level,
roles, parent and station code always come from its certificate (sync.certs), never
from a payload. The declaration is read in three places:

- by the hubs and stations (app.authority.AppPolicy, plugged into sync's policy hook):
  the author's own hub refuses the whole push (403, nothing stored), every other hub
  and every station refuses such an event again when applying it;
- by the workflow folds: the level rules of service cases, disputes, petitions and risk
  assessments (their ``*_transitions`` modules take ``action``, ``levels`` and ``who``
  from here), so a step is applied only for the level holding the record;
- by the screens' buttons (issue #9's gate: status, level, holder and this declaration).

Fields of ``Writers``:
    action  what the step does, in the words of refusals ("受理", "下发规则配置")
    levels  the certified levels that may write it at all
    record  CREATE  makes a new record; its author becomes its creator, and no one else
                    may create it again (not even with an earlier clock)
            STEP    a step on an existing record: only by a node that can see the record
                    (checked by its own hub, which holds all it has seen) and, in the
                    fold, only by the level holding it (``who``)
            SELF    about the author itself: the record is the author's own node id
            SHARED  a setting record every allowed writer adds to (a config key)
            OWN     a step on one of the author station's own records: only the station
                    that created the record may write it, and the event's ``author``
                    (the cadre who signs for it) is a cadre that station registered
                    (checked wherever the record and the cadre are held)
    who     the fold's rule for steps: holder | holder_or_above | upper | anyone
    moves   the step may hand the record to another node (the envelope's ``owner``);
            no other step may (issue #7 item 8)
    roles   the author needs one of these certified roles (empty: none needed)
    checks  payload rules against the author's certificate:
            "receipt"   a receipt number (service case, petition) under the author's own
                        station code (item 9)
            "announce"  the announced name, level, station code and hub are the certified
                        ones; a seal key only from a discipline device (items 1, 2): a
                        village cannot take another village's name, which the 百分制 and
                        every screen show its figures under
            "level"     the payload's ``level`` is the author's certified level
            "scheme"    a yearly assessment scheme: weights sum to exactly 100, both parts,
                        villages, assessors and star bands (supervision.assessment_year)
            "committee" a 村务监督委员会: Art 32 eligibility, a real election date not
                        after the event's clock stamp; a town names the village's node
            "group"     the 党风政风监督组's roster (one 组长, at most 15) and its date
            "dated"     the payload's ``on`` is a real date not after the clock stamp
                        (supervision.rosters)

``config.set`` and the catalog edits are written by towns and the county only; a
town's reach its own subtree alone (schemas/kinds.json "local", and ``in_force``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from app.domain.workflow.basics import LEVEL_SHORT, LEVELS, OK, Verdict, no

CREATE, STEP, SELF, SHARED, OWN = "create", "step", "self", "shared", "own"
PUBLIC_PAGE_STATION = "000"   # the town hub's public page numbers its receipts as station 000
DISCIPLINE = "discipline"
# a village station the town certified for its 村务监督委员会 (issue #13 §3): its members
# sign in on it; only such a station writes the committee's inspections and opinions
VILLAGE_SUPERVISION = "village_supervision"
ROLE_TITLES = {DISCIPLINE: "纪委的登记设备", VILLAGE_SUPERVISION: "经镇里认证的村务监督委员会平板"}
ALL = LEVELS
TOWN_UP = ("town", "county")


@dataclass(frozen=True)
class Writers:
    action: str
    levels: frozenset[str]
    record: str = STEP
    who: str = "holder"
    moves: bool = False
    roles: frozenset[str] = frozenset()
    checks: tuple[str, ...] = ()


def _w(action: str, levels: tuple[str, ...] = ALL, record: str = STEP, who: str = "holder",
       moves: bool = False, roles: tuple[str, ...] = (), checks: tuple[str, ...] = ()
       ) -> Writers:
    return Writers(action, frozenset(levels), record, who, moves, frozenset(roles), checks)


WRITERS: dict[str, Writers] = {
    # the node directory: each node speaks for itself only, about display fields
    "node.announced": _w("公布站点信息", record=SELF, checks=("announce",)),
    # the town's rules and matter catalog (RULES.md §1): towns and the county only
    "config.set": _w("下发规则配置", TOWN_UP, record=SHARED),
    "catalog.matter_added": _w("增加事项", TOWN_UP, record=SHARED),
    "catalog.matter_changed": _w("修改事项", TOWN_UP, record=SHARED),
    "catalog.matter_retired": _w("停办事项", TOWN_UP, record=SHARED),
    "catalog.department_set": _w("设置县直部门", TOWN_UP, record=SHARED),
    "catalog.phone_set": _w("设置咨询电话", TOWN_UP, record=SHARED),
    # a village's own matter (issue #8 §3): the village proposes, a town or the county
    # decides (the settings role of the deciding cadre is checked on its tablet: a cadre
    # role is no certified fact, app.accounts)
    # (addressed to the village's town hub: its owner, so the town receives it)
    "catalog.matter_proposed": _w("申请本村事项", ("village",), record=CREATE, moves=True),
    "catalog.proposal_decided": _w("审批本村事项", TOWN_UP, who="anyone"),
    # a station's own registers
    "visit.logged": _w("登记来访", record=CREATE),
    "visit.amended": _w("修改来访登记", who="anyone"),
    # a visit turned into a case, dispute or petition: only by the station that logged it
    "visit.converted": _w("来访转办", record=OWN),
    "cadre.registered": _w("登记干部", record=CREATE),
    # 忘记密码 (app.password_reset): on the station's own tablet, vouched for by one of its
    # own cadres; no other station, and no upper level, sets a cadre's 密码
    "cadre.password_reset": _w("重设密码", record=OWN),
    "duty.scheduled": _w("排班", record=CREATE),
    "duty.checked_in": _w("签到", who="anyone"),
    "duty.checked_out": _w("签退", who="anyone"),
    # 检举控告: filed sealed wherever it is received (RULES.md §4)
    "complaint.filed": _w("登记检举控告", record=CREATE),
    "petition.accusation_sealed": _w("登记检举控告", record=CREATE, checks=("level", "receipt")),
    # the 纪委's cases (app.domain.supervision.case_flow, issue #13 §2): certified
    # discipline devices of a town or the county only; payloads sealed (app.sealing)
    **{kind: _w(action, TOWN_UP, record=CREATE if kind.endswith("opened") else STEP,
               who="holder_or_above", roles=(DISCIPLINE,))
       for kind, action in (
           ("discipline.case_opened", "受理案件线索"), ("discipline.case_disposed", "处置线索"),
           ("discipline.case_filed", "立案"), ("discipline.case_dismissed", "了结"),
           ("discipline.case_extended", "延长审查调查"),
           ("discipline.case_investigated", "登记调查结束"), ("discipline.case_decided", "作出处理"),
           ("discipline.review_recorded", "登记一案双查"), ("discipline.case_concluded", "结案"),
           ("discipline.case_replied", "反馈举报人"), ("discipline.case_revisited", "回访"),
           ("discipline.case_shared", "设置办案协作"))},
    # 村务监督委员会 (issue #13 §3): the village records its committee and the 民主评议,
    # the town may record them for it
    # (keyed by the village's certified node, never its name: app.domain.supervision.rosters;
    # one the town records is addressed to the village, ``owner``, so it reaches its tablet)
    "supervisor.committee_set": _w("登记村务监督委员会", ("village", "town"), record=CREATE,
                                   who="anyone", moves=True, checks=("committee",)),
    "supervisor.reviewed": _w("登记民主评议", ("village", "town"), who="holder_or_above",
                              checks=("dated",)),
    # 百分制 assessment (issue #13 §4; app.domain.supervision.assessment_year): the town's
    # 纪委 device sets the year's scheme and records the named assessors' marks — "镇纪委负
    # 监督责任……科学考核推动，制定党风政风建设年度考评方案" (新集镇意见, RULES.md §4); no village
    # tablet sets or scores its own assessment, nor the county a town's
    "assessment.scheme_set": _w("制定年度考评方案", ("town",), record=SHARED, roles=(DISCIPLINE,),
                                checks=("scheme",)),
    "assessment.score_given": _w("给考评指标打分", ("town",), record=SHARED, roles=(DISCIPLINE,)),
    # the committee at work (app.domain.supervision.oversight): its inspections and
    # opinions only from a village station certified with its role (the signer on the
    # committee's roster: checked in the fold); the answer only from a town station —
    # of the village's own town (the first hub knows only its own villages' records;
    # the fold checks the parents)
    "supervisor.inspection_recorded": _w("登记村务监督巡查", ("village",), record=CREATE,
                                         roles=(VILLAGE_SUPERVISION,)),
    "supervisor.opinion_sent": _w("向镇里提出村务监督意见", ("village",), record=CREATE,
                                  roles=(VILLAGE_SUPERVISION,)),
    "supervisor.opinion_answered": _w("答复村务监督意见", ("town",), who="upper", checks=("dated",)),
    # each member's own signing key (app.domain.supervision.member_keys): offered by the
    # committee's tablet, certified by a town station after an in-person fingerprint
    # check — only of the village's own town (app.authority.AppPolicy checks the
    # village's certificate; the folds take only the own town's); handed to that village
    # (its owner) so the village receives it
    "supervisor.member_key_offered": _w("申请认证监委会成员签名钥匙", ("village",), record=CREATE,
                                        roles=(VILLAGE_SUPERVISION,)),
    "supervisor.member_key_certified": _w("认证监委会成员签名钥匙", ("town",), record=CREATE,
                                          moves=True),
    # the town's 党风政风监督组 (app.domain.supervision.town_group): led by the town 纪委
    # ("镇纪委负监督责任", 新集镇意见, RULES.md §4), so only its certified device records it
    "supervisor.group_set": _w("登记党风政风监督组", ("town",), record=CREATE, roles=(DISCIPLINE,),
                               checks=("group",)),
    # 便民服务 (app.domain.service.checks)
    "svc.accepted": _w("受理", record=CREATE, who="anyone", checks=("receipt",)),
    "svc.started": _w("开始办理"),
    "svc.done_at_once": _w("按即办办结"),
    "svc.escalated": _w("上报镇", ("village",), moves=True),
    "svc.assigned": _w("交办承办人", ("town",)),
    "svc.forwarded": _w("转办县直部门", ("town",), moves=True),
    "svc.replied": _w("回复", ("county",)),
    "svc.returned": _w("退回", TOWN_UP, moves=True),
    "svc.extended": _w("延期"),
    "svc.closed": _w("办结", moves=True),
    "svc.fed_back": _w("反馈群众"),
    "svc.rated": _w("登记评价"),
    "svc.revisited": _w("回访", who="holder_or_above"),
    "svc.reopened": _w("重新办理", who="holder_or_above"),
    "svc.updated": _w("修改", who="anyone"),
    # issue #8 §3: 撤件 and 补齐材料 by the level holding the case or the one that accepted
    # it; 催办 only by the level that sent the case up (village → town, town → county)
    "svc.withdrawn": _w("撤件", who="holder_or_accepting", moves=True),  # back to the accepting station
    "svc.materials_supplied": _w("补齐材料", who="holder_or_accepting"),
    "svc.urged": _w("催办", ("village", "town"), who="sender"),
    # 矛盾纠纷 (app.domain.dispute.checks)
    "dispute.registered": _w("登记", record=CREATE, who="anyone"),
    "dispute.taken": _w("认领", TOWN_UP, who="anyone"),
    "dispute.risk_changed": _w("调整激化风险", who="holder_or_above"),
    "dispute.session": _w("登记调解"),
    "dispute.extended": _w("延长调解期限"),
    "dispute.agreed": _w("登记调解成功"),
    "dispute.failed": _w("登记调解不成", moves=True),
    "dispute.escalated": _w("上报", ("village", "town"), moves=True),
    "dispute.assigned": _w("交办镇里", ("county",), moves=True),
    "dispute.confirmation": _w("登记司法确认", who="holder_or_above"),
    "dispute.revisited": _w("回访", who="holder_or_above"),
    "dispute.screened": _w("登记矛盾纠纷排查", record=CREATE),
    # 信访 (app.domain.petition.checks)
    "petition.registered": _w("登记", record=CREATE, who="anyone", checks=("receipt",)),
    "petition.assigned": _w("交办镇里", ("county",), moves=True),
    "petition.accepted": _w("受理"),
    "petition.refused": _w("不予受理"),
    "petition.transferred": _w("转送"),
    "petition.extended": _w("延长办理期限"),
    "petition.hearing_started": _w("开始听证"),
    "petition.hearing_held": _w("登记听证"),
    "petition.answered": _w("出具意见并答复"),
    "petition.appealed": _w("登记复查/复核请求", who="upper"),
    "petition.referred_up": _w("登记向上级请求复查/复核", ("county",)),
    "petition.reviewed": _w("登记复查/复核结论", who="upper"),
    "petition.terminated": _w("依法终结", who="holder_or_above"),
    "petition.termination_heard": _w("登记终结听证", TOWN_UP, who="anyone"),
    "petition.follow_up_assigned": _w("指定跟进责任人", who="holder_or_above"),
    "petition.followed_up": _w("登记跟进情况", who="anyone"),
    # 信访 organs are the town and the county (信访工作条例 Art 2), never a village
    "petition.leader_assigned": _w("指定包案领导", TOWN_UP, who="holder_or_above"),
    "petition.leader_received": _w("登记领导接访", TOWN_UP, who="holder_or_above"),
    "petition.rated": _w("登记评价", who="anyone"),
    # 双联三解的民意台账 (app.domain.opinion.flow): the collecting level or above
    "opinion.collected": _w("登记民意", record=CREATE, who="anyone"),
    "opinion.sorted": _w("梳理民情", who="holder_or_above"),
    "opinion.routed": _w("交办转办", who="holder_or_above"),
    "opinion.answered": _w("反馈结果", who="holder_or_above"),
    # 社会稳定风险评估 (app.domain.risk.flow)
    "risk.planned": _w("制定评估方案", record=CREATE, who="anyone"),
    "risk.opinions_gathered": _w("登记征求意见", who="holder_or_above"),
    "risk.analysed": _w("登记分析论证", who="holder_or_above"),
    "risk.graded": _w("确定风险等级", who="holder_or_above"),
    "risk.reported": _w("登记评估报告", who="holder_or_above"),
    "risk.decided": _w("登记集体决策", who="holder_or_above"),
    # 村级民主决策 (issue #12; app.domain.decisions.workflow): the village keeps the matter
    # and its rosters; only its own town reviews the filing (决策前论证备案, RULES.md §3) —
    # a village can never mark its own filing accepted
    "decision.matter_opened": _w("立项（村级重大事项）", ("village",), record=CREATE),
    "decision.filing_submitted": _w("报镇党委备案", ("village",)),
    "decision.filing_reviewed": _w("审核决策前论证备案", ("town",), who="upper"),
    "decision.step_recorded": _w("登记四议两公开的办理", ("village",)),
    "decision.stepped_back": _w("退回上一步", ("village",)),
    "decision.roster_changed": _w("维护村级花名册", ("village",), record=CREATE),
    "decision.authorised": _w("登记村民会议授权", ("village",), record=CREATE),
    "decision.published": _w("登记村务公开", ("village",), record=CREATE),
}


@dataclass(frozen=True)
class Author:
    """What a certificate says about the node that wrote an event."""

    id: str
    level: str
    parent: str
    roles: frozenset[str]
    short_code: str | None
    name: str = ""      # the certified name ("" only for the root's pseudo-certificate)


def check_write(event: Mapping[str, Any], author: Author,
                declared: Mapping[str, Writers] = WRITERS) -> Verdict:
    """May ``author`` write ``event`` at all (whatever its record's state)? Pure."""
    writers = declared.get(str(event.get("type")))
    if writers is None:
        return no("no_writer", f"没有规定谁可以写“{event.get('type')}”这类数据，不能接收；请升级程序。")
    if author.level not in writers.levels:
        allowed = "、".join(LEVEL_SHORT[level] for level in LEVELS if level in writers.levels)
        return no("wrong_level", f"{LEVEL_SHORT.get(author.level, author.level)}不能"
                                 f"{writers.action}：只有{allowed}可以。")
    if writers.roles and not writers.roles & author.roles:
        titles = "或".join(ROLE_TITLES.get(r, r) for r in sorted(writers.roles))
        return no("role_required", f"只有{titles}可以{writers.action}。")
    if writers.record == SELF and event.get("record") != author.id:
        return no("not_self", "站点只能公布自己的信息，不能替别的站点公布。")
    if writers.record == OWN and not event.get("author"):
        return no("no_author", f"“{writers.action}”要写明是本站哪位干部办的；请登录后再办。")
    if event.get("owner") and not writers.moves:
        return no("owner_not_movable", f"“{writers.action}”不能把记录转给别的站点；"
                                       "只有上报、转办、办结、退回等步骤可以转交。")
    if not writers.checks:
        return OK
    payload = event.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    for name in writers.checks:
        verdict = _CHECKS[name](payload, author) if name in _CHECKS else \
            _stamped(name, payload, author, event.get("hlc"))
        if not verdict.ok:
            return verdict
    return OK


def _receipt(payload: Mapping[str, Any], author: Author) -> Verdict:
    if "receipt_no" not in payload:
        return OK   # (a petition registered before receipts; the schemas say when required)
    station = str(payload["receipt_no"])[:5]
    if "sealed" in payload and author.short_code and DISCIPLINE in author.roles and \
            station == author.short_code[:2] + PUBLIC_PAGE_STATION:
        return OK   # a report from the town's public page, collected by its 纪委 (app.hubext.reports)
    if not author.short_code or station != author.short_code:
        return no("receipt_not_yours", f"回执编号 {payload.get('receipt_no')} 不是本站的编号："
                                       f"本站只能用自己的站点编码 {author.short_code or '（未分配）'}"
                                       " 编回执号。")
    return OK


def _announce(payload: Mapping[str, Any], author: Author) -> Verdict:
    certified = {"level": author.level, "short_code": author.short_code, "hub": author.parent}
    for key, value in certified.items():
        if key in payload and payload[key] != value:
            return no("not_certified", "公布的级别、站点编码或所属服务器与上级颁发的证书不符，"
                                       "不能公布；请重新登记本机。")
    if author.name and "name" in payload and payload["name"] != author.name:
        # the name is the one the town registered for the node (sync.hub.admin.add_node)
        return no("name_not_certified", f"公布的站点名称“{payload['name']}”与镇里登记的名称"
                                        f"“{author.name}”不符，不能公布：站点名称以镇里登记的为准，"
                                        "如需改名请联系镇里管理员。")
    if "seal_key" in payload and DISCIPLINE not in author.roles:
        return no("role_required", "只有纪委的登记设备可以公布检举控告的加密公钥。")
    return OK


def _level(payload: Mapping[str, Any], author: Author) -> Verdict:
    if payload.get("level") != author.level:
        return no("not_certified", "记录里写的级别与本机证书上的级别不符，不能保存。")
    return OK


def _scheme(payload: Mapping[str, Any], author: Author) -> Verdict:
    # imported here: app.domain.supervision's case flow reads this module through the engine
    from app.domain.supervision.assessment_year import check_year_scheme
    from app.domain.supervision.errors import SupervisionError
    try:
        check_year_scheme(payload)
    except SupervisionError as exc:
        return no("bad_scheme", f"考评方案不符合要求，没有保存：{exc.message}")
    return OK


def _stamped(name: str, payload: Mapping[str, Any], author: Author, hlc: Any) -> Verdict:
    """Checks that need the event's clock stamp: a 村务监督委员会 (Art 32 eligibility, its
    date), the 党风政风监督组, a dated step (app.domain.supervision.rosters)."""
    from app.domain.supervision.errors import SupervisionError
    from app.domain.supervision.rosters import check_committee, check_group, written_day
    stamp = int(hlc) if isinstance(hlc, int) else None
    try:
        if name == "committee":
            if author.level == "village" and payload.get("village_id", author.id) != author.id:
                return no("bad_committee", "村里只能登记本村的村务监督委员会，没有保存：别的村的名单请由"
                                           "该村自己登记。")
            if author.level != "village" and not payload.get("village_id"):
                return no("bad_committee", "镇里代村登记监委会名单，要选定是哪个村（村的站点编号），"
                                           "没有保存：请在名单页面选择村后再登记。")
            check_committee(payload, stamp)
        elif name == "group":
            check_group(payload, stamp)
        elif name == "dated":
            written_day(payload, "on", stamp, "日期")
        else:
            raise KeyError(name)
    except SupervisionError as exc:   # (each code literal: the catalogue test reads them)
        if exc.code == "bad_committee":
            return no("bad_committee", exc.message)
        if exc.code == "bad_group":
            return no("bad_group", exc.message)
        return no("bad_date", exc.message)
    return OK


_CHECKS = {"receipt": _receipt, "announce": _announce, "level": _level, "scheme": _scheme}


def in_force(writer: Author | None, lineage: frozenset[str]) -> bool:
    """Is a rule setting by ``writer`` in force at a node whose certified ancestors
    (itself included) are ``lineage``? The county's everywhere; a town's only in the
    subtree of the town hub that certified it (issue #7 item 4)."""
    if writer is None or writer.level not in WRITERS["config.set"].levels:
        return False
    return writer.level == "county" or writer.parent in lineage
