"""Assessment pages: section heatmap, student progress (also for guardians),
review queue and scoring, learning plans, frameworks, and admin reports."""
from __future__ import annotations

import json
import uuid

from flask import Blueprint, Response, redirect, render_template, request, url_for
from markupsafe import Markup

from ..auth import current_person, login_required
from ..errors import Problem
from ..extensions import db
from ..models import GuardianLink, Organization, Person, Role, Section
from ..policies import allowed, authorize, visible
from ..body_limits import accepts_body
from . import plans as plan_service
from . import reports, scoring
from .framework_import import FrameworkImportError, read_case_package, read_csv
from .frameworks import items_of, save_draft
from .models import Assessment, CalibrationSession, Competency, Framework, LearningPlan, Rubric, Submission
from .progress import followed_student, evidence_table, habits_for
from .mastery import calculate
from .settings import level_label, scale_for

bp = Blueprint("assessment", __name__, url_prefix="/assessment")


def band(scale, level) -> str:
    """A CSS class for a level: its position on the scale, or "none" without evidence."""
    if level is None:
        return "band-none"
    reached = [n for n, lv in enumerate(scale.levels) if lv["value"] <= level + 1e-9]
    return f"band-{reached[-1] if reached else 0}"


@bp.app_context_processor
def _helpers():
    return {"level_band": band}


def links_for(person) -> list[dict]:
    if person is None:
        return []
    links = []
    if person.role == Role.STUDENT.value:
        links.append({"url": url_for("assessment.progress", student_id=person.id), "label": "My progress"})
        links.append({"url": url_for("assessment.submit_page"), "label": "Submit evidence"})
    if person.role == Role.GUARDIAN.value:
        for ward in db.session.scalars(db.select(Person).join(GuardianLink, GuardianLink.student_id == Person.id)
                                       .where(GuardianLink.guardian_id == person.id)):
            links.append({"url": url_for("assessment.progress", student_id=ward.id),
                          "label": f"Progress of {ward.display_name}"})
    if person.role in (Role.TEACHER.value, Role.ADMIN.value):
        if person.role == Role.TEACHER.value:
            links.append({"url": url_for("assessment.queue"), "label": "Review queue"})
        for section in db.session.scalars(visible(person, Section).order_by(Section.name)):
            links.append({"url": url_for("assessment.section_dashboard", section_id=section.id),
                          "label": f"Mastery dashboard: {section.name}"})
        links.append({"url": url_for("assessment.frameworks"), "label": "Competency frameworks"})
        links.append({"url": url_for("assessment.calibrations"), "label": "Calibration (blind scoring)"})
    if person.role == Role.ADMIN.value:
        links.append({"url": url_for("assessment.admin_reports"), "label": "Proficiency and pace reports"})
        links.append({"url": url_for("assessment.settings_page"), "label": "Proficiency scale and mastery settings"})
    return links


def _actor():
    actor = current_person()
    if actor is None:
        raise Problem(401, "Sign in first.")
    return actor




@bp.get("/sections/<uuid:section_id>")
@login_required
def section_dashboard(section_id: uuid.UUID):
    actor = _actor()
    section = db.session.get(Section, section_id)
    authorize(actor, "view_roster", section, what="section")
    heat = reports.section_heatmap(section)
    scale = scale_for(section.organization_id)
    db.session.commit()
    return render_template("assessment/heatmap.html", section=section, heat=heat, scale=scale)


def _current_competencies(organization_id):
    return list(db.session.scalars(db.select(Competency).join(Framework).where(
        Framework.organization_id == organization_id, Framework.status == "current")
        .order_by(Framework.title, Competency.position)))


