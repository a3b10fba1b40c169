"""Readable outputs of an issued transcript: CSV of the traditional view (for a
student information system) and a PDF (reportlab) whose first page reads like
a traditional transcript, with a QR code to the transcript's verification page;
the next pages list competencies with evidence counts, the credit policy and
the school profile. Fonts are Debian's DejaVu (fonts-dejavu-core): nothing is
fetched, and any script the names use prints."""
from __future__ import annotations

import csv
import io
import os
from functools import lru_cache

from .builder import courses_in

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")


def _cell(text) -> str:
    """Text cells that a spreadsheet would run as a formula are quoted (CSV injection)."""
    text = "" if text is None else str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(record: dict) -> bytes:
    """student number, course, term, credits, grade, points: one row per course."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["student_number", "student_name", "course_code", "course_title", "term", "course_level",
                     "credits_attempted", "credits_earned", "letter_grade", "grade_points", "weighted_points"])
    student = record["student"]
    for c in courses_in(record):
        writer.writerow([_cell(student.get("number")), _cell(student.get("name")), _cell(c["code"]),
                         _cell(c["title"]), _cell(c["term"]),
                         c["level"], c["credits_attempted"], c["credits_earned"], c["letter"] or "IP",
                         c["points"] or "", c["weighted_points"] or ""])
    return out.getvalue().encode("utf-8")


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold); Helvetica if the Debian fonts are missing."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for folder in FONT_DIRS:
        regular, bold = os.path.join(folder, "DejaVuSans.ttf"), os.path.join(folder, "DejaVuSans-Bold.ttf")
        if os.path.exists(regular) and os.path.exists(bold):
            pdfmetrics.registerFont(TTFont("DejaVuSans", regular))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", bold))
            return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def pdf_bytes(record: dict, *, verification_url: str, issued_at: str, status: str, issuer_name: str) -> bytes:
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5)
    h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=15, leading=18, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)
    school, student, policy = record.get("school") or {}, record["student"], record.get("policy") or {}

    def p(text, style=body):
        from xml.sax.saxutils import escape

        return Paragraph(escape(str(text if text is not None else "")), style)

    grid = TableStyle([("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                       ("FONTNAME", (0, 0), (-1, 0), bold), ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                       ("TOPPADDING", (0, 0), (-1, -1), 2)])
    qr = QrCodeWidget(verification_url, barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    size = 1.25 * inch
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    header = Table([[[p(school.get("name") or issuer_name, h1), p(school.get("address") or ""),
                      p(" · ".join(x for x in (f"School code {school['school_code']}" if school.get("school_code")
                                               else "", school.get("contact") or "") if x)),
                      Spacer(1, 6), p("OFFICIAL TRANSCRIPT", h2),
                      p(f"Student: {student.get('name') or ''}"
                        + (f"   Student number: {student['number']}" if student.get("number") else "")
                        + (f"   Grade: {student['grade_level']}" if student.get("grade_level") else "")),
                      p(f"Issued {issued_at[:10]} · credit policy version {policy.get('version')} · status: {status}")],
                     [drawing, p("Scan to verify", small)]]], colWidths=[5.6 * inch, 1.4 * inch])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [header, Spacer(1, 8)]
    for term in record["terms"]:
        rows = [["Course", "Title", "Level", "Credits", "Earned", "Grade", "Points"]]
        for c in term["courses"]:
            rows.append([c["code"], p(c["title"]), c["level"], c["credits_attempted"] if not c["in_progress"]
                         else c["credit_value"], c["credits_earned"], c["letter"] or "IP", c["points"] or "—"])
        rows.append(["", p(f"Term GPA {term['gpa_unweighted'] or '—'} (weighted {term['gpa_weighted'] or '—'})",
                           small), "", term["credits_attempted"], term["credits_earned"], "", ""])
        table = Table(rows, colWidths=[0.9 * inch, 2.9 * inch, 0.8 * inch, 0.65 * inch, 0.65 * inch, 0.55 * inch,
                                       0.55 * inch], repeatRows=1)
        table.setStyle(grid)
        story.append(KeepTogether([p(term["term"], h2), table]))
    cum = record["cumulative"]
    story += [Spacer(1, 8), p(f"Cumulative: credits attempted {cum['credits_attempted']}, earned "
                              f"{cum['credits_earned']}; GPA {cum['gpa_unweighted'] or '—'} unweighted, "
                              f"{cum['gpa_weighted'] or '—'} weighted.", h2)]
    if record.get("graduation"):
        rows = [["Graduation requirement", "Required", "Shown", "Met"]]
        rows += [[g["name"], g["required"], g["actual"] or "—", "yes" if g["met"] else "not yet"]
                 for g in record["graduation"]]
        table = Table(rows, colWidths=[3.5 * inch, 1 * inch, 1 * inch, 1 * inch])
        table.setStyle(grid)
        story += [table]
    story += [Spacer(1, 6), p("IP = in progress (no scored evidence yet). Grades are translated from competency "
                              "levels by the credit policy named above; the competency record, the policy and "
                              f"the school profile follow. Verify this transcript at {verification_url}.", small),
              PageBreak(), p("Competency record", h1)]
    rows = [["Competency", "Subject", "Level", "Evidence", "Set on", "Courses"]]
    for c in record["competencies"]:
        rows.append([p(f"{c['code'] + ' ' if c.get('code') else ''}{c['statement']}", small), p(c["subject"] or "",
                     small), f"{c['level'] or '—'} {c['label'] or ''}".strip(), str(c["evidence_count"]),
                     (c["reached_at"] or "")[:10], p(", ".join(c["courses"]), small)])
    table = Table(rows, colWidths=[2.7 * inch, 1.1 * inch, 1.1 * inch, 0.6 * inch, 0.8 * inch, 0.8 * inch],
                  repeatRows=1)
    table.setStyle(grid)
    story.append(table)
    if record.get("habits"):
        story += [p("Habits of work (reported apart from academic grades)", h2)]
        rows = [["Habit", "Mean level", "Scores"]] + [[h["criterion"], h["mean_level"], str(h["count"])]
                                                       for h in record["habits"]]
        table = Table(rows, colWidths=[3.5 * inch, 1 * inch, 1 * inch])
        table.setStyle(grid)
        story.append(table)
    story += [p(f"Credit policy version {policy.get('version')}", h2)]
    story += [p(line) for line in policy.get("description") or []]
    bands = (policy.get("rules") or {}).get("grade_scale") or []
    if bands:
        rows = [["Course level from", "Letter", "Points"]] + [[str(b["min_level"]), b["letter"], str(b["points"])]
                                                             for b in bands]
        table = Table(rows, colWidths=[1.5 * inch, 1 * inch, 1 * inch])
        table.setStyle(grid)
        story += [Spacer(1, 4), table]
    story += [p(f"Published at {policy.get('url')}", small), p("School profile", h2)]
    for label, key in (("About", "description"), ("Address", "address"), ("School code (CEEB)", "school_code"),
                       ("Accreditation", "accreditation"), ("Contact", "contact"), ("Size", "size"),
                       ("Grading", "grading")):
        if school.get(key):
            story.append(p(f"{label}: {school[key]}"))
    scale = school.get("scale") or {}
    if scale.get("levels"):
        story.append(p("Proficiency scale: " + "; ".join(f"{lv['value']} {lv['label']}" for lv in scale["levels"])
                       + f" (proficient from {scale.get('proficient_value')})."))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(0.6 * inch, 0.45 * inch, f"{student.get('name') or ''} · {issuer_name} · page {doc.page}")
        canvas.drawRightString(LETTER[0] - 0.6 * inch, 0.45 * inch, verification_url)
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=LETTER, leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.6 * inch, bottomMargin=0.7 * inch,
                            title=f"Transcript of {student.get('name') or ''}", author=issuer_name)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
