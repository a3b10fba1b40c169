"""What is this upload?  Decided from its bytes, against an allow-list.

Pure functions, no Flask, no database.  The type of an upload comes only
from its content (magic bytes and structure), never from the file name or the
declared Content-Type.  Anything not positively recognised as an allowed type
is refused with :class:`UploadRejected`, whose ``reason_code`` is stable and
machine-readable (see :data:`REASON_CODES`) for the API's problem+json body.

    inspection = inspect_upload(fileobj, filename="essay.PDF")
    name = safe_filename("essay.PDF", inspection)      # "essay.pdf"

Policy decisions:

* HTML (and XHTML) is refused, not stored as text: it is active content
  with no need in a portfolio that a PDF, an image or a zipped project does
  not meet, and refusing it removes the risk of it ever being rendered.
* SVG is accepted but ``active_content=True``: it must only ever be served
  as an attachment.  SVG with entity declarations is refused (entity bombs).
* PDFs carrying JavaScript, launch actions, embedded files, rich media or
  XFA forms are accepted with ``active_content=True`` (attachment only).
* Text-like content (plain text, SVG) under a name that claims a binary
  type (``evil.png`` that is a shell script) is refused as ``type_mismatch``;
  a binary type under the wrong binary extension is simply renamed.
* Project zips may not contain archives or executables; office documents
  may not contain macros (VBA, ActiveX, ODF Basic/Scripts).

The stream must be seekable (a spooled temp file or a stored blob); it is
read in bounded chunks and its position is restored afterwards.
"""

from __future__ import annotations

import codecs
import lzma
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator

__all__ = [
    "DEFAULT_LIMITS",
    "REASON_CODES",
    "Inspection",
    "Limits",
    "UploadRejected",
    "inspect_upload",
    "safe_filename",
]

MiB = 1024 * 1024
_CHUNK = MiB

REASON_CODES: dict[str, str] = {
    "empty_file": "the upload has no content",
    "too_large": "the upload exceeds the size limit",
    "unsupported_type": "the content is not one of the allowed file types",
    "executable": "the content is an executable program",
    "html": "HTML documents are not accepted",
    "type_mismatch": "text or script content under a name claiming a binary file type",
    "polyglot": "the content is valid as more than one file type",
    "trailing_data": "unexpected data after the end of the file format",
    "malformed": "the content is damaged or truncated",
    "image_too_large": "the image dimensions exceed the pixel limit",
    "xml_entities": "XML entity declarations are not accepted",
    "zip_bomb": "the archive expands too much (size, ratio or overlapping entries)",
    "zip_too_many_entries": "the archive has too many entries",
    "zip_path_traversal": "an archive entry name is absolute or escapes the archive",
    "zip_unsafe_entry": "an archive entry is a link, a duplicate or otherwise unsafe",
    "zip_encrypted": "encrypted archives cannot be inspected",
    "zip_nested_archive": "archives inside archives are not accepted",
    "office_macros": "office documents with macros or ActiveX are not accepted",
}


class UploadRejected(ValueError):
    """The upload is refused; ``reason_code`` is one of :data:`REASON_CODES`."""

    def __init__(self, reason_code: str, message: str):
        assert reason_code in REASON_CODES, reason_code
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message


@dataclass(frozen=True, slots=True)
class Inspection:
    """An accepted upload: its real type and how it may be served."""

    mime_type: str
    extension: str  # canonical, lowercase, no dot
    category: str  # document | image | audio | video | text | archive
    active_content: bool = False  # True: never serve inline


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 100 * MiB
    max_pixels: int = 50_000_000  # ~ 8660 x 5773; decoded RGBA ~200 MB
    zip_max_entries: int = 5_000
    zip_max_total: int = 512 * MiB  # total uncompressed size
    zip_max_ratio: int = 100  # uncompressed / compressed
    zip_ratio_floor: int = MiB  # below this uncompressed size, ratio is harmless


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class _Type:
    mime: str
    ext: str
    category: str
    aliases: frozenset[str]
    active: bool = False


def _t(mime, ext, category, *aliases, active=False):
    return _Type(mime, ext, category, frozenset((ext, *aliases)), active)


