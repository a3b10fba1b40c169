"""Upload inspection: every allowed type is accepted, the attack corpus refused.

All samples are generated here, byte by byte, so the fixtures are readable
and nothing binary is committed.
"""

from __future__ import annotations

import io
import struct
import wave
import zipfile
import zlib

import pytest

from tests.support.portfolio import pdf

from service.portfolio.inspection import (
    REASON_CODES,
    Inspection,
    Limits,
    UploadRejected,
    inspect_upload,
    safe_filename,
)

# -- generators of minimal valid files ---------------------------------------


def png(width=1, height=1, *, extra_chunks=()) -> bytes:
    def chunk(ctype: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    idat = zlib.compress(b"\x00\x00" * 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + b"".join(
        chunk(t, d) for t, d in extra_chunks
    ) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def jpeg(width=1, height=1) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(1, 65))
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + app0 + dqt + sof + sos + b"\x12\x34\x56" + b"\xff\xd9"


def gif(width=1, height=1, header=b"GIF89a") -> bytes:
    lsd = struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x44\x01\x00"
    return header + lsd + image + b"\x3b"


def riff(form: bytes, chunks: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + form + chunks


def webp_vp8x(width=1, height=1) -> bytes:
    payload = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return riff(b"WEBP", b"VP8X" + struct.pack("<I", len(payload)) + payload)


def webp_vp8l(width=1, height=1) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    payload = b"\x2f" + bits.to_bytes(4, "little") + b"\x00\x00\x00"
    return riff(b"WEBP", b"VP8L" + struct.pack("<I", len(payload)) + payload)


def webp_vp8(width=1, height=1) -> bytes:
    payload = b"\x30\x01\x00\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 8
    return riff(b"WEBP", b"VP8 " + struct.pack("<I", len(payload)) + payload)


def wav() -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:  # the stdlib writes a real RIFF/WAVE file
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 800)
    return buf.getvalue()


def mp3(frames=3, id3=True) -> bytes:
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames.
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    tag = b"ID3\x03\x00\x00" + bytes([0, 0, 0, 10]) + b"\x00" * 10 if id3 else b""
    return tag + frame * frames


def ogg(packet=b"\x01vorbis" + b"\x00" * 22) -> bytes:
    header = b"OggS\x00\x02" + b"\x00" * 8 + b"\x01\x00\x00\x00" + b"\x00" * 8 + bytes([1, len(packet)])
    return header + packet


def box(btype: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + btype + payload


def bmff(major: bytes, compatible=(b"isom",)) -> bytes:
    ftyp = box(b"ftyp", major + b"\x00\x00\x02\x00" + b"".join(compatible))
    return ftyp + box(b"moov", box(b"mvhd", b"\x00" * 100)) + box(b"mdat", b"\x00" * 64)


def ebml(doctype=b"webm") -> bytes:
    doc = b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    fields = b"\x42\x86\x81\x01" + b"\x42\xf7\x81\x01" + doc
    header = b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(fields)]) + fields
    return header + b"\x18\x53\x80\x67\x01\x00\x00\x00\x00\x00\x00\x04" + b"\x00" * 4


