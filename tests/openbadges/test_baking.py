import json
import struct
import zlib

import pytest

from openbadges.baking import MAX_IMAGE_BYTES, Baked, BakingError, bake_png, bake_svg, extract

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Ünïcode badge ]]> <&>",
}
JWS = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6d2ViOngifQ.c2lnbmF0dXJl"


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def itxt(keyword: bytes, text: bytes, compressed: int = 0) -> bytes:
    return chunk(b"iTXt", keyword + b"\x00" + bytes([compressed, 0]) + b"\x00\x00" + text)


def png(*extra: bytes, pixels: bytes = b"\x00\xff\x00\x00\x00\xff\x00\x00") -> bytes:
    """A real 2x2 8-bit greyscale PNG (filter byte + 2 pixels per row)."""
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
    idat = chunk(b"IDAT", zlib.compress(pixels[:3] + pixels[4:7]))
    return b"\x89PNG\r\n\x1a\n" + ihdr + b"".join(extra) + idat + chunk(b"IEND", b"")


def chunks(image: bytes):
    offset, out = 8, []
    while offset < len(image):
        (length,) = struct.unpack(">I", image[offset:offset + 4])
        out.append((image[offset + 4:offset + 8], image[offset + 8:offset + 8 + length]))
        offset += 12 + length
    return out


SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
       b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">\n'
       b'  <circle cx="256" cy="256" r="200" fill="#fc0"/>\n</svg>\n')


def test_png_bake_json_then_extract():
    baked = bake_png(png(), CREDENTIAL)
    result = extract(baked)
    assert result == Baked("png", "3.0", result.payload)
    assert result.credential() == CREDENTIAL and not result.is_jwt


def test_png_chunk_is_uncompressed_itxt_after_ihdr_and_image_data_unchanged():
    original = png()
    baked = bake_png(original, JWS)
    kinds = [k for k, _ in chunks(baked)]
    assert kinds == [b"IHDR", b"iTXt", b"IDAT", b"IEND"]
    data = chunks(baked)[1][1]
    assert data == b"openbadgecredential\x00\x00\x00\x00\x00" + JWS.encode()
    assert chunks(baked)[2] == chunks(original)[1]  # pixel data untouched
    assert extract(baked) == Baked("png", "3.0", JWS) and extract(baked).is_jwt


def test_png_rebake_replaces_the_existing_credential():
    baked = bake_png(bake_png(png(), CREDENTIAL), JWS)
    texts = [d for k, d in chunks(baked) if k == b"iTXt"]
    assert len(texts) == 1 and extract(baked).payload == JWS


def test_png_keeps_other_text_chunks():
    other = itxt(b"Comment", b"made by hand")
    baked = bake_png(png(other), JWS)
    assert other[8:-4] in [d for k, d in chunks(baked) if k == b"iTXt"]


def test_png_with_two_credential_chunks_is_an_error():
    image = png(itxt(b"openbadgecredential", JWS.encode()), itxt(b"openbadgecredential", b"{}"))
    with pytest.raises(BakingError, match="at most one"):
        extract(image)


def test_png_compressed_credential_chunk_is_an_error():
    image = png(itxt(b"openbadgecredential", zlib.compress(JWS.encode()), compressed=1))
    with pytest.raises(BakingError, match="compressed"):
        extract(image)


def test_open_badges_2_png_is_extracted_as_version_2():
    assertion = json.dumps({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "https://x/a"})
    result = extract(png(itxt(b"openbadges", assertion.encode())))
    assert result.ob_version == "2.0" and result.format == "png"
    assert result.credential()["type"] == "Assertion"


def corrupt(image: bytes, at: int) -> bytes:
    return image[:at] + bytes([image[at] ^ 0xFF]) + image[at + 1:]


@pytest.mark.parametrize("image, message", [
    (b"GIF89a" + bytes(20), "not a PNG or SVG"),
    (b"", "not a PNG or SVG"),
    (png()[:40], "truncated"),
    (png()[:-12], "no IEND"),
    (corrupt(png(), 20), "bad CRC"),            # inside IHDR data
    (png() + b"trailing", "after the IEND"),
    (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 2**31) + b"IDAT" + bytes(16), "oversized"),
    (b"\x89PNG\r\n\x1a\n" + chunk(b"IDAT", b"x") + chunk(b"IEND", b""), "IHDR"),
    (png(itxt(b"openbadgecredential", b"\xff\xfe")), "UTF-8"),
    (png(chunk(b"iTXt", b"no-separators")), "malformed iTXt"),
    (png(), "no baked credential"),
])
def test_bad_pngs_give_clear_errors(image, message):
    with pytest.raises(BakingError, match=message):
        extract(image)