_TYPES = {
    "pdf": _t("application/pdf", "pdf", "document"),
    "png": _t("image/png", "png", "image", "apng"),
    "jpeg": _t("image/jpeg", "jpg", "image", "jpeg", "jpe", "jfif"),
    "gif": _t("image/gif", "gif", "image"),
    "webp": _t("image/webp", "webp", "image"),
    "svg": _t("image/svg+xml", "svg", "image", active=True),
    "mp3": _t("audio/mpeg", "mp3", "audio"),
    "wav": _t("audio/wav", "wav", "audio", "wave"),
    "ogg": _t("audio/ogg", "ogg", "audio", "oga", "opus"),
    "m4a": _t("audio/mp4", "m4a", "audio", "m4b"),
    "mp4": _t("video/mp4", "mp4", "video", "m4v"),
    "webm": _t("video/webm", "webm", "video"),
    "mov": _t("video/quicktime", "mov", "video", "qt"),
    "docx": _t("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "document"),
    "xlsx": _t("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "document"),
    "pptx": _t("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "document"),
    "odt": _t("application/vnd.oasis.opendocument.text", "odt", "document"),
    "ods": _t("application/vnd.oasis.opendocument.spreadsheet", "ods", "document"),
    "odp": _t("application/vnd.oasis.opendocument.presentation", "odp", "document"),
    "zip": _t("application/zip", "zip", "archive"),
    # Text keeps harmless source/data extensions; never ones a desktop would
    # execute on double-click (js, vbs, bat, cmd, ps1, sh, hta, ...) or render
    # as a page (html, htm, xhtml, svg).
    "txt": _t(
        "text/plain", "txt", "text",
        "md", "markdown", "rst", "csv", "tsv", "json", "yaml", "yml", "toml", "ini",
        "cfg", "log", "py", "ipynb", "java", "kt", "c", "h", "cpp", "hpp", "cc", "cs",
        "go", "rs", "rb", "r", "sql", "swift", "tex", "bib", "xml", "css", "srt", "vtt",
    ),
}

# Names that claim a binary format: text content under one is a disguise.
_BINARY_CLAIMS = frozenset(
    alias
    for key, t in _TYPES.items()
    if key not in ("txt", "svg")
    for alias in t.aliases
) | {"bmp", "tif", "tiff", "ico", "heic", "heif", "avif", "exe", "dll", "so", "dylib",
     "bin", "apk", "jar", "doc", "xls", "ppt", "mkv", "avi", "flac", "aac"}


# -- low-level reading --------------------------------------------------------


class _Source:
    """Random access to a seekable stream, in bounded reads."""

    def __init__(self, stream: BinaryIO, size: int):
        self._s = stream
        self.size = size

    def read_at(self, offset: int, n: int) -> bytes:
        if offset >= self.size or n <= 0:
            return b""
        self._s.seek(offset)
        parts, want = [], min(n, self.size - offset)
        while want:
            data = self._s.read(want)
            if not data:
                break
            parts.append(data)
            want -= len(data)
        return b"".join(parts)

    def exact(self, offset: int, n: int, what: str) -> bytes:
        data = self.read_at(offset, n)
        if len(data) != n:
            raise UploadRejected("malformed", f"{what}: file ends unexpectedly")
        return data

    def chunks(self, start: int = 0, end: int | None = None, overlap: int = 0) -> Iterator[bytes]:
        """Consecutive chunks, each prefixed by ``overlap`` bytes of the previous."""
        end = self.size if end is None else end
        pos, tail = start, b""
        while pos < end:
            data = self.read_at(pos, min(_CHUNK, end - pos))
            if not data:
                return
            yield tail + data
            pos += len(data)
            tail = (tail + data)[-overlap:] if overlap else b""


def _reject(code: str, message: str) -> UploadRejected:
    return UploadRejected(code, message)


# -- entry point --------------------------------------------------------------


def inspect_upload(
    stream: BinaryIO | bytes,
    filename: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Inspection:
    """Identify ``stream`` from its content or raise :class:`UploadRejected`.

    ``filename`` is used only to catch text disguised as a binary type; it
    never decides the type.
    """
    import io

    if isinstance(stream, (bytes, bytearray, memoryview)):
        stream = io.BytesIO(bytes(stream))
    if not stream.seekable():
        raise TypeError("inspect_upload needs a seekable binary stream")
    start = stream.tell()
    try:
        size = stream.seek(0, io.SEEK_END)
        if size == 0:
            raise _reject("empty_file", "the file is empty")
        if size > limits.max_bytes:
            raise _reject("too_large", f"the file is larger than {limits.max_bytes} bytes")
        src = _Source(stream, size)
        kind, active = _identify(src, limits)
        t = _TYPES[kind]
        if t.category == "text" or kind == "svg":
            claimed = _extension_of(filename)
            if claimed in _BINARY_CLAIMS:
                raise _reject(
                    "type_mismatch",
                    f"the name says .{claimed} but the content is {t.mime}",
                )
        return Inspection(t.mime, t.ext, t.category, active or t.active)
    finally:
        stream.seek(start)


def _identify(src: _Source, limits: Limits) -> tuple[str, bool]:
    head = src.read_at(0, 4096)
    _refuse_executables(head)
    if head.startswith(b"%PDF-"):
        return "pdf", _pdf(src, head)
    if head.startswith(b"PK\x03\x04"):
        return _zip(src, limits), False
    if head.startswith(b"PK\x05\x06"):
        raise _reject("malformed", "the archive is empty")
    binary = _binary_kind(src, head, limits)
    if binary is not None:
        _no_embedded_zip_or_pdf(src, head)
        if _TYPES[binary].category == "image":
            _no_markup(src, binary)
        return binary, False
    if b"%PDF-" in head[:1024]:
        # PDF readers accept a header anywhere in the first KiB.
        raise _reject("polyglot", "a PDF header hides behind other content")
    return _text(src, head)


_EXECUTABLE_MAGIC = (
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows (PE/DOS) executable"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class"),
    (b"\x00asm", "a WebAssembly module"),
    (b"dex\n", "an Android DEX executable"),
)

_OTHER_CONTAINERS = (
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 (legacy Office / MSI)"),
)


def _is_executable(head: bytes) -> str | None:
    for magic, what in _EXECUTABLE_MAGIC:
        # Short magics also need binary bytes, so a text file that happens to
        # start with "MZ" is not mistaken for a program.
        if head.startswith(magic) and (len(magic) >= 4 or b"\x00" in head[:64]):
            return what
    return None


def _refuse_executables(head: bytes) -> None:
    if what := _is_executable(head):
        raise _reject("executable", f"the content is {what}")


def _binary_kind(src: _Source, head: bytes, limits: Limits) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        _png(src, limits)
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        _jpeg(src, limits)
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        _gif(src, limits)
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        _riff_size(src, head)
        _webp(head, limits)
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        _riff_size(src, head)
        return "wav"
    if head.startswith(b"OggS"):
        _ogg(head)
        return "ogg"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return _ebml(head)
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return _bmff(src, head)
    if head.startswith(b"ID3") or _mpeg_frame(head, 0) is not None:
        _mp3(src, head)
        return "mp3"
    for magic, what in _OTHER_CONTAINERS:
        if head.startswith(magic):
            raise _reject("unsupported_type", f"{what} files are not accepted; upload a .zip")
    if len(head) > 262 and head[257:262] == b"ustar":
        raise _reject("unsupported_type", "tar files are not accepted; upload a .zip")
    return None


# -- polyglot checks ----------------------------------------------------------

# Matched against lowercased bytes: without re.I the regex engine can use its
# fast literal-prefix search, which matters on 100 MiB images.
_MARKUP = re.compile(
    rb"<(?:script|html|iframe|body|svg|object|embed|meta|link)[\s>/]|<\?php|javascript:"
)


def _no_markup(src: _Source, kind: str) -> None:
    """Images carrying HTML/script text are browser-sniffable polyglots."""
    for chunk in src.chunks(overlap=32):
        if m := _MARKUP.search(chunk.lower()):
            raise _reject(
                "polyglot",
                f"the {kind} contains embedded markup or script ({m.group().decode('latin-1')!r})",
            )


def _no_embedded_zip_or_pdf(src: _Source, head: bytes) -> None:
    # Zip readers look for the end record at the end of the file, PDF readers
    # for %PDF- in the first KiB: either makes a second valid interpretation.
    if b"%PDF-" in head[:1024]:
        raise _reject("polyglot", "the file also carries a PDF header")
    if _has_zip_end_record(src):
        raise _reject("polyglot", "the file also ends like a zip archive")


def _has_zip_end_record(src: _Source) -> bool:
    tail_start = max(0, src.size - (65535 + 22))
    tail = src.read_at(tail_start, src.size - tail_start)
    idx = tail.rfind(b"PK\x05\x06")
    while idx != -1:
        if idx + 22 <= len(tail):
            comment_len = struct.unpack_from("<H", tail, idx + 20)[0]
            if idx + 22 + comment_len == len(tail):
                return True
        idx = tail.rfind(b"PK\x05\x06", 0, idx)
    return False


# -- images -------------------------------------------------------------------


def _check_pixels(width: int, height: int, limits: Limits, kind: str) -> None:
    if width <= 0 or height <= 0:
        raise _reject("malformed", f"the {kind} declares zero width or height")
    if width * height > limits.max_pixels:
        raise _reject(
            "image_too_large",
            f"the {kind} is {width}x{height} pixels; the limit is {limits.max_pixels} pixels",
        )


def _png(src: _Source, limits: Limits) -> None:
    pos = 8
    first = True
    while True:
        length, ctype = struct.unpack(">I4s", src.exact(pos, 8, "PNG chunk header"))
        if length > 0x7FFFFFFF or not ctype.isalpha():
            raise _reject("malformed", "invalid PNG chunk")
        if first:
            if ctype != b"IHDR" or length != 13:
                raise _reject("malformed", "PNG does not start with IHDR")
            width, height = struct.unpack(">II", src.exact(pos + 8, 8, "PNG IHDR"))
            _check_pixels(width, height, limits, "PNG")
            first = False
        crc = zlib.crc32(ctype)
        end = pos + 8 + length
        if end + 4 > src.size:
            raise _reject("malformed", "PNG is truncated")
        for chunk in src.chunks(pos + 8, end):
            crc = zlib.crc32(chunk, crc)
        if struct.unpack(">I", src.exact(end, 4, "PNG CRC"))[0] != crc:
            raise _reject("malformed", f"PNG chunk {ctype.decode()} has a bad CRC")
        pos = end + 4
        if ctype == b"IEND":
            break
    if pos != src.size:
        raise _reject("trailing_data", f"{src.size - pos} bytes after the PNG IEND chunk")


_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(src: _Source, limits: Limits) -> None:
    pos = 2
    while True:
        b = src.exact(pos, 1, "JPEG marker")
        if b != b"\xff":
            raise _reject("malformed", "JPEG marker expected")
        while b == b"\xff":  # fill bytes
            pos += 1
            b = src.exact(pos, 1, "JPEG marker")
        marker = b[0]
        pos += 1
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue  # markers without a length
        if marker in (0xD9, 0xDA):
            raise _reject("malformed", "JPEG has no frame header before its image data")
        (length,) = struct.unpack(">H", src.exact(pos, 2, "JPEG segment"))
        if length < 2:
            raise _reject("malformed", "invalid JPEG segment length")
        if marker in _JPEG_SOF:
            _, height, width = struct.unpack(">BHH", src.exact(pos + 2, 5, "JPEG frame header"))
            _check_pixels(width, height, limits, "JPEG")
            return
        pos += length


def _gif(src: _Source, limits: Limits) -> None:
    head = src.exact(0, 13, "GIF header")
    if head[6:8] in (b"/*", b"//"):
        # "GIF89a/*" opens a JavaScript comment: the classic GIF/JS polyglot.
        raise _reject("polyglot", "the GIF header doubles as JavaScript")
    width, height, flags = struct.unpack_from("<HHB", head, 6)
    _check_pixels(width, height, limits, "GIF")
    pos = 13
    if flags & 0x80:
        pos += 3 * (2 << (flags & 7))
    while True:
        block = src.exact(pos, 1, "GIF block")[0]
        pos += 1
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension: label, then sub-blocks
            pos += 1
        elif block == 0x2C:  # image descriptor
            left, top, w, h, f = struct.unpack("<HHHHB", src.exact(pos, 9, "GIF image descriptor"))
            _check_pixels(w, h, limits, "GIF frame")
            if left + w > width or top + h > height:
                raise _reject("malformed", "GIF frame lies outside the image")
            pos += 9
            if f & 0x80:
                pos += 3 * (2 << (f & 7))
            pos += 1  # LZW minimum code size
        else:
            raise _reject("malformed", f"unknown GIF block 0x{block:02x}")
        while True:  # data sub-blocks
            n = src.exact(pos, 1, "GIF sub-block")[0]
            pos += 1 + n
            if n == 0:
                break
            if pos > src.size:
                raise _reject("malformed", "GIF is truncated")
    if pos != src.size:
        raise _reject("trailing_data", f"{src.size - pos} bytes after the GIF trailer")


def _riff_size(src: _Source, head: bytes) -> None:
    declared = struct.unpack_from("<I", head, 4)[0] + 8
    if declared > src.size:
        raise _reject("malformed", "RIFF file is truncated")
    if src.size - declared > 1:  # one pad byte is tolerated
        raise _reject("trailing_data", f"{src.size - declared} bytes after the RIFF data")


def _webp(head: bytes, limits: Limits) -> None:
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:
        width = 1 + int.from_bytes(head[24:27], "little")
        height = 1 + int.from_bytes(head[27:30], "little")
    elif chunk == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    elif chunk == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        width = int.from_bytes(head[26:28], "little") & 0x3FFF
        height = int.from_bytes(head[28:30], "little") & 0x3FFF
    else:
        raise _reject("malformed", "WebP has no recognisable image header")
    _check_pixels(width, height, limits, "WebP")


# -- audio / video ------------------------------------------------------------

_MP3_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 L3
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2/2.5 L3
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mpeg_frame(data: bytes, pos: int) -> int | None:
    """Length of the MPEG audio Layer III frame at ``pos``, or None."""
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    version = (data[pos + 1] >> 3) & 3  # 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    layer = (data[pos + 1] >> 1) & 3  # 1 = Layer III
    br_index = data[pos + 2] >> 4
    sr_index = (data[pos + 2] >> 2) & 3
    if version == 1 or layer != 1 or br_index in (0, 15) or sr_index == 3:
        return None
    bitrate = _MP3_BITRATES[1 if version == 3 else 2][br_index] * 1000
    rate = _MP3_RATES[version][sr_index]
    padding = (data[pos + 2] >> 1) & 1
    return (144 if version == 3 else 72) * bitrate // rate + padding


def _mp3(src: _Source, head: bytes) -> None:
    pos = 0
    if head.startswith(b"ID3"):
        size_bytes = head[6:10]
        if len(size_bytes) < 4 or any(b & 0x80 for b in size_bytes):
            raise _reject("malformed", "invalid ID3 tag")
        size = 0
        for b in size_bytes:
            size = (size << 7) | b
        pos = 10 + size + (10 if head[5] & 0x10 else 0)
        window = src.read_at(pos, 64 * 1024)
        skip = len(window) - len(window.lstrip(b"\x00"))  # tolerate tag padding
        pos += skip
    window = src.read_at(pos, 8192)
    length = _mpeg_frame(window, 0)
    if length is None:
        raise _reject("unsupported_type", "no MPEG audio frame found")
    # A second consecutive frame makes a chance match on random bytes unlikely.
    if pos + length + 4 <= src.size:
        nxt = src.read_at(pos + length, 4)
        if _mpeg_frame(nxt, 0) is None:
            raise _reject("unsupported_type", "MPEG audio frames do not follow each other")


def _ogg(head: bytes) -> None:
    if len(head) < 28 or head[4] != 0 or not head[5] & 0x02:
        raise _reject("malformed", "invalid Ogg page")
    nseg = head[26]
    packet = head[27 + nseg:27 + nseg + 8]
    if not packet.startswith((b"\x01vorbis", b"OpusHead", b"\x7fFLAC", b"Speex   ")):
        raise _reject("unsupported_type", "Ogg stream is not Vorbis, Opus, FLAC or Speex audio")


def _ebml_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int]:
    if pos >= len(data) or data[pos] == 0:
        raise _reject("malformed", "invalid EBML number")
    first = data[pos]
    length = 8 - first.bit_length() + 1
    value = first if keep_marker else first & (0xFF >> length)
    for b in data[pos + 1:pos + length]:
        value = (value << 8) | b
    return value, pos + length


def _ebml(head: bytes) -> str:
    _, pos = _ebml_vint(head, 0, keep_marker=True)  # EBML header id
    size, pos = _ebml_vint(head, pos, keep_marker=False)
    end = min(pos + size, len(head))
    while pos < end:
        elem, pos = _ebml_vint(head, pos, keep_marker=True)
        length, pos = _ebml_vint(head, pos, keep_marker=False)
        if elem == 0x4282:  # DocType
            doctype = head[pos:pos + length]
            if doctype == b"webm":
                return "webm"
            raise _reject("unsupported_type", f"Matroska document type {doctype!r} is not accepted")
        pos += length
    raise _reject("malformed", "EBML header has no document type")


_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
    b"M4V ", b"M4VH", b"M4VP", b"dash", b"MSNV", b"mmp4", b"f4v ",
}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A "}


def _bmff(src: _Source, head: bytes) -> str:
    """ISO base media (MP4, M4A) and QuickTime: brand, then the box chain."""
    top = []
    pos = 0
    while pos < src.size:
        header = src.exact(pos, 8, "media box header")
        size, btype = struct.unpack(">I4s", header)
        if size == 1:
            size = struct.unpack(">Q", src.exact(pos + 8, 8, "media box size"))[0]
            if size < 16:
                raise _reject("malformed", "invalid media box size")
        elif size == 0:
            size = src.size - pos  # box runs to the end of the file
        elif size < 8:
            raise _reject("malformed", "invalid media box size")
        if not all(32 <= c < 127 for c in btype):
            raise _reject("trailing_data" if top else "malformed", "data that is not a media box")
        top.append(btype)
        pos += size
        if len(top) > 10_000:
            raise _reject("malformed", "too many top-level media boxes")
    if pos != src.size:
        raise _reject("malformed", "the last media box is truncated")
    if top[0] == b"ftyp":
        major = head[8:12]
        ftyp_size = struct.unpack(">I", head[:4])[0]
        brands = {major} | {head[i:i + 4] for i in range(16, min(ftyp_size, len(head)) - 3, 4)}
        if major in _M4A_BRANDS:
            return "m4a"
        if major == b"qt  ":
            return "mov"
        if major in _MP4_BRANDS or (brands & _MP4_BRANDS and major not in {b"heic", b"mif1", b"avif", b"msf1"}):
            return "mp4"
        raise _reject("unsupported_type", f"media brand {major!r} is not accepted")
    if b"moov" in top:
        return "mov"  # QuickTime files from before ftyp existed
    raise _reject("unsupported_type", "no movie header found")


# -- PDF ----------------------------------------------------------------------

_PDF_HEADER = re.compile(rb"%PDF-\d\.\d[\r\n\s%]")
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)(?![A-Za-z0-9])")
_PDF_ESCAPED_NAME = re.compile(rb"/[A-Za-z0-9]*#[0-9A-Fa-f]{2}(?:[A-Za-z0-9]|#[0-9A-Fa-f]{2})*")
_PDF_ACTIVE_NAMES = {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"RichMedia", b"XFA"}