def zip_bytes(entries, *, first_stored=None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if first_stored:
            zf.writestr(zipfile.ZipInfo(first_stored[0]), first_stored[1], compress_type=zipfile.ZIP_STORED)
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def ooxml(main_part: str, extra=()) -> bytes:
    types = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    return zip_bytes([("[Content_Types].xml", types), ("_rels/.rels", b"<Relationships/>"),
                      (main_part, b"<document/>"), *extra])


def odf(mimetype: bytes) -> bytes:
    return zip_bytes([("content.xml", b"<office:document-content/>"), ("META-INF/manifest.xml", b"<m/>")],
                     first_stored=("mimetype", mimetype))


SVG = b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n'

ACCEPTED = [
    ("report.pdf", pdf(), "application/pdf", "pdf", "document", False),
    ("photo.png", png(), "image/png", "png", "image", False),
    ("photo.jpg", jpeg(640, 480), "image/jpeg", "jpg", "image", False),
    ("anim.gif", gif(), "image/gif", "gif", "image", False),
    ("pic.webp", webp_vp8x(), "image/webp", "webp", "image", False),
    ("lossless.webp", webp_vp8l(20, 10), "image/webp", "webp", "image", False),
    ("lossy.webp", webp_vp8(20, 10), "image/webp", "webp", "image", False),
    ("logo.svg", SVG, "image/svg+xml", "svg", "image", True),
    ("song.mp3", mp3(), "audio/mpeg", "mp3", "audio", False),
    ("bare.mp3", mp3(id3=False), "audio/mpeg", "mp3", "audio", False),
    ("voice.wav", wav(), "audio/wav", "wav", "audio", False),
    ("voice.ogg", ogg(), "audio/ogg", "ogg", "audio", False),
    ("opus.ogg", ogg(b"OpusHead\x01\x01" + b"\x00" * 9), "audio/ogg", "ogg", "audio", False),
    ("talk.m4a", bmff(b"M4A ", (b"M4A ", b"mp42", b"isom")), "audio/mp4", "m4a", "audio", False),
    ("clip.mp4", bmff(b"isom", (b"isom", b"iso2", b"avc1", b"mp41")), "video/mp4", "mp4", "video", False),
    ("clip.mov", bmff(b"qt  ", (b"qt  ",)), "video/quicktime", "mov", "video", False),
    ("old.mov", box(b"wide", b"") + box(b"mdat", b"\x00" * 32) + box(b"moov", b"\x00" * 16), "video/quicktime", "mov", "video", False),
    ("clip.webm", ebml(), "video/webm", "webm", "video", False),
    ("essay.docx", ooxml("word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "document", False),
    ("sheet.xlsx", ooxml("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "document", False),
    ("deck.pptx", ooxml("ppt/presentation.xml"), "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "document", False),
    ("essay.odt", odf(b"application/vnd.oasis.opendocument.text"), "application/vnd.oasis.opendocument.text", "odt", "document", False),
    ("sheet.ods", odf(b"application/vnd.oasis.opendocument.spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet", "ods", "document", False),
    ("deck.odp", odf(b"application/vnd.oasis.opendocument.presentation"), "application/vnd.oasis.opendocument.presentation", "odp", "document", False),
    ("notes.txt", "Reflection: caf\u00e9 \u2713\nline two\n".encode(), "text/plain", "txt", "text", False),
    ("main.py", b"#!/usr/bin/env python3\nprint('hi')\n", "text/plain", "txt", "text", False),
    ("data.xml", b'<?xml version="1.0"?><data><row/></data>', "text/plain", "txt", "text", False),
    ("mz.txt", b"MZ is the start of my essay about DOS.\n", "text/plain", "txt", "text", False),
    ("project.zip", zip_bytes([("project/README.md", b"# Robot\n"), ("project/src/main.c", b"int main(){}\n"),
                               ("project/img/", b"")]), "application/zip", "zip", "archive", False),
]


@pytest.mark.parametrize("name, data, mime, ext, category, active", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_allowed_types_are_accepted(name, data, mime, ext, category, active):
    assert inspect_upload(io.BytesIO(data), name) == Inspection(mime, ext, category, active)


def test_type_comes_from_content_not_name():
    # A real PNG called .pdf is a PNG; the name never decides.
    assert inspect_upload(png(), "essay.pdf").mime_type == "image/png"
    assert inspect_upload(pdf(), "photo.png").mime_type == "application/pdf"


def test_stream_position_is_restored_and_bytes_accepted():
    stream = io.BytesIO(b"xx" + png())
    stream.seek(2)
    with pytest.raises(UploadRejected):
        inspect_upload(stream)  # inspects the whole stream, including "xx"
    assert stream.tell() == 2
    assert inspect_upload(png()).extension == "png"


def test_non_seekable_stream_is_a_type_error():
    class Pipe(io.RawIOBase):
        def readable(self):
            return True

    with pytest.raises(TypeError):
        inspect_upload(Pipe())


# -- the attack corpus ----------------------------------------------------------


def zip_bomb_ratio() -> bytes:
    return zip_bytes([("zeros.bin", b"\x00" * (50 * 1024 * 1024))])


def zip_many_entries() -> bytes:
    return zip_bytes([(f"f{i}.txt", b"") for i in range(6000)])


def zip_with_symlink() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.create_system = 3
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def zip_encrypted() -> bytes:
    data = bytearray(zip_bytes([("secret.txt", b"hidden")]))
    # Set the "encrypted" flag bit in the local and central headers.
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig)
        data[i + flag_at] |= 1
    return bytes(data)


def zip_overlapping() -> bytes:
    """Two entries whose data share bytes, the trick of non-recursive zip bombs."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a", b"A" * 100)
        zf.writestr("b", b"B" * 100)
    data = bytearray(buf.getvalue())
    second = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    struct.pack_into("<I", data, second + 42, 10)  # b's local header "inside" a's data
    return bytes(data)


def billion_laughs() -> bytes:
    return (b'<?xml version="1.0"?>\n<!DOCTYPE svg [\n <!ENTITY lol "lol">\n'
            b' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>')


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46 + b"PE\x00\x00"
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 32

REJECTED = [
    # executables, whatever they are called
    ("elf-as-png", "cat.png", ELF, "executable"),
    ("pe-as-pdf", "essay.pdf", PE, "executable"),
    ("macho-as-jpg", "me.jpg", MACHO, "executable"),
    ("wasm", "x.txt", b"\x00asm\x01\x00\x00\x00", "executable"),
    # scripts and markup disguised as images
    ("shell-script-as-png", "cat.png", b"#!/bin/sh\nrm -rf ~\n", "type_mismatch"),
    ("js-as-gif", "cat.gif", b"alert(document.cookie)\n", "type_mismatch"),
    ("svg-as-png", "logo.png", SVG, "type_mismatch"),
    ("html-as-jpg", "me.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "html"),
    ("html-fragment", "notes.txt", b"\n  <p>hello <b>world</b></p>", "html"),
    ("html-script-later", "notes.txt", b"just some text\n<script>alert(1)</script>\n", "html"),
    ("xhtml", "page.xml", b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "html"),
    ("html-before-pdf", "doc.pdf", b"<html><body>hi</body></html>\n" + pdf(), "polyglot"),
    ("html-before-text-pdf", "doc.pdf", b"<html><body>hi</body></html>\n%PDF-1.4 1 0 obj", "polyglot"),
    # SVG entity bombs
    ("svg-billion-laughs", "logo.svg", billion_laughs(), "xml_entities"),
    # zip bombs and unsafe archives
    ("zip-bomb-ratio", "project.zip", zip_bomb_ratio(), "zip_bomb"),
    ("zip-many-entries", "project.zip", zip_many_entries(), "zip_too_many_entries"),
    ("zip-overlapping", "project.zip", zip_overlapping(), "zip_bomb"),
    ("zip-dotdot", "project.zip", zip_bytes([("../../home/user/.bashrc", b"evil")]), "zip_path_traversal"),
    ("zip-dotdot-inner", "project.zip", zip_bytes([("src/../../x", b"evil")]), "zip_path_traversal"),
    ("zip-absolute", "project.zip", zip_bytes([("/etc/cron.d/x", b"evil")]), "zip_path_traversal"),
    ("zip-backslash", "project.zip", zip_bytes([("..\\..\\windows\\x.dll", b"evil")]), "zip_path_traversal"),
    ("zip-drive", "project.zip", zip_bytes([("C:/x.txt", b"evil")]), "zip_path_traversal"),
    ("zip-symlink", "project.zip", zip_with_symlink(), "zip_unsafe_entry"),
    ("zip-duplicate", "project.zip", zip_bytes([("a.txt", b"1"), ("A.TXT", b"2")]), "zip_unsafe_entry"),
    ("zip-encrypted", "project.zip", zip_encrypted(), "zip_encrypted"),
    ("zip-nested", "project.zip", zip_bytes([("inner.zip", zip_bytes([("x", b"y")]))]), "zip_nested_archive"),
    ("zip-nested-gzip", "project.zip", zip_bytes([("data.bin", b"\x1f\x8b\x08\x00" + b"\x00" * 20)]), "zip_nested_archive"),
    ("zip-with-exe", "project.zip", zip_bytes([("game/run.exe", PE)]), "executable"),
    ("zip-trailing", "project.zip", zip_bytes([("a.txt", b"x")]) + b"<script>", "trailing_data"),
    ("zip-empty", "project.zip", zip_bytes([]), "malformed"),
    ("docm-macros", "essay.docx", ooxml("word/document.xml", [("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]), "office_macros"),
    ("docx-activex", "essay.docx", ooxml("word/document.xml", [("word/activeX/activeX1.xml", b"<ax/>")]), "office_macros"),
    ("odt-basic", "essay.odt", zip_bytes([("Basic/Standard/Module1.xml", b"<m/>")],
                                         first_stored=("mimetype", b"application/vnd.oasis.opendocument.text")), "office_macros"),
    # image dimension bombs (no pixel is ever decoded)
    ("png-100000x100000", "big.png", png(100_000, 100_000), "image_too_large"),
    ("jpeg-60000x60000", "big.jpg", jpeg(60_000, 60_000), "image_too_large"),
    ("gif-65535x65535", "big.gif", gif(65_535, 65_535), "image_too_large"),
    ("webp-16384x16384", "big.webp", webp_vp8x(16_384, 16_384), "image_too_large"),
    ("png-zero-width", "x.png", png(0, 5), "malformed"),
    # polyglots
    ("gif-js", "x.gif", b"GIF89a/*\x01\x00\x00\x00\x00*/=alert(document.domain);//" + b"\x3b", "polyglot"),
    ("png-with-html-chunk", "x.png", png(extra_chunks=[(b"tEXt", b"Comment\x00<html><script>alert(1)</script>")]), "polyglot"),
    ("jpeg-with-zip", "x.jpg", jpeg() + zip_bytes([("a.txt", b"x")]), "polyglot"),
    ("jpeg-with-pdf-header", "x.jpg", jpeg()[:2] + b"\xff\xfe\x00\x0a%PDF-1.4" + jpeg()[2:], "polyglot"),
    ("png-with-zip", "x.png", png() + zip_bytes([("a.txt", b"x")]), "trailing_data"),
    ("gif-trailing", "x.gif", gif() + b"alert(1)", "trailing_data"),
    ("webp-trailing", "x.webp", webp_vp8x() + b"PK\x03\x04junk", "trailing_data"),
    ("pdf-html-head", "x.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>\n" + pdf()[9:], "polyglot"),
    ("pdf-html-after-eof", "x.pdf", pdf(tail=b"<html><script>alert(1)</script></html>"), "trailing_data"),
    ("pdf-with-zip", "x.pdf", pdf() + zip_bytes([("a.txt", b"x")]), "trailing_data"),
    # truncated / malformed headers
    ("pdf-bare-magic", "x.pdf", b"%PDF-", "malformed"),
    ("pdf-half-version", "x.pdf", b"%PDF-1.", "malformed"),
    ("pdf-no-eof", "x.pdf", pdf()[: len(pdf()) // 2], "malformed"),
    ("png-truncated", "x.png", png()[:40], "malformed"),
    ("png-bad-crc", "x.png", png()[:29] + b"\x00\x00\x00\x00" + png()[33:], "malformed"),
    ("jpeg-no-frame", "x.jpg", b"\xff\xd8\xff\xe0\x00\x04ab\xff\xd9", "malformed"),
    ("gif-truncated", "x.gif", gif()[:-5], "malformed"),
    ("wav-truncated", "x.wav", wav()[:-100], "malformed"),
    # empty, unknown, other containers
    ("empty", "x.png", b"", "empty_file"),
    ("random-binary", "x.dat", bytes(range(256)) * 4, "unsupported_type"),
    ("nul-in-text", "x.txt", b"hello\x00world", "unsupported_type"),
    ("utf16-text", "x.txt", "hello".encode("utf-16"), "unsupported_type"),
    ("gzip", "x.tar.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 20, "unsupported_type"),
    ("ole2-doc", "x.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "unsupported_type"),
    ("mkv", "x.mkv", ebml(b"matroska"), "unsupported_type"),
    ("heic", "x.heic", bmff(b"heic", (b"mif1", b"heic")), "unsupported_type"),
    ("theora-ogg", "x.ogv", ogg(b"\x80theora" + b"\x00" * 20), "unsupported_type"),
]


@pytest.mark.parametrize("name, data, reason", [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED])
def test_attack_corpus_is_refused(name, data, reason):
    with pytest.raises(UploadRejected) as exc:
        inspect_upload(io.BytesIO(data), name)
    assert exc.value.reason_code == reason, str(exc.value)
    assert exc.value.reason_code in REASON_CODES
    assert exc.value.message


def test_svg_with_script_is_accepted_only_as_active_content():
    evil = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
    result = inspect_upload(evil, "drawing.svg")
    assert result.mime_type == "image/svg+xml" and result.active_content is True


@pytest.mark.parametrize("body", [
    b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ",
    b"/AA << /O << /S /J#61vaScript /JS (x) >> >> ",  # hex-escaped name
    b"/OpenAction << /S /Launch /F (cmd.exe) >> ",
    b"/Names << /EmbeddedFiles << /Names [(a) << /Type /EmbeddedFile >>] >> >> ",
])
def test_pdf_with_active_content_is_flagged(body):
    result = inspect_upload(pdf(body), "x.pdf")
    assert result.mime_type == "application/pdf" and result.active_content is True


def test_size_limits():
    with pytest.raises(UploadRejected) as exc:
        inspect_upload(b"x" * 101, limits=Limits(max_bytes=100))
    assert exc.value.reason_code == "too_large"
    assert inspect_upload(b"x" * 100, limits=Limits(max_bytes=100)).mime_type == "text/plain"
    with pytest.raises(UploadRejected) as exc:
        inspect_upload(png(101, 100), limits=Limits(max_pixels=10_000))
    assert exc.value.reason_code == "image_too_large"
    assert inspect_upload(png(100, 100), limits=Limits(max_pixels=10_000)).extension == "png"


def test_zip_total_size_cap_counts_real_bytes():
    data = zip_bytes([(f"part{i}.txt", bytes(range(256)) * 4096) for i in range(3)])  # 3 MiB, low ratio
    with pytest.raises(UploadRejected) as exc:
        inspect_upload(data, limits=Limits(zip_max_total=2 * 1024 * 1024))
    assert exc.value.reason_code == "zip_bomb"


# -- filenames ------------------------------------------------------------------

TXT = Inspection("text/plain", "txt", "text")
PDF = Inspection("application/pdf", "pdf", "document")
JPG = Inspection("image/jpeg", "jpg", "image")


@pytest.mark.parametrize("given, inspection, expected", [
    ("essay.pdf", PDF, "essay.pdf"),
    ("Essay.PDF", PDF, "Essay.pdf"),
    ("photo.JPEG", JPG, "photo.jpeg"),  # an alias of the detected type is kept
    ("photo.png", JPG, "photo.jpg"),  # a wrong extension is replaced
    ("report.exe", PDF, "report.pdf"),
    ("../../etc/passwd", TXT, "passwd.txt"),
    ("C:\\Users\\me\\notes.md", TXT, "notes.md"),
    ("invoice\u202efdp.exe", PDF, "invoicefdp.pdf"),  # right-to-left override removed
    ("bad\x00name\x1b[31m.txt", TXT, "badname[31m.txt"),
    ('a<b>c:"d"|e?*.txt', TXT, "a_b_c__d__e__.txt"),
    ("CON.txt", TXT, "_CON.txt"),
    ("lpt1", TXT, "_lpt1.txt"),
    ("...", TXT, "upload.txt"),
    ("", PDF, "upload.pdf"),
    (None, PDF, "upload.pdf"),
    (".bashrc", TXT, "bashrc.txt"),
    ("  spaced   out  .txt ", TXT, "spaced out.txt"),
    ("caf\u00e9 r\u00e9sum\u00e9.pdf", PDF, "caf\u00e9 r\u00e9sum\u00e9.pdf"),
    ("zero\u200bwidth.pdf", PDF, "zerowidth.pdf"),
])
def test_safe_filename(given, inspection, expected):
    assert safe_filename(given, inspection) == expected


def test_safe_filename_is_bounded():
    name = safe_filename("x" * 500 + ".pdf", PDF)
    assert len(name) == 120 and name.endswith(".pdf")


# -- robustness: damaged input is refused, never crashes -------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

SAMPLES = [a[1] for a in ACCEPTED]


@settings(max_examples=600, deadline=None)
@given(
    sample=st.sampled_from(SAMPLES),
    cut=st.integers(min_value=0, max_value=4096),
    flips=st.lists(st.tuples(st.integers(min_value=0, max_value=4095), st.integers(1, 255)), max_size=4),
)
def test_mutated_samples_never_crash(sample, cut, flips):
    data = bytearray(sample[: max(1, len(sample) - cut % len(sample))])
    for pos, xor in flips:
        data[pos % len(data)] ^= xor
    try:
        result = inspect_upload(bytes(data), "x.bin")
    except UploadRejected as exc:
        assert exc.reason_code in REASON_CODES
    else:
        assert isinstance(result, Inspection)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=2048))
def test_random_bytes_never_crash(data):
    try:
        inspect_upload(data)
    except UploadRejected as exc:
        assert exc.reason_code in REASON_CODES
