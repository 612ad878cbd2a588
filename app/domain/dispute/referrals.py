"""Where a dispute goes when mediation fails: the routes its type allows.

人民调解法 Art 26: when mediation fails, the mediator ends it and tells the parties they
may protect their rights through 仲裁, 行政 or 司法 routes.  Which of them a dispute may
take depends on its type:

* 劳资 (labour disputes): 劳动争议调解仲裁法 Art 5 — a party who will not mediate, whose
  mediation fails, or whose agreement is not performed may apply for 劳动争议仲裁; only
  against the award may it sue (除本法另有规定).  So a labour dispute is never referred
  straight to a lawsuit, nor to court mediation (司法调解 happens inside a lawsuit).
  Unpaid wages can also be reported to 劳动保障监察 (劳动保障监察条例 Art 11, 14): an
  administrative route ("行政处理").  Work for a private person without an employment
  relationship (劳务) is an ordinary civil dispute: register it as 损害赔偿 or 其他.
* 土地 (mostly land-contract disputes): 农村土地承包经营纠纷调解仲裁法 Art 4 — 农村土地承包
  仲裁委员会, or a lawsuit directly; a dispute over who owns or may use the land is for
  the people's government (土地管理法 Art 14: 行政处理).
* 婚姻家庭: 仲裁法 Art 3(1) — marriage, adoption, guardianship, support and inheritance
  disputes cannot be arbitrated: lawsuit (with court mediation) or administrative mediation.
* 住宅房屋: civil route; arbitration only with an arbitration agreement (仲裁法 Art 4, 16);
  a 宅基地 use-right dispute is for the government (土地管理法 Art 14).
* 邻里关系, 损害赔偿, 其他: lawsuit, arbitration with an agreement, 行政调解, 司法调解.

Every type may also be sent up one level (上报 the town or county 调处中心, the seed's
分级调处); ``ESCALATION_BY_LEVEL`` in dispute.state says which.
"""
from __future__ import annotations

from typing import Mapping

LAWSUIT, LABOUR_ARBITRATION, LAND_ARBITRATION, ARBITRATION = (
    "诉讼", "劳动争议仲裁", "农村土地承包仲裁", "仲裁")
ADMINISTRATIVE, ADMIN_MEDIATION, COURT_MEDIATION = "行政处理", "行政调解", "司法调解"

ROUTES = (LAWSUIT, LABOUR_ARBITRATION, LAND_ARBITRATION, ARBITRATION, ADMINISTRATIVE,
          ADMIN_MEDIATION, COURT_MEDIATION)

BY_TYPE: Mapping[str, tuple[str, ...]] = {
    "婚姻家庭": (LAWSUIT, COURT_MEDIATION, ADMIN_MEDIATION),
    "邻里关系": (LAWSUIT, COURT_MEDIATION, ADMIN_MEDIATION, ARBITRATION),
    "住宅房屋": (LAWSUIT, COURT_MEDIATION, ADMIN_MEDIATION, ADMINISTRATIVE, ARBITRATION),
    "土地": (LAND_ARBITRATION, LAWSUIT, ADMINISTRATIVE, ADMIN_MEDIATION, COURT_MEDIATION),
    "劳资": (LABOUR_ARBITRATION, ADMINISTRATIVE),
    "损害赔偿": (LAWSUIT, COURT_MEDIATION, ADMIN_MEDIATION, ARBITRATION),
    "其他": (LAWSUIT, COURT_MEDIATION, ADMIN_MEDIATION, ARBITRATION),
}

# What the parties are told about each route (shown with the choice and in the record).
HINTS: Mapping[str, str] = {
    LAWSUIT: "向人民法院起诉",
    LABOUR_ARBITRATION: "向劳动人事争议仲裁委员会申请仲裁，对裁决不服的再起诉（劳动争议调解仲裁法第五条）",
    LAND_ARBITRATION: "向农村土地承包仲裁委员会申请仲裁，也可以直接起诉（农村土地承包经营纠纷调解仲裁法第四条）",
    ARBITRATION: "双方有仲裁协议的，向协议选定的仲裁委员会申请仲裁（仲裁法第四条）",
    ADMINISTRATIVE: "由有关行政机关依法处理（如土地权属争议由人民政府处理，欠薪向劳动保障监察投诉）",
    ADMIN_MEDIATION: "由有关行政机关调解",
    COURT_MEDIATION: "向人民法院起诉，在诉讼中调解",
}

# Why a route the type does not allow is refused.
_REFUSALS: Mapping[tuple[str, str], str] = {
    ("劳资", LAWSUIT): "劳资纠纷调解不成的，应当引导申请劳动争议仲裁；对仲裁裁决不服的才能向人民法院起诉"
                     "（劳动争议调解仲裁法第五条）",
    ("劳资", COURT_MEDIATION): "劳资纠纷须先经劳动争议仲裁，不能直接到法院调解（劳动争议调解仲裁法第五条）",
    ("劳资", ARBITRATION): "劳资纠纷应当向劳动人事争议仲裁委员会申请仲裁，请选“劳动争议仲裁”"
                         "（劳动争议调解仲裁法第五条）",
    ("婚姻家庭", ARBITRATION): "婚姻、收养、监护、扶养、继承纠纷不能仲裁（仲裁法第三条），请引导诉讼",
}


def referral_routes(dispute_type: str | None) -> tuple[str, ...]:
    """The routes (other than 上报) a failed mediation of this type may be referred to."""
    return BY_TYPE.get(dispute_type or "", BY_TYPE["其他"])


def referral_refusal(dispute_type: str | None, route: str) -> str | None:
    """Why ``route`` is not open to a dispute of ``dispute_type`` (Chinese), or None."""
    if route in referral_routes(dispute_type):
        return None
    specific = _REFUSALS.get((dispute_type or "", route))
    if specific:
        return specific
    allowed = "、".join(referral_routes(dispute_type))
    return f"{dispute_type or ''}纠纷调解不成的，可以引导：{allowed}，或上报上级调处中心"


__all__ = ["BY_TYPE", "HINTS", "ROUTES", "referral_refusal", "referral_routes"]
