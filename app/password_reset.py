"""忘记密码: a cadre who forgot the password gets a new one, vouched for by a colleague.

A 密码 is never stored: it wraps the key of the station's encrypted database
(app/keyring.py), so only someone who can open the data can set a new one — another cadre
of this tablet, in the room, who types their own 密码 (the sign-in screen opens the data
with it). The town cannot: it never holds the key. If no cadre of the station remembers a
密码, the tablet is enrolled again from the town and its synced records come back down
(README "Lost every 密码"; app.accounts).

The reset is written as a ``cadre.password_reset`` event by the colleague, on the
forgotten cadre's record, so every level sees who set whose 密码 anew and when; the 密码
itself goes nowhere.
"""
from __future__ import annotations

from app.accounts import AccountError, Cadre, reset_pin
from sync.store import NewEvent, Store

RESET = "cadre.password_reset"


def reset_by_colleague(store: Store, cadre_id: str, colleague: Cadre, new_pin: str) -> Cadre:
    """Set ``cadre_id``'s 密码 to ``new_pin`` in ``store``, which ``colleague`` opened with
    their own 密码. Raises AccountError saying what to do."""
    if colleague.id == cadre_id:
        raise AccountError("要由本站另一位干部输入他（她）自己的密码来证明，不能自己给自己重设。")
    cadre = reset_pin(store, cadre_id, new_pin)
    store.append(NewEvent(RESET, cadre_id, {"method": "colleague"}, colleague.id))
    return cadre


__all__ = ["reset_by_colleague"]