def test_baking_rejects_bad_credentials_and_bad_images():
    with pytest.raises(BakingError):
        bake_png(png(), "just some text")
    with pytest.raises(BakingError):
        bake_png(png(), 42)
    with pytest.raises(BakingError, match="CRC"):
        bake_png(corrupt(png(), 20), JWS)
    with pytest.raises(BakingError, match="larger"):
        bake_png(b"\x89PNG\r\n\x1a\n" + bytes(MAX_IMAGE_BYTES), JWS)


def test_svg_bake_json_as_cdata_first_child():
    baked = bake_svg(SVG, CREDENTIAL)
    text = baked.decode()
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in text
    start = text.index("<svg")
    first_child = text.index("<", text.index(">", start) + 1)
    assert text[first_child:].startswith("<openbadges:credential><![CDATA[")
    assert '<circle cx="256" cy="256" r="200" fill="#fc0"/>' in text  # rest kept verbatim
    result = extract(baked)
    assert (result.format, result.ob_version) == ("svg", "3.0")
    assert result.credential() == CREDENTIAL  # "]]>" in the data survived the CDATA split


def test_svg_bake_jwt_in_verify_attribute_and_rebake_replaces():
    baked = bake_svg(bake_svg(SVG, CREDENTIAL), JWS)
    text = baked.decode()
    assert text.count("openbadges:credential") == 2  # one open + one close tag
    assert f'<openbadges:credential verify="{JWS}"></openbadges:credential>' in text
    assert extract(baked) == Baked("svg", "3.0", JWS)


def test_svg_self_closing_root_and_ob2_prefix_clash():
    baked = bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg"/>', JWS)
    assert extract(baked).payload == JWS
    ob2 = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://w3id.org/openbadges">'
           b'<openbadges:assertion verify="https://x.example/assertion/1"/></svg>')
    assert extract(ob2) == Baked("svg", "2.0", "https://x.example/assertion/1")
    both = bake_svg(ob2, JWS)
    assert extract(both) == Baked("svg", "3.0", JWS)  # 3.0 wins; 2.0 element left alone
    assert b"openbadges:assertion" in both


def test_open_badges_2_svg_with_json_cdata():
    ob2 = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://w3id.org/openbadges">'
           b'<openbadges:assertion><![CDATA[{"type": "Assertion"}]]></openbadges:assertion></svg>')
    result = extract(ob2)
    assert result.ob_version == "2.0" and result.credential() == {"type": "Assertion"}


@pytest.mark.parametrize("image, message", [
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
     "entity declarations"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "a"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>', "entity declarations"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><!ENTITY x "y"></svg>', "well-formed"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "well-formed"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">'
     b'<ob:credential verify="a.b.c"/><ob:credential verify="d.e.f"/></svg>', "at most one"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">'
     b'<ob:credential>  </ob:credential></svg>', "empty"),
    (b'<html><svg></svg></html>', "root element"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><title>\xff</title></svg>', "UTF-8"),
    (SVG, "no baked credential"),
])
def test_bad_svgs_give_clear_errors(image, message):
    with pytest.raises(BakingError, match=message):
        extract(image)


def test_svg_doctype_system_id_is_never_loaded():
    # expat does not load external DTDs; defusedxml refuses external entities
    baked = bake_svg(b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg xmlns="http://www.w3.org/2000/svg"/>', JWS)
    assert b"root:" not in baked and extract(baked).payload == JWS
    with pytest.raises(BakingError, match="entity declarations"):
        extract(b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">'
                b'&x;</svg>')


def test_svg_with_a_plain_doctype_is_read():
    # what Inkscape and 1EdTech's own baked examples write: no entities, nothing external to fetch
    svg = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"/>')
    baked = bake_svg(svg, JWS)
    assert extract(baked).payload == JWS
