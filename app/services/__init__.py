"""Application services: what screens call. Kivy-free; every rule comes from app.domain.

    rules       catalog, config and working-day calendar as this station knows them now
    desk        service-desk intake and every case transition (便民服务)
    ledger      台账 queries, full-text search, deadline board, town overview, xlsx
    frontdesk   来访登记 and 带班坐班 (duty roster, check-in/out, who is on duty now)
Errors: ServiceError (a Chinese message for the person at the screen; nothing written).
"""
from app.services.errors import ServiceError

__all__ = ["ServiceError"]