def _pdf(src: _Source, head: bytes) -> bool:
    """Validate the PDF frame; True if it carries active content."""
    if not _PDF_HEADER.match(head):
        raise _reject("malformed", "truncated or invalid PDF header")
    tail = src.read_at(max(0, src.size - 1024), 1024)
    eof = tail.rfind(b"%%EOF")
    if eof == -1:
        raise _reject("malformed", "the PDF has no %%EOF marker (truncated)")
    if tail[eof + 5:].strip(b"\r\n\t \x00"):
        raise _reject("trailing_data", "data after the final PDF %%EOF marker")
    if _MARKUP.search(head[:1024].lower()):
        raise _reject("polyglot", "the PDF starts with HTML or script markup")
    if _has_zip_end_record(src):
        raise _reject("polyglot", "the PDF also ends like a zip archive")
    for chunk in src.chunks(overlap=64):
        if _PDF_ACTIVE.search(chunk):
            return True
        for m in _PDF_ESCAPED_NAME.finditer(chunk):
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda g: bytes([int(g.group(1), 16)]), m.group()[1:])
            if name in _PDF_ACTIVE_NAMES:
                return True  # obfuscated name, e.g. /J#61vaScript
    return False


# -- zip containers -----------------------------------------------------------

_ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07",
                  b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd", b"MSCF")
