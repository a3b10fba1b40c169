"""The readable outputs: the PDF renders (its QR code decodes to the verification URL),
the CSV carries the traditional view, and the export zip holds transcripts and badges."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile

import pytest

needs_tools = pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
                                 reason="poppler-utils and zbar-tools are not installed (.ci/system-deps)")


@needs_tools
def test_pdf_pages_render_and_the_qr_code_leads_to_the_verification_page(client, factory, tschool, issued,
                                                                          tmp_path):
    resp = client.get(f"/api/v1/transcripts/{issued.id}/transcript.pdf", headers=factory.auth(tschool["s1"]))
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(resp.data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2  # the traditional first page, then competencies, policy and school profile
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(pages[0])], capture_output=True, text=True, timeout=60, check=True)
    assert decoded.stdout.strip() == f"https://badges.test/transcripts/{issued.id}/verify"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True).stdout
    first = text.split("\f")[0]
    assert "OFFICIAL TRANSCRIPT" in first and "ELA9H" in first and "A-" in first and "3.70" in first
    assert "Competency record" in text and "Credit policy version 1" in text


def test_csv_of_the_traditional_view(client, factory, tschool, issued):
    resp = client.get(f"/api/v1/transcripts/{issued.id}/transcript.csv", headers=factory.auth(tschool["admin"]))
    assert resp.status_code == 200
    rows = list(csv.DictReader(io.StringIO(resp.data.decode())))
    assert rows == [{"student_number": "S-0001", "student_name": tschool["s1"].display_name, "course_code": "ELA9H",
                     "course_title": "English 9 Honors", "term": "2026-2027 Fall", "course_level": "honors",
                     "credits_attempted": "1.00", "credits_earned": "1.00", "letter_grade": "A-",
                     "grade_points": "3.70", "weighted_points": "4.20"}]


def test_the_export_zip_holds_transcripts_and_badges(client, factory, tschool):
    """s3 has no courses and no portfolio files: a transcript with no courses still issues,
    verifies, and lands in the export with the student's badge."""
    from service.badges.verification import verify_input
    from service.transcript import lifecycle
    from tests.support.badge_fixtures import award_badge, badge_class

    s2 = tschool["s3"]  # in a section without a course
    award = award_badge(tschool["org"], badge_class(tschool["org"], name="Good Start"), s2)
    t = lifecycle.issue(lifecycle.request_transcript(s2, actor=tschool["admin"]), actor=tschool["admin"])
    assert t.record["terms"] == [] and t.record["cumulative"]["gpa_unweighted"] is None
    report = verify_input(credential=t.credential)
    assert report["verified"], [c for c in report["checks"] if c["status"] == "fail"]
    resp = client.get("/api/v1/portfolio/export", headers=factory.auth(s2))
    assert resp.status_code == 200, resp.status_code
    names = zipfile.ZipFile(io.BytesIO(resp.data)).namelist()
    stem = f"transcripts/{t.issued_at:%Y-%m-%d}-{t.id}"
    assert {f"{stem}/clr.json", f"{stem}/clr.jwt", f"{stem}/transcript.pdf", f"{stem}/transcript.csv"} <= set(names)
    assert f"badges/{award.id}.json" in names and f"badges/{award.id}.jwt" in names


def test_csv_cells_never_run_as_spreadsheet_formulas():
    from service.transcript.outputs import csv_bytes

    course = {"code": "=1+1", "title": '=HYPERLINK("http://x")', "term": "2026", "level": "standard",
              "credits_attempted": "1.00", "credits_earned": "1.00", "letter": "B", "points": "3.00",
              "weighted_points": "3.00"}
    record = {"student": {"name": "@name", "number": "-7"}, "terms": [{"courses": [course]}]}
    row = list(csv.reader(io.StringIO(csv_bytes(record).decode())))[1]
    assert row[:4] == ["'-7", "'@name", "'=1+1", "'=HYPERLINK(\"http://x\")"]
