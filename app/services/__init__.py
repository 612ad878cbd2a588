"""Application services: what screens call. Kivy-free; every rule comes from app.domain.

    rules       catalog, config and working-day calendar as this station knows them now
    desk        service-desk intake and every case transition (便民服务)
    ledger      台账 queries, full-text search, deadline board, town overview, xlsx
    frontdesk   来访登记 and 带班坐班 (duty roster, check-in/out, who is on duty now), a
                visit turned into a record (visit_link), visit corrections
    casework    修改信息, 撤件, 补齐材料, 催办, 受理并办结 (mixed into Desk)
    visit_conversions  intake forms filled from a visit
    local_matters      本村事项: proposed by a village, decided by the town
    overview    镇里概况 by period (cases, disputes, petitions), printable
    inbox       the town's inbox of what villages sent up
Errors: ServiceError (a Chinese message for the person at the screen; nothing written).
"""
from app.services.errors import ServiceError

__all__ = ["ServiceError"]