@bp.get("/students/<uuid:student_id>")
@login_required
def progress(student_id: uuid.UUID):
    """The student's progress toward each competency (read-only for guardians)."""
    actor = _actor()
    student = followed_student(actor, student_id)
    competencies = _current_competencies(student.organization_id)
    evidence, configs = evidence_table([student.id], competencies)
    scale = scale_for(student.organization_id)
    rows = []
    for competency in competencies:
        pieces = evidence[(student.id, competency.id)]
        result = calculate(pieces, configs[competency.id])
        rows.append({"competency": competency, "result": result, "label": level_label(scale, result.level),
                     "needed": _still_needed(result, configs[competency.id], pieces)})
    submissions = db.session.scalars(db.select(Submission).where(Submission.student_id == student.id)
                                     .order_by(Submission.submitted_at.desc())).all()
    standings = reports.graduation_snapshot(student)
    chart = Markup(reports.graduation_svg(standings, max(lv["value"] for lv in scale.levels)))
    plans = db.session.scalars(db.select(LearningPlan).where(LearningPlan.student_id == student.id)).all()
    db.session.commit()
    return render_template("assessment/progress.html", student=student, rows=rows, scale=scale,
                           submissions=submissions, habits=habits_for(student.id), standings=standings, chart=chart,
                           plans=plans, read_only=not allowed(actor, "create", LearningPlan(
                               organization_id=student.organization_id, student_id=student.id)))


def _still_needed(result, config, pieces) -> str:
    if result.mastered:
        return "Mastered"
    if config.method == "n_at_or_above":
        have = sum(1 for p in pieces if p.level >= config.proficient_level)
        return f"{config.evidence_required - have} more piece(s) at level {config.proficient_level:g} or above"
    if result.level is None:
        return f"Evidence scored at level {config.mastery_threshold:g} or above"
    return f"Reach level {config.mastery_threshold:g} (now {result.level:g})"


@bp.get("/queue")
@login_required
def queue():
    actor = _actor()
    waiting = [s for s in db.session.scalars(visible(actor, Submission).where(Submission.status == "submitted")
                                             .order_by(Submission.submitted_at)) if allowed(actor, "score", s)]
    people = {p.id: p for p in db.session.scalars(db.select(Person).where(
        Person.id.in_({s.student_id for s in waiting})))} if waiting else {}
    return render_template("assessment/queue.html", waiting=waiting, people=people)


@bp.route("/submissions/<uuid:submission_id>", methods=["GET", "POST"])
@login_required
def submission_page(submission_id: uuid.UUID):
    """A submission: its evidence and scores; teachers of its section score or return it here."""
    actor = _actor()
    submission = db.session.get(Submission, submission_id)
    authorize(actor, "view", submission, what="submission")
    error = None
    if request.method == "POST":
        authorize(actor, "score", submission, what="submission")
        try:
            if request.form.get("action") == "return":
                scoring.return_for_revision(submission, actor, request.form.get("return_feedback", ""))
                db.session.commit()
            else:
                assessment = scoring.score(submission, actor, _scores_from_form(submission.rubric))
                db.session.commit()
                scoring.announce_mastery_change(assessment)
            return redirect(url_for("assessment.submission_page", submission_id=submission.id))
        except Problem as problem:
            db.session.rollback()
            error = "; ".join(e["detail"] for e in (problem.errors or [])) or problem.detail
    assessments = [a for a in db.session.scalars(db.select(Assessment).where(
        Assessment.submission_id == submission.id, Assessment.kind == "official")) if allowed(actor, "view", a)]
    from ..portfolio.models import ArtifactVersion

    versions = db.session.scalars(db.select(ArtifactVersion).where(ArtifactVersion.id.in_(
        [e.artifact_version_id for e in submission.evidence]))).all()
    student = db.session.get(Person, submission.student_id)
    return render_template("assessment/submission.html", submission=submission, rubric=submission.rubric,
                           assessments=assessments, versions=versions, student=student, error=error,
                           can_score=allowed(actor, "score", submission) and submission.status == "submitted",
                           can_reassess=allowed(actor, "reassess", submission)
                           and submission.status in ("returned", "scored"),
                           attempts=list(reversed(scoring.attempt_ids(submission))))


def _scores_from_form(rubric: Rubric) -> dict:
    scores = []
    for criterion in rubric.criteria:
        level = request.form.get(f"level-{criterion.id}")
        try:
            level_id = uuid.UUID(level) if level else None
        except ValueError:
            level_id = None
        if level_id is not None:
            scores.append({"criterion_id": criterion.id, "level_id": level_id,
                           "feedback": request.form.get(f"feedback-{criterion.id}") or None})
    return {"scores": scores, "feedback": request.form.get("feedback") or None}