# Everything zipfile and its decompressors raise on hostile input.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
               ValueError, OSError, EOFError, zlib.error, lzma.LZMAError, struct.error, OverflowError)
_UNSAFE_NAME = re.compile(r"(^|/)\.\.(/|$)|^/|^[A-Za-z]:|\\|[\x00-\x1f\x7f]")


def _zip(src: _Source, limits: Limits) -> str:
    # The central directory must end exactly at the end of the file.
    if not _has_zip_end_record(src):
        raise _reject("trailing_data", "data after the zip end record (or no end record)")
    try:
        zf = zipfile.ZipFile(src._s)
    except _ZIP_ERRORS as exc:
        raise _reject("malformed", f"invalid zip archive: {exc}") from None
    with zf:
        infos = zf.infolist()
        _zip_directory(infos, src, limits)
        names = {i.filename for i in infos}
        lower = {n.lower() for n in names}
        kind = _zip_kind(zf, infos, names)
        if kind != "zip":
            if any(n.endswith("vbaproject.bin") or "/activex/" in f"/{n}" for n in lower) or any(
                n.startswith(("basic/", "scripts/")) for n in lower
            ):
                raise _reject("office_macros", "the office document contains macros or ActiveX controls")
        _zip_contents(zf, infos, limits, project=kind == "zip")
    return kind


