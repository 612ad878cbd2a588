"""The contract: JSON Schemas for every event payload, record kinds and config defaults.

Public surface:
    load_registry()          -> Registry (cached), built from every *.json under schemas/
                                that declares "x-event-type"; kinds from kinds.json
    Registry.validate(type, v, payload)   raises PayloadError
    Registry.kind_of(type, v)             the record kind an event type belongs to
    Registry.kind_flags(kind)             {"confidential", "broadcast", "local": bool}
    PayloadError                          (code, message in Chinese)

No Kivy, no HTTP, no SQLite here (DESIGN.md layers).
"""
from schemas.registry import PayloadError, Registry, load_registry

__all__ = ["PayloadError", "Registry", "load_registry"]