@bp.route("/plans/<uuid:plan_id>", methods=["GET", "POST"])
@login_required
def plan_page(plan_id: uuid.UUID):
    actor = _actor()
    plan = db.session.get(LearningPlan, plan_id)
    authorize(actor, "view", plan, what="learning plan")
    if request.method == "POST":
        authorize(actor, "comment", plan, what="learning plan")
        body = (request.form.get("body") or "").strip()
        if body:
            plan_service.add_comment(plan, actor, body[:5000])
            db.session.commit()
        return redirect(url_for("assessment.plan_page", plan_id=plan.id))
    progress_rows = [(g, plan_service.goal_progress(plan, g)) for g in plan.goals]
    authors = {p.id: p for p in db.session.scalars(db.select(Person).where(
        Person.id.in_({c.author_id for c in plan.comments})))} if plan.comments else {}
    return render_template("assessment/plan.html", plan=plan, rows=progress_rows, authors=authors,
                           student=db.session.get(Person, plan.student_id),
                           can_comment=allowed(actor, "comment", plan), can_edit=allowed(actor, "edit", plan),
                           competencies=_current_competencies(plan.organization_id))


@bp.route("/frameworks", methods=["GET", "POST"])
@login_required
@accepts_body("document")
def frameworks():
    actor = _actor()
    org = db.session.get(Organization, actor.organization_id)
    can_import = allowed(actor, "manage", org)
    errors = []
    if request.method == "POST":
        authorize(actor, "manage", org, what="organization")
        upload = request.files.get("file")
        raw = upload.read().decode("utf-8", errors="replace") if upload else ""
        try:
            if request.form.get("format") == "case":
                try:
                    package = json.loads(raw)
                except ValueError:
                    raise FrameworkImportError(["the file is not valid JSON"]) from None
                draft = read_case_package(package)
            else:
                draft = read_csv(raw, request.form.get("title") or "Imported framework",
                                 subject=request.form.get("subject") or None)
            framework = save_draft(org.id, draft, actor=actor, school_year=request.form.get("school_year") or None)
            db.session.commit()
            return redirect(url_for("assessment.framework_page", framework_id=framework.id))
        except FrameworkImportError as exc:
            db.session.rollback()
            errors = exc.errors
    listing = db.session.scalars(visible(actor, Framework).order_by(Framework.title, Framework.version.desc())).all()
    return render_template("assessment/frameworks.html", frameworks=listing, can_import=can_import,
                           errors=errors), 422 if errors else 200


@bp.get("/frameworks/<uuid:framework_id>")
@login_required
def framework_page(framework_id: uuid.UUID):
    framework = db.session.get(Framework, framework_id)
    authorize(_actor(), "view", framework, what="framework")
    return render_template("assessment/framework.html", framework=framework, items=items_of(framework))


@bp.get("/reports")
@login_required
def admin_reports():
    actor = _actor()
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, "manage", org, what="organization")
    months = min(max(request.args.get("months", 6, type=int), 1), 36)
    rows = reports.proficiency_report(org.id, months=months)
    students = db.session.scalars(visible(actor, Person).where(Person.role == Role.STUDENT.value)
                                  .order_by(Person.display_name)).all()
    pace = reports.pace_report(org.id, students, months=months)
    month_labels = [label for label, _ in reports.month_ends(months)]
    db.session.commit()
    return render_template("assessment/reports.html", rows=rows, pace=pace, months=months,
                           month_labels=month_labels, latest=month_labels[-1])