def _zip_directory(infos: list[zipfile.ZipInfo], src: _Source, limits: Limits) -> None:
    """Checks on the central directory alone, before decompressing anything."""
    if not infos:
        raise _reject("malformed", "the archive is empty")
    if len(infos) > limits.zip_max_entries:
        raise _reject("zip_too_many_entries", f"{len(infos)} entries; the limit is {limits.zip_max_entries}")
    seen = set()
    total = compressed = 0
    for info in infos:
        name = info.filename
        if not name or _UNSAFE_NAME.search(name):
            raise _reject("zip_path_traversal", f"unsafe entry name {name!r}")
        key = unicodedata.normalize("NFC", name).casefold().rstrip("/")
        if key in seen:
            raise _reject("zip_unsafe_entry", f"duplicate entry {name!r}")
        seen.add(key)
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_ISLNK(mode):
            raise _reject("zip_unsafe_entry", f"entry {name!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise _reject("zip_encrypted", f"entry {name!r} is encrypted")
        total += info.file_size
        compressed += info.compress_size
        if info.file_size > limits.zip_ratio_floor and info.file_size > limits.zip_max_ratio * max(info.compress_size, 1):
            raise _reject("zip_bomb", f"entry {name!r} expands more than {limits.zip_max_ratio}x")
    if total > limits.zip_max_total:
        raise _reject("zip_bomb", f"the archive expands to {total} bytes; the limit is {limits.zip_max_total}")
    if total > limits.zip_ratio_floor and total > limits.zip_max_ratio * max(compressed, 1):
        raise _reject("zip_bomb", f"the archive expands more than {limits.zip_max_ratio}x")
    # Entries must not share bytes: overlapping entries are how non-recursive
    # zip bombs reuse one compressed stream many times.
    spans = sorted((i.header_offset, i.header_offset + 30 + len(i.orig_filename.encode("utf-8", "surrogateescape")) + i.compress_size) for i in infos)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if start < end:
            raise _reject("zip_bomb", "archive entries overlap")


def _zip_kind(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], names: set[str]) -> str:
    first = infos[0]
    if first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED:
        mimetype = _zip_read(zf, first, 256).strip()
        if mimetype in _ODF_TYPES:
            return _ODF_TYPES[mimetype]
    if "[Content_Types].xml" in names:
        types = _zip_read(zf, zf.getinfo("[Content_Types].xml"), 1 * MiB)
        if b"macroEnabled" in types:
            raise _reject("office_macros", "macro-enabled office document")
        for part, kind in (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"),
                           ("ppt/presentation.xml", "pptx")):
            if part in names:
                return kind
    return "zip"


