"""The catalogue of problem codes (issue #9): each code has exactly one HTTP status and
one Chinese message that says what to do. The hub answers with the catalogue's status
and message (`title`; the raise site's own words go in `detail`), and the client shows
the catalogue's message for a code it knows, whatever words a hub sent.

A raise site names a code and may say more in its own message (kept as `detail`, for
the log and the technician). tests/sync/test_problems.py holds every `Problem(...)` in
the tree to this catalogue. The app adds the codes of its write policy (app/authority)
with `register`: sync stays domain-agnostic.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sync.limits import MAX_BLOB


@dataclass(frozen=True)
class Entry:
    status: int
    message: str


_CALL_TOWN = "请把这个提示告诉镇里管理员。"

CATALOGUE: dict[str, Entry] = {
    # requests a hub cannot read
    "bad_request": Entry(400, "同步请求的格式不对，没有保存任何内容：请把程序升级到最新版本后再同步。"),
    "bad_json": Entry(400, "数据在传输中损坏，没有保存：请再同步一次。"),
    "bad_gzip": Entry(400, "压缩数据在传输中损坏，没有保存：请再同步一次。"),
    "bad_cursor": Entry(400, "同步位置记录不对：请再同步一次，一直这样" + _CALL_TOWN),
    "bad_blob_id": Entry(400, "附件编号不对，没有上传：请再同步一次，一直这样" + _CALL_TOWN),
    "bad_kind": Entry(400, "节点类型不对：请选村、镇或县的服务站。"),
    "bad_name": Entry(400, "请填写 1 到 40 个字的节点名称（例如村名）。"),
    "bad_pubkey": Entry(400, "本机的公钥格式不对，登记没有完成：请重新安装程序后再登记。"),
    "too_large": Entry(413, "一次发送的数据太多：程序会自动分批，请再同步一次。"),
    "blob_too_large": Entry(413, f"附件太大（上限 {MAX_BLOB // 1024 // 1024} MB），没有上传："
                                 "请压缩照片或分页扫描后再上传。"),
    "too_deep": Entry(422, "数据的层次太多，无法处理，已隔离：" + _CALL_TOWN),
    "unservable": Entry(422, "有一条数据无法转发，已隔离，其余照常同步：" + _CALL_TOWN),
    # who is asking
    "no_token": Entry(401, "本机还没有登记到镇里的服务器：请先输入服务器地址和登记码。"),
    "not_enrolled": Entry(401, "本机还没有登记到镇里的服务器：请先输入服务器地址和登记码。"),
    "bad_token": Entry(401, "本机的登录凭证无效（本机可能已被换下）：请向镇里管理员要一个新的登记码，"
                           "重新登记本机。"),
    "token_revoked": Entry(401, "本机的登记已被镇里注销：请联系镇里管理员重新登记。"),
    "bad_signature": Entry(401, "请求的签名不对，已拒绝：请再同步一次，一直这样请重新登记本机。"),
    "replayed": Entry(409, "这个请求已经处理过（可能是网络重发），已拒绝：请再同步一次。"),
    "bad_session": Entry(401, "登记超时或已经用过：请重新点“登记”。"),
    "plain_http": Entry(400, "二维码里有服务器证书，但地址是不加密的（http://）：请用二维码里的 https 地址，或向镇里核对服务器地址。"),
    "bad_code": Entry(401, "登记码不对或已经用过：请向镇里管理员要一个新的登记码。"),
    "code_expired": Entry(401, "登记码已过期（7 天有效）：请向镇里管理员要一个新的。"),
    "already_enrolled": Entry(409, "已经登记过了：如需换到别的服务器，请用新的数据目录重新登记。"),
    "id_taken": Entry(409, "这个节点编号已经登记过：请向上级管理员要一个新的登记码。"),
    "node_id_not_allowed": Entry(403, "只有镇服务器向县里登记时可以沿用自己的编号：请不要指定编号。"),
    "level_mismatch": Entry(409, "这个数据目录属于另一级服务器：请核对 --level 或换一个数据目录。"),
    "codes_exhausted": Entry(409, "本服务器的站点编码已经用完：请联系县里的技术人员。"),
    "unknown_node": Entry(404, "本服务器上没有这个节点：请核对节点编号（node list 可以列出）。"),
    "revoked": Entry(409, "这个节点已经注销，不能换新设备：请用 node add 新建一个。"),
    "not_a_station": Entry(409, "只能给服务站（平板、电脑）换新设备；服务器请用备份恢复。"),
    "no_upstream": Entry(409, "这个服务器还没有登记到上级：请先用 hub enroll 登记。"),
    "no_root": Entry(502, "上级服务器没有给出根证书：请把上级服务器升级到最新版本后再登记。"),
    "not_a_hub_server": Entry(502, "这个地址不是三级联动的镇或县服务器：请核对地址。"),
    # certificates and authority (issue #7)
    "bad_cert": Entry(422, "收到的节点证书不合格，没有采用：" + _CALL_TOWN),
    "not_a_hub": Entry(403, "只有镇、县服务器可以为下级节点颁发证书，这些证书没有采用：" + _CALL_TOWN),
    "foreign_node": Entry(403, "这个节点不属于发送方的下级，没有采用：" + _CALL_TOWN),
    "foreign_origin": Entry(403, "只能发送本机或下级产生的数据，这一段没有保存：" + _CALL_TOWN),
    "unknown_origin": Entry(403, "这条数据的来源没有经过上级认证（可能是伪造的），没有采用：" + _CALL_TOWN),
    "root_changed": Entry(403, "服务器声明的根证书与登记时不同，已拒绝：请联系县里管理员核实，"
                               "必要时重新登记本机。"),
    # chains of events
    "seq_gap": Entry(409, "服务器缺了一段数据（可能刚从备份恢复）：程序会自动补发，请再同步一次。"),
    "chain_broken": Entry(409, "数据链与服务器上的不衔接（可能被篡改），这一段没有保存：" + _CALL_TOWN),
    "bad_run_signature": Entry(403, "数据的签名验证失败（可能被篡改），这一段没有保存：" + _CALL_TOWN),
    "conflict": Entry(409, "同一编号已有另一条不同的数据，这条已隔离：" + _CALL_TOWN),
    "hash_mismatch": Entry(422, "数据内容与它的校验值不符（可能被篡改），已隔离：" + _CALL_TOWN),
    "bad_envelope": Entry(422, "有一条数据格式不对，没有保存：请把程序升级到最新版本，一直这样" + _CALL_TOWN),
    "bad_event_id": Entry(422, "有一条数据的编号格式不对，没有保存：" + _CALL_TOWN),
    "bad_record_id": Entry(422, "有一条数据的记录编号格式不对，没有保存：" + _CALL_TOWN),
    "unknown_event_type": Entry(422, "有一条数据的类型本程序不认识：请把程序升级到最新版本。"),
    "schema_invalid": Entry(422, "有一条数据的内容不符合规范，没有上传：请打开这条记录检查填写的内容，"
                                 "改正后再同步。"),
    "payload_too_large": Entry(422, "有一条记录的内容太长，没有保存：请把说明写短一些，照片作为附件。"),
    "clock_went_back": Entry(422, "这条数据的时间比本机之前发送的数据早（时间不能倒退，程序可能被改动过），"
                                  "没有保存：请不要使用改动过的程序，" + _CALL_TOWN),
    "partial": Entry(409, "服务器只接收了一部分数据：请稍后再同步一次。"),
    # attachments
    "blob_unreferenced": Entry(409, "附件要在引用它的记录之后上传：请再同步一次。"),
    "blob_missing": Entry(404, "服务器上还没有这个附件：请稍后再同步。"),
    "offset_mismatch": Entry(409, "附件上传的位置不对：请再同步一次，会从断开的地方继续。"),
    "blob_hash_mismatch": Entry(422, "附件在传输中出错：请再同步一次，会重新上传。"),
    "upload_stuck": Entry(500, "附件上传没有进展：请检查网络后再同步。"),
    # the hub itself, and replies a client cannot use
    "internal": Entry(500, "服务器内部出错，已记录：请稍后再同步，一直这样" + _CALL_TOWN),
    "hub_damaged": Entry(503, "上级服务器的数据库已损坏，暂停同步，本机的记录都还在：请告诉服务器管理员。"),
    "bad_reply": Entry(502, "服务器的回复缺少内容，已忽略：请稍后再同步，一直这样" + _CALL_TOWN),
    "too_many_rounds": Entry(500, "同步的轮数过多，已停止：请联系县里的技术人员。"),
    "http_error": Entry(400, "服务器拒绝了请求：请把程序升级到最新版本，一直这样" + _CALL_TOWN),
}


def register(entries: Mapping[str, Entry]) -> None:
    """Add a domain's codes (its write policy's refusals). A code already catalogued must
    keep its status and message."""
    for code, entry in entries.items():
        held = CATALOGUE.setdefault(code, entry)
        if held != entry:
            raise ValueError(f"problem code {code} is catalogued as {held}, not {entry}")


def entry(code: str) -> Entry | None:
    return CATALOGUE.get(code)
