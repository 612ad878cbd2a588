"""Pure rules and projections of Sanji: no Kivy, no SQLite, no HTTP, no clock.

Everything a rule needs is passed in (events, today's date, the calendar, the config);
user-facing messages are Chinese and say what to do.  Sources are cited in each module
(RULES.md sections, DESIGN.md "Conflicts").

Public surface, by module:
    idcard      check_id_number, mask_id_number, birth_date_of, sex_of     (GB 11643)
    phone       check_phone, mask_phone
    workdays    WorkCalendar, calendar_from_town_list, add_working_days,
                working_days_between, is_working_day, DueDate, DayCount
    config      merge_config, overrides_from_events, Config, rating_payload
    catalog     check_catalog, apply_catalog_edits, Catalog
    intake      one_time_notice, accepted_payload, suggest_mode
    service_*   SERVICE_CASE (fold, apply_event, check_transition), CaseState, EVENT_TYPES
    workflow    the engine: Flow, Transition, Verdict, Step (app.domain.workflow)
    deadlines   deadline_status, case_deadline, effective_due, overdue_alerts
    receipt     format_receipt, parse_receipt, Receipt
    field_edits apply_field_edits, ReviewItem (plain fields: last writer wins + review)
    duty        duty_lines, shift_window: who is on duty at a moment (带班坐班)
    service.local_matters  a village's own matter proposed and decided (本村事项)
    shared.holiday_marks   a year's holidays as taps on a calendar
    shared.report_periods  period_for: 本月, 上月, 本季度, 今年 (镇里概况)

Exceptions (errors.py):
    DomainError ── CatalogError, ConfigError, CalendarError, ReceiptError
"""
from app.domain.config import Config, merge_config, overrides_from_events, rating_payload
from app.domain.errors import CalendarError, CatalogError, ConfigError, DomainError, ReceiptError
from app.domain.events import Rejected, order_key
from app.domain.service.catalog import Catalog, apply_catalog_edits, check_catalog
from app.domain.service.deadlines import case_deadline, deadline_status, effective_due, overdue_alerts
from app.domain.service.flow import EVENT_TYPES, SERVICE_CASE, apply_event, check_transition, fold
from app.domain.service.intake import accepted_payload, one_time_notice, suggest_mode
from app.domain.service.state import CaseState
from app.domain.shared.field_edits import ReviewItem, apply_field_edits
from app.domain.shared.idcard import birth_date_of, check_id_number, mask_id_number, sex_of
from app.domain.shared.phone import check_phone, mask_phone
from app.domain.shared.receipt import Receipt, format_receipt, parse_receipt
from app.domain.shared.workdays import (
    DayCount, DueDate, WorkCalendar, add_working_days, calendar_from_town_list, is_working_day,
    working_days_between)
from app.domain.workflow import Step, Verdict

__all__ = [
    "CalendarError", "CaseState", "Catalog", "CatalogError", "Config", "ConfigError",
    "DayCount", "DomainError", "DueDate", "EVENT_TYPES", "Receipt", "ReceiptError", "Rejected",
    "ReviewItem", "SERVICE_CASE", "Step", "Verdict", "WorkCalendar", "accepted_payload", "add_working_days",
    "apply_catalog_edits", "apply_event", "apply_field_edits", "birth_date_of",
    "calendar_from_town_list", "case_deadline", "check_catalog", "check_id_number",
    "check_phone", "check_transition", "deadline_status", "effective_due", "fold",
    "format_receipt", "is_working_day", "mask_id_number", "mask_phone", "merge_config",
    "one_time_notice", "order_key", "overdue_alerts", "overrides_from_events",
    "parse_receipt", "rating_payload", "sex_of", "suggest_mode", "working_days_between",
]
