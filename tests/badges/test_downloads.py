"""Earner downloads: credential JSON, VC-JWT, baked PNG and SVG - each one
verifies, and only the earner (and the people who may see their work) get them."""
from __future__ import annotations

import json

import pytest

from openbadges import baking
from openbadges.verify import verify as ob_verify
from service.badges import downloads
from service.badges.verification import ServiceResolver, fetch_status_list
from tests.support import badge_fixtures as bf
from tests.support.signin import sign_in, sign_out


def login(client, person):
    response = sign_in(client, person, expect=None)
    assert response.status_code == 302


def our_verify(source):
    return ob_verify(source, resolver=ServiceResolver(), status_fetcher=fetch_status_list)


@pytest.mark.parametrize("fmt,mime", [("json", "application/ld+json"), ("jwt", "application/vc+jwt"),
                                      ("png", "image/png"), ("svg", "image/svg+xml")])
def test_each_download_verifies(client, issued, fmt, mime):
    login(client, issued["s1"])
    response = client.get(f"/my/badges/{issued['award'].id}/download/{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mime
    assert response.headers["Content-Disposition"] == f'attachment; filename="fractions-master.{fmt}"'
    body = response.get_data()
    if fmt in ("png", "svg"):
        baked = baking.extract(body)
        assert baked.format == fmt and baked.ob_version == "3.0"
        assert json.loads(baked.payload) == issued["award"].credential
    report = our_verify(body)
    assert report.verified, report.checks
    assert report.format == fmt


def test_uploaded_png_image_is_baked_and_becomes_svg_too(app, factory):
    school = factory.school()
    png = bf.tiny_png((200, 30, 30))
    bc = bf.badge_class(school["org"], name="Red Badge", image=png)
    award = bf.award_badge(school["org"], bc, school["s2"])
    baked = downloads.baked_png(award)
    assert baking.extract(baked).ob_version == "3.0"
    # the uploaded pixels are kept: same IDAT chunk as the upload
    assert png[png.index(b"IDAT") - 4:] .split(b"IEND")[0] in baked
    svg = downloads.baked_svg(award)
    assert b"data:image/png;base64," in svg and our_verify(svg).verified


def test_generated_svg_badge_gets_a_valid_png(issued):
    png = downloads.baked_png(issued["award"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    chunks = []
    pos = 8
    while pos < len(png):
        import struct
        import zlib

        length = struct.unpack(">I", png[pos:pos + 4])[0]
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", png[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + data)
        chunks.append(kind)
        pos += 12 + length
    assert chunks[0] == b"IHDR" and b"iTXt" in chunks and b"IDAT" in chunks and chunks[-1] == b"IEND"


def test_others_cannot_download_and_pending_has_nothing(client, issued, factory):
    award = issued["award"]
    login(client, issued["s2"])  # a classmate
    assert client.get(f"/my/badges/{award.id}/download/json").status_code == 404
    sign_out(client)
    login(client, issued["t1"])  # their teacher may
    assert client.get(f"/my/badges/{award.id}/download/json").status_code == 200
    sign_out(client)
    assert client.get(f"/my/badges/{award.id}/download/json").status_code == 302  # sign in first
    from service.badges.models import Award
    from service.extensions import db

    pending = Award(organization_id=issued["org"].id, badge_class_id=issued["bc"].id,
                    recipient_id=issued["s2"].id, award_key="pending-test", status="pending_approval",
                    source="auto")
    db.session.add(pending)
    db.session.commit()
    login(client, issued["s2"])
    response = client.get(f"/my/badges/{pending.id}/download/png")
    assert response.status_code == 409 and "not been issued" in response.get_data(as_text=True)
