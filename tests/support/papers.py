"""What a town enters in 镇里设置 → 文书和电话 before it prints (issue #8 §2): the real
numbers of the sample phones, the 转办函's 机关代字 and the public status page address.
Written through the real services (config events that sync down), as a town cadre would."""
from __future__ import annotations

from app.accounts import Cadre
from app.services.townrules import set_paper_setting, set_phone
from app.station import Station

PHONES = {
    "town_service_center": ("新集镇便民服务中心", "0376-2988123"),
    "town_discipline": ("新集镇纪委", "0376-2988125"),
    "county_civil": ("县民政局", "0376-2962211"),
}
LETTER_CODE = "新集便民转"


def set_town_papers(station: Station, cadre: Cadre, status_url: str) -> None:
    for key, (label, number) in PHONES.items():
        set_phone(station, cadre, key, number, label)
    set_paper_setting(station, cadre, "papers.letter_code", LETTER_CODE, "镇便民服务中心发文代字")
    set_paper_setting(station, cadre, "papers.status_page_url", status_url, "镇政府网站")