@bp.get("/reports/proficiency.csv")
@login_required
def admin_report_csv():
    actor = _actor()
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, "manage", org, what="organization")
    months = min(max(request.args.get("months", 6, type=int), 1), 36)
    return Response(reports.report_csv(reports.proficiency_report(org.id, months=months)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="proficiency.csv"'})


@bp.route("/submit", methods=["GET", "POST"])
@login_required
def submit_page():
    """A student offers versions of their own artifacts as evidence (or reassesses an attempt)."""
    from ..models import Enrolment
    from ..portfolio.models import Artifact, ArtifactVersion

    actor = _actor()
    if not allowed(actor, "create", Submission(organization_id=actor.organization_id, student_id=actor.id)):
        raise Problem(403, "Only students submit their own work.")
    previous = None
    previous_id = request.values.get("previous_id")
    if previous_id:
        previous = db.session.get(Submission, _uuid_or_none(previous_id))
        authorize(actor, "reassess", previous, what="submission")
    error = None
    if request.method == "POST":
        try:
            submission = scoring.submit(
                actor, section_id=_uuid_or_none(request.form.get("section_id")),
                rubric_id=_uuid_or_none(request.form.get("rubric_id")),
                artifact_version_ids=[v for v in map(_uuid_or_none, request.form.getlist("version_id")) if v],
                title=(request.form.get("title") or "").strip()[:200] or "Evidence",
                competency_id=_uuid_or_none(request.form.get("competency_id")),
                note=(request.form.get("note") or None), previous=previous)
            db.session.commit()
            return redirect(url_for("assessment.submission_page", submission_id=submission.id))
        except Problem as problem:
            db.session.rollback()
            error = "; ".join(e["detail"] for e in (problem.errors or [])) or problem.detail
    sections = db.session.scalars(db.select(Section).join(Enrolment, Enrolment.section_id == Section.id).where(
        Enrolment.person_id == actor.id, Enrolment.role == "student").order_by(Section.name)).all()
    rubrics = db.session.scalars(visible(actor, Rubric).where(Rubric.status == "current").order_by(Rubric.title)).all()
    versions = db.session.execute(db.select(ArtifactVersion, Artifact).join(Artifact).where(
        Artifact.owner_id == actor.id).order_by(Artifact.title, ArtifactVersion.number.desc())).all()
    return render_template("assessment/submit.html", sections=sections, rubrics=rubrics, versions=versions,
                           competencies=_current_competencies(actor.organization_id), previous=previous,
                           error=error), 422 if error else 200


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


@bp.post("/students/<uuid:student_id>/plans")
@login_required
def new_plan(student_id: uuid.UUID):
    actor = _actor()
    student = followed_student(actor, student_id)
    if not allowed(actor, "create", LearningPlan(organization_id=student.organization_id, student_id=student.id)):
        raise Problem(403, "You may read this student's plans but not change them.")
    plan = plan_service.create_plan(student, actor, (request.form.get("title") or "Learning plan").strip()[:200])
    db.session.commit()
    return redirect(url_for("assessment.plan_page", plan_id=plan.id))


@bp.post("/plans/<uuid:plan_id>/goals")
@login_required
def new_goal(plan_id: uuid.UUID):
    from datetime import date

    actor = _actor()
    plan = db.session.get(LearningPlan, plan_id)
    authorize(actor, "edit", plan, what="learning plan")
    try:
        target = date.fromisoformat(request.form["target_date"]) if request.form.get("target_date") else None
    except ValueError:
        target = None
    plan_service.add_goal(plan, actor, {"competency_id": _uuid_or_none(request.form.get("competency_id")),
                                        "target_date": target,
                                        "planned_evidence": (request.form.get("planned_evidence") or None),
                                        "description": (request.form.get("description") or None)})
    db.session.commit()
    return redirect(url_for("assessment.plan_page", plan_id=plan.id))


@bp.route("/calibrations", methods=["GET", "POST"])
@login_required
def calibrations():
    from . import calibration as calib

    actor = _actor()
    can_create = allowed(actor, "create", CalibrationSession(organization_id=actor.organization_id))
    error = None
    if request.method == "POST":
        if not can_create:
            raise Problem(403, "Only teachers and admins run calibration.")
        try:
            session = calib.create_session(
                actor, title=(request.form.get("title") or "Calibration").strip()[:200],
                rubric_id=_uuid_or_none(request.form.get("rubric_id")),
                submission_ids=[v for v in map(_uuid_or_none, request.form.getlist("submission_id")) if v],
                rater_ids=[v for v in map(_uuid_or_none, request.form.getlist("rater_id")) if v])
            db.session.commit()
            return redirect(url_for("assessment.calibration_page", session_id=session.id))
        except Problem as problem:
            db.session.rollback()
            error = "; ".join(e["detail"] for e in (problem.errors or [])) or problem.detail
    sessions = db.session.scalars(visible(actor, CalibrationSession).order_by(CalibrationSession.created_at.desc()))
    submissions = db.session.scalars(visible(actor, Submission).order_by(Submission.submitted_at.desc())
                                     .limit(200)).all() if can_create else []
    teachers = db.session.scalars(db.select(Person).where(Person.organization_id == actor.organization_id,
                                                          Person.role == Role.TEACHER.value)
                                  .order_by(Person.display_name)).all() if can_create else []
    rubrics = db.session.scalars(visible(actor, Rubric).where(Rubric.status == "current")).all()
    return render_template("assessment/calibrations.html", sessions=sessions.all(), submissions=submissions,
                           teachers=teachers, rubrics=rubrics, can_create=can_create,
                           error=error), 422 if error else 200


@bp.route("/calibrations/<uuid:session_id>", methods=["GET", "POST"])
@login_required
def calibration_page(session_id: uuid.UUID):
    """Raters score each piece blind here; the creator and admins see the agreement."""
    from . import calibration as calib

    actor = _actor()
    session = db.session.get(CalibrationSession, session_id)
    authorize(actor, "view", session, what="calibration session")
    error = None
    if request.method == "POST":
        authorize(actor, "rate", session, what="calibration session")
        submission = db.session.get(Submission, _uuid_or_none(request.form.get("submission_id")))
        if submission is None:
            raise Problem(404, "No such submission.")
        try:
            calib.score_blind(session, submission, actor, _scores_from_form(session.rubric))
            db.session.commit()
            return redirect(url_for("assessment.calibration_page", session_id=session.id))
        except Problem as problem:
            db.session.rollback()
            error = "; ".join(e["detail"] for e in (problem.errors or [])) or problem.detail
    done = set(db.session.scalars(db.select(Assessment.submission_id).where(
        Assessment.calibration_id == session.id, Assessment.assessor_id == actor.id)))
    items = db.session.scalars(db.select(Submission).where(
        Submission.id.in_([i.submission_id for i in session.items]))).all()
    results = calib.results(session) if allowed(actor, "see_results", session) else None
    return render_template("assessment/calibration.html", session=session, items=items, done=done,
                           rubric=session.rubric, results=results, error=error,
                           can_rate=allowed(actor, "rate", session))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings_page():
    """The organization's proficiency scale labels and mastery method (admins)."""
    from .mastery import METHODS
    from .settings import settings_for, validate_levels

    actor = _actor()
    org = db.session.get(Organization, actor.organization_id)
    authorize(actor, "manage", org, what="organization")
    scale, settings = scale_for(org.id), settings_for(org.id)
    errors = []
    if request.method == "POST":
        levels = []
        for n in range(len(scale.levels)):
            label = (request.form.get(f"label-{n}") or "").strip()[:60]
            code = (request.form.get(f"code-{n}") or "").strip()[:8] or None
            if not label:
                errors.append(f"level {n + 1} needs a label")
            levels.append({"value": scale.levels[n]["value"], "label": label, "code": code})
        proficient = request.form.get("proficient_value", type=int)
        errors += validate_levels(levels, proficient)
        method = request.form.get("mastery_method")
        if method not in METHODS:
            errors.append("choose a mastery method")
        weight = request.form.get("decay_weight", type=float)
        required = request.form.get("evidence_required", type=int)
        if weight is None or not 0 < weight <= 1:
            errors.append("the decaying-average weight is a number above 0 and at most 1")
        if required is None or not 1 <= required <= 50:
            errors.append("evidence required is a whole number from 1 to 50")
        if not errors:
            scale.levels, scale.proficient_value = levels, proficient
            settings.mastery_method, settings.decay_weight, settings.evidence_required = method, weight, required
            settings.reassessment_requires_new_evidence = request.form.get("new_evidence") == "on"
            from .. import audit

            audit.record("assessment.settings", obj=settings, actor=actor, method=method)
            db.session.commit()
            return redirect(url_for("assessment.settings_page"))
        db.session.rollback()
        scale, settings = scale_for(org.id), settings_for(org.id)
    db.session.commit()
    return render_template("assessment/settings.html", scale=scale, settings=settings, methods=METHODS,
                           errors=errors), 422 if errors else 200
