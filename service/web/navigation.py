"""Role-aware navigation: the top bar's links and each deep page's breadcrumbs.

One table per role, so every page shows the same bar and a guardian is never
offered a student's actions. Breadcrumbs come from the endpoint: each deep
page names its parent section of the site (`PARENTS`); the page's own title
ends the trail.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

from ..models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    values: tuple = ()
    # Endpoints (or blueprint prefixes ending in ".") that light this item up.
    active_for: tuple = ()

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **dict(self.values))

    def is_active(self, endpoint: str | None) -> bool:
        if not endpoint:
            return False
        return endpoint == self.endpoint or any(
            endpoint == a or (a.endswith(".") and endpoint.startswith(a)) for a in self.active_for)


def nav_for(person) -> list[NavItem]:
    """The top bar of this person's role (items whose feature is not installed are left out)."""
    return [item for item in _items(person) if item.endpoint in current_app.view_functions]


def _items(person) -> list[NavItem]:
    if person is None:
        return [NavItem("Verify a badge", "badges_pages.verify_page"), NavItem("Sign in", "web.login")]
    home = NavItem("Home", "web.home")
    if person.role == Role.STUDENT.value:
        return [home,
                NavItem("My work", "portfolio_pages.index", active_for=("portfolio_pages.artifact",
                                                                        "portfolio_pages.new")),
                NavItem("Submit", "assessment.submit_page"),
                NavItem("My progress", "assessment.progress", (("student_id", person.id),),
                        active_for=("assessment.plan_page",)),
                NavItem("My badges", "badges_pages.my_badges"),
                NavItem("Showcases", "portfolio_pages.showcase_list", active_for=("portfolio_pages.showcase",)),
                NavItem("Transcripts", "transcript_pages.index", active_for=("transcript_pages.",))]
    if person.role == Role.GUARDIAN.value:
        return [home, NavItem("My children", "web.children", active_for=("web.child_badges", "assessment.progress")),
                NavItem("Transcripts", "transcript_pages.index", active_for=("transcript_pages.",)),
                NavItem("Verify a badge", "badges_pages.verify_page")]
    staff = [home]
    if person.role == Role.TEACHER.value:
        staff.append(NavItem("Review queue", "assessment.queue", active_for=("assessment.submission_page",)))
    staff += [NavItem("Sections", "roster.sections", active_for=("roster.section_page", "assessment.section_dashboard")),
              NavItem("Badges", "badges_manage.manage", active_for=(
                  "badges_design.", "badges_manage.", "badges_awards.award_students",
                  "badges_awards.award_one", "badges_awards.bulk_upload")),
              NavItem("Awards", "badges_awards.awards", active_for=("badges_awards.award_page",)),
              NavItem("Rubrics", "rubric_builder.rubrics", active_for=("rubric_builder.",)),
              NavItem("Frameworks", "assessment.frameworks", active_for=("assessment.framework_page",)),
              NavItem("Calibration", "assessment.calibrations", active_for=("assessment.calibration_page",))]
    if person.role == Role.ADMIN.value:
        staff += [NavItem("People", "roster.people", active_for=("roster.person_page", "roster.roster_import")),
                  NavItem("Transcripts", "transcript_pages.index", active_for=("transcript_pages.",)),
                  NavItem("Reports", "assessment.admin_reports"),
                  NavItem("Settings", "assessment.settings_page", active_for=("roster.organization_page",
                                                                              "badges_keys.signing_keys"))]
    return staff


# endpoint -> (label, endpoint) of the section of the site it sits under
PARENTS = {
    "portfolio_pages.artifact": ("My work", "portfolio_pages.index"),
    "portfolio_pages.new": ("My work", "portfolio_pages.index"),
    "portfolio_pages.showcase": ("Showcases", "portfolio_pages.showcase_list"),
    "assessment.submission_page": ("Review queue", "assessment.queue"),
    "assessment.plan_page": ("Progress", None),
    "assessment.framework_page": ("Frameworks", "assessment.frameworks"),
    "assessment.calibration_page": ("Calibration", "assessment.calibrations"),
    "assessment.section_dashboard": ("Sections", "roster.sections"),
    "badges_manage.job_page": ("Badges", "badges_manage.manage"),
    "badges_design.new_class": ("Badges", "badges_manage.manage"),
    "badges_design.edit_class": ("Badges", "badges_manage.manage"),
    "badges_awards.award_page": ("Awards", "badges_awards.awards"),
    "badges_awards.award_students": ("Badges", "badges_manage.manage"),
    "badges_awards.award_one": ("Badges", "badges_manage.manage"),
    "badges_keys.signing_keys": ("Settings", "assessment.settings_page"),
    "roster.organization_page": ("Settings", "assessment.settings_page"),
    "badges_awards.bulk_upload": ("Badges", "badges_manage.manage"),
    "rubric_builder.edit_rubric": ("Rubrics", "rubric_builder.rubrics"),
    "rubric_builder.new_rubric": ("Rubrics", "rubric_builder.rubrics"),
    "roster.person_page": ("People", "roster.people"),
    "roster.section_page": ("Sections", "roster.sections"),
    "roster.roster_import": ("People", "roster.people"),
    "web.child_badges": ("My children", "web.children"),
    "transcript_pages.detail": ("Transcripts", "transcript_pages.index"),
    "transcript_pages.settings": ("Transcripts", "transcript_pages.index"),
    "transcript_pages.courses": ("Transcripts", "transcript_pages.index"),
}
# Guardians and students reach submissions and progress from elsewhere; only a student's
# portfolio is "My work" (staff and guardians look at students' portfolios).
ROLE_PARENTS = {
    (Role.STUDENT.value, "assessment.submission_page"): ("My progress", "assessment.progress"),
    (Role.GUARDIAN.value, "assessment.progress"): ("My children", "web.children"),
    (Role.GUARDIAN.value, "assessment.submission_page"): ("My children", "web.children"),
    **{(role, endpoint): ("Student portfolios", "portfolio_pages.index")
       for role in (Role.GUARDIAN.value, Role.TEACHER.value, Role.ADMIN.value)
       for endpoint in ("portfolio_pages.artifact", "portfolio_pages.showcase")},
}


def breadcrumbs(person) -> list[tuple[str, str | None]]:
    """[(label, url)] above the current page; empty on top-level pages."""
    endpoint = request.endpoint
    role = getattr(person, "role", None)
    parent = ROLE_PARENTS.get((role, endpoint)) or PARENTS.get(endpoint)
    if person is None or parent is None:
        return []
    label, target = parent
    if target is not None and target not in current_app.view_functions:
        target = None
    crumbs: list[tuple[str, str | None]] = [("Home", url_for("web.home"))]
    if target == "assessment.progress":
        crumbs.append((label, url_for(target, student_id=person.id)))
    elif target is not None:
        crumbs.append((label, url_for(target)))
    return crumbs