def _zip_read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    try:
        with zf.open(info) as f:
            return f.read(limit)
    except _ZIP_ERRORS as exc:
        raise _reject("malformed", f"cannot read entry {info.filename!r}: {exc}") from None


def _zip_contents(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits, *, project: bool) -> None:
    """Decompress every entry (bounded) so CRCs and real sizes are checked."""
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        try:
            with zf.open(info) as f:
                first = f.read(512)
                total += len(first)
                if project:
                    if what := _is_executable(first):
                        raise _reject("executable", f"entry {info.filename!r} is {what}")
                    if first.startswith(_ARCHIVE_MAGIC):
                        raise _reject("zip_nested_archive", f"entry {info.filename!r} is an archive")
                while data := f.read(_CHUNK):
                    total += len(data)
                    if total > limits.zip_max_total:
                        raise _reject("zip_bomb", "the archive expands beyond the size limit")
        except UploadRejected:
            raise
        except _ZIP_ERRORS as exc:
            raise _reject("malformed", f"cannot read entry {info.filename!r}: {exc}") from None


# -- text, SVG, HTML ----------------------------------------------------------

# WHATWG MIME sniffing: these openings make a browser treat bytes as HTML.
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)[\s>]",
    re.I,
)
_TEXT_HTML = re.compile(rb"<(?:script|html|iframe|body)[\s>/]", re.I)
_XML_MISC = re.compile(rb"\s*(?:<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S | re.I)
_ROOT = re.compile(rb"\s*<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def _text(src: _Source, head: bytes) -> tuple[str, bool]:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        for chunk in src.chunks():
            if b"\x00" in chunk:
                raise _reject("unsupported_type", "binary content of an unknown type")
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _reject("unsupported_type", "binary content of an unknown type") from None

    start = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    pos = 0
    prolog = False
    while m := _XML_MISC.match(start, pos):
        pos, prolog = m.end(), True
    root = _ROOT.match(start, pos)
    if root and (prolog or root.group(2).lower() == b"svg"):
        name = root.group(2).lower()
        if name == b"html":
            raise _reject("html", "XHTML documents are not accepted")
        if name == b"svg":
            for chunk in src.chunks(overlap=16):
                if re.search(rb"<!ENTITY", chunk, re.I):
                    raise _reject("xml_entities", "the SVG declares XML entities")
            return "svg", True
    # Old browsers sniffed tags anywhere in the first 512 bytes.
    if _HTML_START.match(start.lstrip()) or _TEXT_HTML.search(start[:512]):
        raise _reject("html", "HTML documents are not accepted; upload a PDF or a zip of the site")
    return "txt", False


# -- names ----------------------------------------------------------------------

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
_FORBIDDEN_CHARS = re.compile(r'[<>:"/\\|?*]')


def _extension_of(filename: str | None) -> str | None:
    if not filename:
        return None
    base = re.split(r"[/\\]", filename)[-1].strip().rstrip(". ")
    if "." not in base:
        return None
    return base.rsplit(".", 1)[1].lower()


def safe_filename(filename: str | None, inspection: Inspection, *, max_length: int = 120) -> str:
    """A display/download name that is safe on every OS and matches the content.

    Strips any path, control and formatting characters (including the
    right-to-left override used to disguise ``exe.pdf`` as ``fdp.exe``),
    characters Windows forbids and reserved device names; keeps the user's
    extension only if it is an alias of the detected type, else uses the
    canonical one.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ")
    name = _FORBIDDEN_CHARS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, _, ext = name.rpartition(".")
    if not stem:
        stem, ext = name, ""
    ext = ext.lower()
    aliases = next((t.aliases for t in _TYPES.values() if t.mime == inspection.mime_type), frozenset())
    if ext not in aliases:
        ext = inspection.extension  # "report.exe" that is a PDF -> "report.pdf"
    stem = stem.strip(" .")
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    if not stem:
        stem = "upload"
    budget = max(1, max_length - len(ext) - 1)
    return f"{stem[:budget].rstrip(' .') or 'upload'}.{ext}"

