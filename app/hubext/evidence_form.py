"""The /report form with evidence files (photos, scans) from a citizen's phone, read in the
request's memory only: the plaintext of a file must never reach a disk, so Starlette's own
form parser (which spools a file over 1 MB to a temporary file) is not used. The body is
parsed as it streams with python-multipart's push parser (the ``hub`` extra), and refused
as soon as it passes a limit, before the rest is read.

Limits (what a phone's photo of a document or a short PDF needs; a town may ask for more
on paper at its office):
- at most ``MAX_FILES`` files, each at most ``MAX_FILE_BYTES``;
- JPEG, PNG or PDF, told by the file's first bytes (never by the name or the type the
  browser claims, which a phone sets as it likes);
- the whole body at most ``MAX_BODY_BYTES`` (the files plus the text fields).
Every refusal is a ``FormRefused`` with a Chinese message that says what to do.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TEXT_BYTES = 16 * 1024                  # all text fields together (the typed report)
MAX_BODY_BYTES = MAX_FILES * MAX_FILE_BYTES + MAX_TEXT_BYTES + 64 * 1024   # + part headers
# (first bytes, MIME type, what a citizen calls it)
KINDS = ((b"\xff\xd8\xff", "image/jpeg", "JPG 照片"),
         (b"\x89PNG\r\n\x1a\n", "image/png", "PNG 图片"),
         (b"%PDF-", "application/pdf", "PDF 文件"))
ALLOWED_TEXT = "JPG、PNG 照片或 PDF 文件"
TOO_MANY = f"证据最多上传 {MAX_FILES} 个文件，请删去多余的再提交（其余的可以带到镇纪委）。"
TOO_BIG = (f"每个证据文件不能超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，请换一张小一点的照片"
           "（手机拍照时可选较低的清晰度），或把材料带到镇纪委。")
WRONG_TYPE = f"证据只能是{ALLOWED_TEXT}，“{{name}}”不是，请换成照片或 PDF 再提交。"
BROKEN = "表单没有完整收到，请重新提交。"


class FormRefused(ValueError):
    """The form cannot be taken: ``status`` (413, 415 or 400), a Chinese message, and the
    text fields read before the refusal (shown again, so nobody types the report twice)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields: dict[str, str] = {}


@dataclass
class Evidence:
    name: str           # the file's name on the phone (shortened), for the 纪委's list
    mime: str           # from its first bytes
    data: bytes


@dataclass
class ReportForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[Evidence] = field(default_factory=list)


def kind_of(data: bytes) -> str | None:
    """The MIME type of an allowed evidence file, from its first bytes; None otherwise."""
    return next((mime for magic, mime, _ in KINDS if data.startswith(magic)), None)


def is_multipart(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "multipart/form-data"


class _Collector:
    """python-multipart callbacks: parts into memory, limits checked as bytes arrive."""

    def __init__(self) -> None:
        self.form = ReportForm()
        self.text_bytes = 0
        self._header_field = b""
        self._header_value = b""
        self._disposition: dict[bytes, bytes] = {}
        self._is_file = False
        self._chunks: list[bytes] = []
        self._size = 0
        self.refused: FormRefused | None = None
        self.ended = False

    def callbacks(self) -> dict[str, object]:
        return {"on_part_begin": self._begin, "on_part_data": self._data,
                "on_part_end": self._end, "on_header_field": self._field,
                "on_header_value": self._value, "on_header_end": self._header_end,
                "on_end": self._finished}

    def _begin(self) -> None:
        self._disposition, self._is_file, self._chunks, self._size = {}, False, [], 0

    def _field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            _, self._disposition = parse_options_header(self._header_value)
            self._is_file = b"filename" in self._disposition
        self._header_field = self._header_value = b""

    def _data(self, data: bytes, start: int, end: int) -> None:
        self._size += end - start
        if self._is_file:
            if self._size > MAX_FILE_BYTES:
                raise FormRefused(413, TOO_BIG)
        else:
            self.text_bytes += end - start
            if self.text_bytes > MAX_TEXT_BYTES:
                raise FormRefused(413, "填写的文字太长，请精简到一万字以内再提交。")
        self._chunks.append(data[start:end])

    def _end(self) -> None:
        name = self._disposition.get(b"name", b"").decode("utf-8", "replace")
        data = b"".join(self._chunks)
        if not self._is_file:
            self.form.fields[name] = data.decode("utf-8", "replace")
            return
        shown = self._disposition.get(b"filename", b"").decode("utf-8", "replace")
        shown = shown.replace("\\", "/").rsplit("/", 1)[-1].strip()[:100]
        if not data and not shown:
            return                      # the file box left empty: the browser sends nothing
        if len(self.form.files) >= MAX_FILES:
            raise FormRefused(413, TOO_MANY)
        mime = kind_of(data)
        if mime is None:
            raise FormRefused(415, WRONG_TYPE.format(name=shown or "未命名文件"))
        self.form.files.append(Evidence(shown or "证据", mime, data))

    def _finished(self) -> None:
        self.ended = True


async def read_report_form(content_type: str, declared: str,
                           stream: AsyncIterator[bytes]) -> ReportForm:
    """The fields and evidence files of a multipart /report body; FormRefused when a limit
    is passed or the body is not a whole form. After a refusal the rest of the body (at
    most MAX_BODY_BYTES in all) is read and dropped, so the phone gets the answer instead
    of a broken connection; a body declared larger than that is refused unread."""
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise FormRefused(413, TOO_BIG)
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise FormRefused(400, BROKEN)
    collector = _Collector()
    parser = MultipartParser(boundary, collector.callbacks(), max_size=MAX_BODY_BYTES)
    refused: FormRefused | None = None
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            refused = refused or FormRefused(413, TOO_BIG)
            break
        if refused is None:
            refused = _feed(parser, chunk)
    if refused is None:
        refused = _feed(parser, None)
    if refused is None and not collector.ended:
        refused = FormRefused(400, BROKEN)
    if refused is not None:
        collector.form.files.clear()             # dropped with the request
        refused.fields = dict(collector.form.fields)
        raise refused
    return collector.form


def _feed(parser: MultipartParser, chunk: bytes | None) -> FormRefused | None:
    """One chunk into the parser (None: the end); the refusal, if it brings one."""
    try:
        if chunk is None:
            parser.finalize()
        else:
            parser.write(chunk)
    except FormRefused as exc:
        return exc
    except Exception:            # python-multipart's parse errors: a damaged upload
        return FormRefused(400, BROKEN)
    return None


__all__ = ["ALLOWED_TEXT", "Evidence", "FormRefused", "MAX_FILES", "MAX_FILE_BYTES",
           "ReportForm", "is_multipart", "kind_of", "read_report_form"]
