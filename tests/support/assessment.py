"""Test data for assessment: a generated CASE 1.0 package and a scored
scenario built through the real models and services."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timezone

import pytest

from service.extensions import db

NS = uuid.UUID("6f1c1c2e-3c55-4a8e-9a43-5c2b0c6e1d7a")
SUBJECTS = ["English Language Arts", "Mathematics", "Science", "Social Studies"]
GRADES = ["09", "10", "11", "12"]


def ident(*parts) -> str:
    return str(uuid.uuid5(NS, "/".join(map(str, parts))))


def case_package(domains=4, competencies=5, topics=4, targets=4, seed=7, base="https://case.example.org/uri"):
    """A CASE 1.0 package shaped like a state framework: domains > competencies
    > measurement topics > learning targets (4 + 20 + 80 + 320 = 424 items by
    default), isChildOf with sequence numbers, `precedes` continuums across
    grade levels, isRelatedTo across domains and exactMatchOf to an external
    framework. Items and associations are shuffled, as real exports are."""
    doc_id = ident("doc", seed)
    doc = {"identifier": doc_id, "uri": f"{base}/{doc_id}", "creator": "State Department of Education",
           "title": "Graduate Competency Framework", "lastChangeDateTime": "2026-06-30T12:00:00+00:00",
           "officialSourceURL": "https://education.example.gov/competencies", "publisher": "State DOE",
           "description": "Competencies required for graduation", "subject": ["Interdisciplinary"],
           "language": "en", "version": "2026", "adoptionStatus": "Adopted",
           "CFPackageURI": {"title": "Graduate Competency Framework", "identifier": doc_id,
                            "uri": f"{base}/{doc_id}"}}
    items, assocs = [], []

    def node(identifier, title):
        return {"title": title, "identifier": identifier, "uri": f"{base}/{identifier}"}

    def child_of(child, parent, seq, title):
        aid = ident("assoc", child, parent)
        assocs.append({"identifier": aid, "uri": f"{base}/{aid}", "associationType": "isChildOf",
                       "sequenceNumber": seq, "lastChangeDateTime": "2026-06-30T12:00:00+00:00",
                       "originNodeURI": node(child, title), "destinationNodeURI": node(parent, "parent"),
                       "CFDocumentURI": node(doc_id, "doc")})

    for d in range(1, domains + 1):
        d_id = ident("d", d)
        code = f"D{d}"
        items.append({"identifier": d_id, "uri": f"{base}/{d_id}", "fullStatement": f"{SUBJECTS[(d - 1) % 4]}",
                      "humanCodingScheme": code, "CFItemType": "Domain", "educationLevel": GRADES,
                      "lastChangeDateTime": "2026-06-30T12:00:00+00:00"})
        child_of(d_id, doc_id, d, code)
        for c in range(1, competencies + 1):
            c_id, c_code = ident("c", d, c), f"{code}.{c}"
            items.append({"identifier": c_id, "uri": f"{base}/{c_id}", "humanCodingScheme": c_code,
                          "fullStatement": f"Competency {c_code}: the student demonstrates skill {c} of domain {d}.",
                          "abbreviatedStatement": f"Skill {c_code}", "CFItemType": "Competency",
                          "educationLevel": GRADES, "lastChangeDateTime": "2026-06-30T12:00:00+00:00"})
            child_of(c_id, d_id, c, c_code)
            for t in range(1, topics + 1):
                t_id, t_code = ident("t", d, c, t), f"{c_code}.{t}"
                items.append({"identifier": t_id, "uri": f"{base}/{t_id}", "humanCodingScheme": t_code,
                              "fullStatement": f"Measurement topic {t_code} at grade {GRADES[t - 1]}.",
                              "CFItemType": "Measurement Topic", "educationLevel": [GRADES[(t - 1) % 4]]})
                child_of(t_id, c_id, t, t_code)
                if t > 1:  # the continuum across grade levels
                    prev = ident("t", d, c, t - 1)
                    aid = ident("precedes", prev, t_id)
                    assocs.append({"identifier": aid, "uri": f"{base}/{aid}", "associationType": "precedes",
                                   "originNodeURI": node(prev, "prev"), "destinationNodeURI": node(t_id, t_code)})
                for g in range(1, targets + 1):
                    g_id, g_code = ident("g", d, c, t, g), f"{t_code}.{chr(96 + g)}"
                    items.append({"identifier": g_id, "uri": f"{base}/{g_id}", "humanCodingScheme": g_code,
                                  "fullStatement": f"Learning target {g_code}: I can do part {g}.",
                                  "CFItemType": "Learning Target", "educationLevel": [GRADES[(t - 1) % 4]]})
                    child_of(g_id, t_id, g, g_code)
        if d > 1:
            a, b = ident("c", d, 1), ident("c", d - 1, 1)
            assocs.append({"identifier": ident("rel", a, b), "associationType": "isRelatedTo",
                           "originNodeURI": node(a, "a"), "destinationNodeURI": node(b, "b")})
    external = "c0ffee00-0000-4000-8000-000000000001"
    assocs.append({"identifier": ident("exact", 1), "associationType": "exactMatchOf",
                   "originNodeURI": node(ident("c", 1, 1), "D1.1"),
                   "destinationNodeURI": {"title": "National standard", "identifier": external,
                                          "uri": f"https://national.example.org/uri/{external}"}})
    rng = random.Random(seed)
    rng.shuffle(items)
    rng.shuffle(assocs)
    return {"CFDocument": doc, "CFItems": items, "CFAssociations": assocs, "CFDefinitions": {}}


def writing_framework(org_id, actor=None):
    """A small ELA writing framework (2 competencies, 2 learning targets each)."""
    from service.assessment.framework_import import read_csv
    from service.assessment.frameworks import save_draft

    csv_text = ("identifier,parent,human_code,statement,item_type,grade_levels\n"
                "ela-w,,ELA.W,Writing,Domain,9;10\n"
                "ela-w-1,ela-w,ELA.W.1,Write arguments supported by evidence,Competency,9;10\n"
                "ela-w-1-a,ELA.W.1,ELA.W.1.a,I can state a precise claim,Learning Target,9\n"
                "ela-w-1-b,ELA.W.1,ELA.W.1.b,I can support a claim with relevant evidence,Learning Target,10\n"
                "ela-w-2,ela-w,ELA.W.2,Write informative texts,Competency,9;10\n"
                "ela-w-2-a,ELA.W.2,ELA.W.2.a,I can organise ideas clearly,Learning Target,9\n")
    framework = save_draft(org_id, read_csv(csv_text, "ELA Writing", subject="English Language Arts"),
                           actor=actor, school_year="2026-2027")
    db.session.flush()
    return framework


def item(framework, identifier):
    from service.assessment.models import Competency

    return db.session.scalar(db.select(Competency).where(Competency.framework_id == framework.id,
                                                         Competency.identifier == identifier))


def writing_rubric(org_id, framework, actor=None, with_habit=True):
    from service.assessment.rubrics import create_rubric

    levels = [{"label": lab, "points": p, "proficiency_value": p}
              for p, lab in enumerate(["Beginning", "Developing", "Proficient", "Advanced"], start=1)]
    criteria = [{"title": "Claim and evidence", "kind": "academic",
                 "descriptors": ["No claim", "Vague claim", "Clear claim, evidence", "Precise claim, strong evidence"],
                 "competency_ids": [item(framework, "ela-w-1").id]},
                {"title": "Organisation", "kind": "academic", "descriptors": [],
                 "competency_ids": [item(framework, "ela-w-2").id]}]
    if with_habit:
        criteria.append({"title": "Timeliness", "kind": "habit", "descriptors": [], "competency_ids": []})
    return create_rubric(org_id, {"title": "Argument essay", "levels": levels, "criteria": criteria}, actor=actor)


def artifact_version(student, title="Essay draft", created_at=None):
    """A real portfolio artifact with one version owned by the student."""
    from service.portfolio.models import Artifact, ArtifactVersion

    artifact = Artifact(owner_id=student.id, organization_id=student.organization_id, kind="file", title=title)
    db.session.add(artifact)
    db.session.flush()
    version = ArtifactVersion(artifact_id=artifact.id, number=1, blob_digest="0" * 64, size=10,
                              mime_type="text/plain", filename="essay.txt", created_by_id=student.id,
                              created_at=created_at or datetime.now(timezone.utc))
    db.session.add(version)
    db.session.flush()
    return version


def level_ids(rubric):
    return {lv.proficiency_value: lv.id for lv in rubric.levels}


def scored_submission(student, section, rubric, teacher, levels: dict, *, at=None, title="Essay"):
    """Submit one artifact version and score it: `levels` maps criterion title to scale value."""
    from service.assessment.scoring import score, submit

    version = artifact_version(student, title)
    submission = submit(student, section_id=section.id, rubric_id=rubric.id, artifact_version_ids=[version.id],
                        title=title, competency_id=rubric.criteria[0].alignments[0].competency_id)
    ids = level_ids(rubric)
    assessment = score(submission, teacher, {"scores": [
        {"criterion_id": c.id, "level_id": ids[levels.get(c.title, 3)]} for c in rubric.criteria]})
    if at is not None:
        assessment.assessed_at = at
    db.session.flush()
    return submission, assessment


@pytest.fixture(name="school")
def writing_school(factory):
    """The factory school plus an ELA writing framework and a rubric aligned to it.
    A test module or conftest gets it as `school` by importing `writing_school`."""
    from service.extensions import db

    data = factory.school()
    data["framework"] = writing_framework(data["org"].id, data["admin"])
    data["rubric"] = writing_rubric(data["org"].id, data["framework"], data["t1"])
    db.session.commit()
    return data
