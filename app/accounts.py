"""Cadres on a shared tablet: a per-device list, each cadre opening the station's
encrypted database with their own 密码 (PIN).

The PIN never leaves the device and is never stored: it wraps the database key
(app/keyring.py, Argon2id), so signing in *is* unlocking the data, and a wrong PIN opens
nothing. The cadre's name and post travel as a `cadre.registered` event so every level
can show who did what. Wrong tries make the next one wait longer and longer, counted in
the keyring file so that restarting the app does not reset them.

Forgotten 密码: another cadre of the station, signed in (so holding the key), sets a new
one for the colleague (`reset_pin`). Nobody else can: the town never has the key. If no
cadre of the station remembers a 密码, the station is enrolled again from the town and
its synced records come back down (README "Lost every 密码").

Roles on this device: ``settings`` (设置权限, e.g. the 便民服务中心主任) may change the
town's rules — time limits, the holiday calendar, papers and phones, a village's own
matter (issue #8 §3). A cadre account exists only on its tablet, so no hub can vouch for
it: the role is kept in the station's encrypted database, given to the first cadre of a
town or county tablet (who set it up, right after enrollment with the hub's one-time
code) or at set-up (``sanji cadre add --role settings``), and after that only by a cadre
who holds it — never to anyone else through the open 添加干部 form.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from app.keyring import Holder, Keyring, KeyringError
from sync.db import rekey, transaction
from sync.ids import uuid7
from sync.store import RESYNC, NewEvent, Store

PIN_MIN, PIN_MAX = 6, 12
WAITING = "cadres_to_register"
SETTINGS_ROLE = "settings"
# a 村务监督委员会 member's account on the village tablet (app.services.oversight): reads
# the village's files, records inspections and opinions, writes nothing else
SUPERVISOR_ROLE = "supervisor"
ROLE_NAMES = {SETTINGS_ROLE: "设置权限（改办理时限、节假日，审批村里申请的事项）",
              SUPERVISOR_ROLE: "村务监督委员会成员（查看村务、记录监督意见，不办理村里的事项）"}


class AccountError(ValueError):
    """A refusal with a Chinese message that says what to do."""


@dataclass(frozen=True)
class Cadre:
    id: str
    name: str
    post: str
    roles: frozenset[str] = frozenset()


def _roles(text: str | None) -> frozenset[str]:
    return frozenset(r for r in (text or "").split(",") if r)


def check_pin_shape(pin: str) -> None:
    if not (pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise AccountError(f"密码要 {PIN_MIN} 到 {PIN_MAX} 位数字。")
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    repeats = any(pin == pin[:n] * (len(pin) // n) for n in (1, 2, 3) if len(pin) % n == 0)
    if repeats or steps in ({1}, {-1}):
        raise AccountError("密码太容易被猜到（如 111111、123456、121212），请换一个。")


def _keyring(store: Store) -> Keyring:
    return Keyring.of(store.path.parent)


def _check_person(name: str, post: str) -> tuple[str, str]:
    name, post = name.strip(), post.strip()
    if not 1 <= len(name) <= 20:
        raise AccountError("请填写干部姓名（1 到 20 个字）。")
    if not 1 <= len(post) <= 30:
        raise AccountError("请填写职务，例如 村支书、村委委员、便民服务站代办员。")
    return name, post


def add_cadre(store: Store, name: str, post: str, pin: str, author: str | None = None,
              roles: tuple[str, ...] = ()) -> Cadre:
    """A new cadre of this station, who opens it with `pin`. The store must be open (its
    key in hand: the first cadre on a new tablet, or a signed-in colleague adding one).
    The first cadre ends the setup state: the database is re-encrypted under a fresh key
    that only PINs wrap (app/keyring.py)."""
    name, post = _check_person(name, post)
    check_pin_shape(pin)
    unknown = [r for r in roles if r not in ROLE_NAMES]
    if unknown:
        raise AccountError(f"没有“{unknown[0]}”这个权限。")
    if store.db_key is None:
        raise AccountError("本机数据没有解锁，不能添加干部：请先登录。")
    if store.node_id is None:
        raise AccountError("本机还没有登记到镇里的服务器：请先登记，再添加干部。")
    keyring = _keyring(store)
    if keyring.setup_key() is not None and store.identity().get("kind") in ("town", "county"):
        roles = tuple({*roles, SETTINGS_ROLE})     # whoever set the tablet up
    cadre_id = uuid7()
    with transaction(store.conn):
        store.conn.execute("INSERT INTO local_users(id, name, post, salt, pin_hash, roles) "
                           "VALUES(?,?,?,x'',x'',?)", (cadre_id, name, post,
                                                       ",".join(sorted(set(roles)))))
    if keyring.setup_key() is not None:
        _end_setup(store, keyring, Cadre(cadre_id, name, post), pin)
    else:
        keyring.wrap(cadre_id, name, post, pin, store.db_key)
    registered = NewEvent("cadre.registered", cadre_id, {"name": name, "post": post},
                          author or cadre_id)
    if store.meta.get(RESYNC):
        # A replaced or restored tablet writes nothing until its records are back (the
        # first cadre is how it gets there): the registration waits (register_waiting).
        waiting = json.loads(store.meta.get(WAITING) or "[]")
        with transaction(store.conn):
            store.meta.set(WAITING, json.dumps(waiting + [[cadre_id, name, post,
                                                         author or cadre_id]]))
    else:
        store.append(registered)
    return Cadre(cadre_id, name, post, frozenset(roles))


def register_waiting(store: Store) -> int:
    """Append the cadre registrations held back while the store was resyncing."""
    waiting = json.loads(store.meta.get(WAITING) or "[]")
    if not waiting or store.meta.get(RESYNC):
        return 0
    store.append_many([NewEvent("cadre.registered", cid, {"name": name, "post": post}, author)
                       for cid, name, post, author in waiting])
    with transaction(store.conn):
        store.meta.set(WAITING, None)
    return len(waiting)


def _end_setup(store: Store, keyring: Keyring, cadre: Cadre, pin: str) -> None:
    """Crash-safe order: (1) the cadre's wrap of the *new* key is saved beside the setup
    key, (2) the database is rekeyed, (3) the setup key is dropped. app.station's opening
    finishes a setup cut short after (1) or (2)."""
    fresh = secrets.token_bytes(32)
    keyring.wrap(cadre.id, cadre.name, cadre.post, pin, fresh)
    rekey(store.conn, fresh)
    store.db_key = fresh
    keyring.end_setup()


def list_cadres(where: Store | Path) -> list[Cadre]:
    """Who can sign in here: read from the keyring, so before any unlock; with an open
    store, each with their roles on this tablet."""
    data = where.path.parent if isinstance(where, Store) else Path(where)
    roles: dict[str, frozenset[str]] = {}
    if isinstance(where, Store) and where.db_key is not None:
        roles = {cid: _roles(text) for cid, text in where.conn.execute(
            "SELECT id, roles FROM local_users")}
    return [Cadre(h.id, h.name, h.post, roles.get(h.id, frozenset()))
            for h in Keyring.of(data).holders()]


def cadre_roles(store: Store, cadre_id: str) -> frozenset[str]:
    """The roles this tablet's (open, encrypted) database gives ``cadre_id`` now — not
    what a Cadre object in memory says."""
    row = store.conn.execute("SELECT roles FROM local_users WHERE id=? AND active=1",
                             (cadre_id,)).fetchone()
    return _roles(row[0]) if row else frozenset()


def set_role(store: Store, by: Cadre, cadre_id: str, role: str, granted: bool) -> Cadre:
    """Give or take ``role``; only a cadre who holds it may, and the last holder keeps it
    (else nobody on this tablet could ever change the settings again)."""
    if role not in ROLE_NAMES:
        raise AccountError(f"没有“{role}”这个权限。")
    if role not in cadre_roles(store, by.id):
        raise AccountError("只有已经有这个权限的干部才能给别人开通或取消。")
    cadres = list_cadres(store)
    target = next((c for c in cadres if c.id == cadre_id), None)
    if target is None:
        raise AccountError("没有这位干部，请在名单里重新选择。")
    holders = [c for c in cadres if role in c.roles]
    if not granted and holders == [target]:
        raise AccountError(f"{target.name}是本机唯一有{ROLE_NAMES[role][:4]}的干部，不能取消；"
                           "请先给另一位干部开通。")
    roles = set(target.roles) | {role} if granted else set(target.roles) - {role}
    with transaction(store.conn):
        store.conn.execute("UPDATE local_users SET roles=? WHERE id=?",
                           (",".join(sorted(roles)), cadre_id))
    return Cadre(target.id, target.name, target.post, frozenset(roles))


def sign_in(data: Path, cadre_id: str, pin: str, now_ms: int) -> tuple[Cadre, bytes]:
    """The cadre and the database key, if `pin` is theirs (see app.keyring.unlock)."""
    keyring = Keyring.of(data)
    holder = next((h for h in keyring.holders() if h.id == cadre_id), None)
    if holder is None:
        raise AccountError("没有这位干部，请在名单里重新选择。")
    try:
        key = keyring.unlock(cadre_id, pin, now_ms)
    except KeyringError as exc:
        raise AccountError(str(exc)) from exc
    return Cadre(holder.id, holder.name, holder.post), key


def reset_pin(store: Store, cadre_id: str, new_pin: str) -> Cadre:
    """A signed-in cadre sets a new 密码 for a colleague who forgot theirs: the key this
    store was opened with is wrapped again under the new PIN, and the colleague's wrong
    tries are forgotten."""
    check_pin_shape(new_pin)
    if store.db_key is None:
        raise AccountError("本机数据没有解锁，不能重设密码：请先登录。")
    keyring = _keyring(store)
    holder: Holder | None = next((h for h in keyring.holders() if h.id == cadre_id), None)
    if holder is None:
        raise AccountError("没有这位干部，请在名单里重新选择。")
    keyring.wrap(holder.id, holder.name, holder.post, new_pin, store.db_key)
    return Cadre(holder.id, holder.name, holder.post)


__all__ = ["AccountError", "Cadre", "PIN_MAX", "PIN_MIN", "ROLE_NAMES", "SETTINGS_ROLE", "SUPERVISOR_ROLE",
           "add_cadre", "cadre_roles", "check_pin_shape", "list_cadres", "reset_pin", "set_role",
           "sign_in"]
