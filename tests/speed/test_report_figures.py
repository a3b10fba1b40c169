"""The reports page's figures, counted in SQL from the stored mastery intervals
(one page of sections from their enrolments, the CSV over the whole school),
equal the live calculation: after scoring, after a settings change (a
background rebuild) and after a rebuild."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from service import jobs
from service.assessment import mastery_store
from service.assessment.progress import mastery_table
from service.assessment.reports import (month_ends, pace_report, proficiency_report, section_competencies,
                                        section_students)
from service.extensions import db
from tests.support.assessment import scored_submission, writing_school  # noqa: F401  (the `school` fixture)
from tests.support.signin import sign_in

MONTHS = 5


def _live(sections, now) -> dict:
    """(section id, competency id, month) -> students proficient at that month's end, computed live."""
    out = {}
    for section in sections:
        students = [s.id for s in section_students(section)]
        competencies = section_competencies(section)
        if not students:
            continue
        for label, end in month_ends(MONTHS, now):
            table = mastery_table(students, competencies, as_of=end)
            for competency in competencies:
                out[(str(section.id), str(competency.id), label)] = sum(
                    table[(s, competency.id)].mastered for s in students)
    return out


def _stored(organization_id, now, sections=None) -> dict:
    return {(r["section_id"], r["competency_id"], r["month"]): r["proficient"]
            for r in proficiency_report(organization_id, months=MONTHS, now=now, sections=sections)}


def _assert_figures_agree(school, now):
    jobs.join_threads()  # a settings change rebuilds in a background job
    db.session.expire_all()
    sections = [school["sec1"], school["sec2"]]
    live = _live(sections, now)
    assert any(live.values()), "the scores must make someone proficient"
    assert _stored(school["org"].id, now) == live  # the whole school (CSV, API)
    for section in sections:  # one page of sections (the reports page)
        assert _stored(school["org"].id, now, [section]) == \
            {k: v for k, v in live.items() if k[0] == str(section.id)}


def test_report_figures_equal_the_live_calculation(client, school):
    from service.assessment.settings import settings_for

    now = datetime.now(timezone.utc)
    s1, s2, s3, t1, t2 = school["s1"], school["s2"], school["s3"], school["t1"], school["t2"]
    rubric = school["rubric"]
    mastery_store.ensure_built(school["org"].id)
    scored_submission(s1, school["sec1"], rubric, t1, {"Claim and evidence": 3, "Organisation": 2},
                      at=now - timedelta(days=100))
    scored_submission(s1, school["sec1"], rubric, t1, {"Claim and evidence": 4, "Organisation": 4},
                      at=now - timedelta(days=40))
    scored_submission(s2, school["sec1"], rubric, t1, {"Claim and evidence": 4, "Organisation": 1},
                      at=now - timedelta(days=70))
    scored_submission(s2, school["sec1"], rubric, t1, {"Claim and evidence": 1, "Organisation": 3},
                      at=now - timedelta(days=10))
    scored_submission(s3, school["sec2"], rubric, t2, {"Claim and evidence": 3, "Organisation": 3},
                      at=now - timedelta(days=20))
    db.session.commit()
    _assert_figures_agree(school, now)

    # A change of mastery method: the intervals are rebuilt by a job, the figures follow.
    settings = settings_for(school["org"].id)
    settings.mastery_method = "highest"
    db.session.commit()
    _assert_figures_agree(school, now)
    settings.mastery_method = "n_at_or_above"
    settings.evidence_required = 2
    db.session.commit()
    _assert_figures_agree(school, now)

    # A rebuild from scratch changes nothing.
    before = _stored(school["org"].id, now)
    mastery_store.rebuild(school["org"].id)
    db.session.commit()
    _assert_figures_agree(school, now)
    assert _stored(school["org"].id, now) == before

    # The page shows the same counts, and the same pace as the report over ORM rows.
    sign_in(client, school["admin"])
    page = client.get(f"/assessment/reports?months={MONTHS}").get_data(as_text=True)
    shown = sorted(map(int, re.findall(r"\((\d+)/\d+\)</span>", page)))
    assert shown == sorted(_stored(school["org"].id, datetime.now(timezone.utc)).values())
    pace = {p.student.id: p.per_month for p in pace_report(school["org"].id, [s1, s2, s3], months=MONTHS)}
    for student in (s1, s2, s3):
        row = re.search(rf'/assessment/students/{student.id}"[^<]*</a></th>(.*?)</tr>',
                        page, re.S)
        assert row, student.display_name
        assert [int(n) for n in re.findall(r"<td>(\d+)</td>", row.group(1))] == list(pace[student.id].values())
