"""Every write the API offers has a page that does it (issue 12: "every API action
also has a page"). A new API write fails this test until a page for it is named
here; the page must exist and accept POST. No browser needed."""
from __future__ import annotations

# (method, OpenAPI path) -> the page endpoint that does the same through the same action
PAGES = {
    ("DELETE", "/api/v1/admission-requirements/{set_id}"): "transcript_pages.settings",
    ("DELETE", "/api/v1/artifacts/{artifact_id}"): "portfolio_pages.delete_artifact",
    ("DELETE", "/api/v1/artifacts/{artifact_id}/versions/{number}"): "portfolio_pages.change_version",
    ("DELETE", "/api/v1/badge-classes/{badge_class_id}"): "badges_design.archive_class",
    ("DELETE", "/api/v1/sections/{section_id}/enrolments/{person_id}"): "roster.section_page",
    ("DELETE", "/api/v1/share-links/{link_id}"): "portfolio_pages.revoke",
    ("DELETE", "/api/v1/showcases/{showcase_id}"): "portfolio_pages.delete_showcase",
    ("DELETE", "/api/v1/tokens/{token_id}"): "web.api_tokens",
    ("DELETE", "/api/v1/transcripts/{transcript_id}/shares/{share_id}"): "transcript_pages.end_share",
    ("PATCH", "/api/v1/artifacts/{artifact_id}"): "portfolio_pages.edit_artifact",
    ("PATCH", "/api/v1/artifacts/{artifact_id}/versions/{number}"): "portfolio_pages.change_version",
    ("PATCH", "/api/v1/assessment/settings"): "assessment.settings_page",
    ("PATCH", "/api/v1/badge-classes/{badge_class_id}"): "badges_design.edit_class",
    ("PATCH", "/api/v1/courses/{course_id}"): "transcript_pages.courses",
    ("PATCH", "/api/v1/frameworks/{framework_id}"): "assessment.framework_page",
    ("PATCH", "/api/v1/organization"): "roster.organization_page",
    ("PATCH", "/api/v1/people/{person_id}"): "roster.person_page",
    ("PATCH", "/api/v1/showcases/{showcase_id}"): "portfolio_pages.edit_showcase",
    ("POST", "/api/v1/admission-requirements"): "transcript_pages.settings",
    ("POST", "/api/v1/artifacts"): "portfolio_pages.new",
    ("POST", "/api/v1/artifacts/files"): "portfolio_pages.new",
    ("POST", "/api/v1/artifacts/{artifact_id}/versions"): "portfolio_pages.add_version",
    ("POST", "/api/v1/awards/{award_id}/approve"): "badges_manage.decide",
    ("POST", "/api/v1/awards/{award_id}/reject"): "badges_manage.decide",
    ("POST", "/api/v1/awards/{award_id}/revoke"): "badges_awards.award_page",
    ("POST", "/api/v1/awards/{award_id}/suspend"): "badges_awards.award_page",
    ("POST", "/api/v1/awards/{award_id}/unsuspend"): "badges_awards.award_page",
    ("POST", "/api/v1/badge-classes"): "badges_design.new_class",
    ("POST", "/api/v1/badge-classes/{badge_class_id}/awards"): "badges_awards.award_one",
    ("POST", "/api/v1/badge-classes/{badge_class_id}/bulk-jobs"): "badges_awards.award_students",
    ("POST", "/api/v1/calibrations"): "assessment.calibrations",
    ("POST", "/api/v1/calibrations/{session_id}/submissions/{submission_id}/scores"): "assessment.calibration_page",
    ("POST", "/api/v1/courses"): "roster.sections",
    ("POST", "/api/v1/frameworks/import/case"): "assessment.frameworks",
    ("POST", "/api/v1/frameworks/import/csv"): "assessment.frameworks",
    ("POST", "/api/v1/frameworks/{framework_id}/versions"): "assessment.framework_page",
    ("POST", "/api/v1/issuer-keys/rotate"): "badges_keys.signing_keys",
    ("POST", "/api/v1/password-reset"): "web.forgot_password",
    ("POST", "/api/v1/password-reset/confirm"): "web.reset_password",
    ("POST", "/api/v1/people"): "roster.people",
    ("POST", "/api/v1/people/{student_id}/guardians"): "roster.person_page",
    ("POST", "/api/v1/plans/{plan_id}/comments"): "assessment.plan_page",
    ("POST", "/api/v1/plans/{plan_id}/goals"): "assessment.new_goal",
    ("POST", "/api/v1/rubrics"): "rubric_builder.new_rubric",
    ("POST", "/api/v1/rubrics/{rubric_id}/versions"): "rubric_builder.edit_rubric",
    ("POST", "/api/v1/sections"): "roster.sections",
    ("POST", "/api/v1/sections/{section_id}/enrolments"): "roster.section_page",
    ("POST", "/api/v1/share-links"): "portfolio_pages.share",
    ("POST", "/api/v1/showcases"): "portfolio_pages.showcase_list",
    ("POST", "/api/v1/students/{student_id}/plans"): "assessment.new_plan",
    ("POST", "/api/v1/submissions"): "assessment.submit_page",
    ("POST", "/api/v1/submissions/{submission_id}/return"): "assessment.submission_page",
    ("POST", "/api/v1/submissions/{submission_id}/scores"): "assessment.submission_page",
    ("POST", "/api/v1/tokens"): "web.api_tokens",
    ("POST", "/api/v1/transcripts"): "transcript_pages.request_transcript",
    ("POST", "/api/v1/transcripts/{transcript_id}/decline"): "transcript_pages.decline",
    ("POST", "/api/v1/transcripts/{transcript_id}/issue"): "transcript_pages.issue",
    ("POST", "/api/v1/transcripts/{transcript_id}/revoke"): "transcript_pages.revoke",
    ("POST", "/api/v1/transcripts/{transcript_id}/shares"): "transcript_pages.share",
    ("POST", "/api/v1/verify"): "badges_pages.verify_page",
    ("PUT", "/api/v1/artifacts/{artifact_id}/tags"): "portfolio_pages.edit_artifact",
    ("PUT", "/api/v1/assessment/scale"): "assessment.settings_page",
    ("PUT", "/api/v1/badge-classes/{badge_class_id}/image"): "badges_design.edit_class",
    ("PUT", "/api/v1/courses/{course_id}/competencies"): "transcript_pages.courses",
    ("PUT", "/api/v1/credit-policy"): "transcript_pages.settings",
    ("PUT", "/api/v1/school-profile"): "transcript_pages.settings",
    ("PUT", "/api/v1/showcases/{showcase_id}/items"): "portfolio_pages.change_items",
}


def test_every_api_write_has_a_page_that_accepts_post(app, client):
    document = client.get("/api/openapi.json").get_json()
    writes = {(method.upper(), path) for path, operations in document["paths"].items()
              for method in operations if method in ("post", "put", "patch", "delete")}
    assert sorted(writes - PAGES.keys()) == [], "API writes without a page: name the page in PAGES"
    assert sorted(PAGES.keys() - writes) == [], "PAGES names API writes that no longer exist"
    posting = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    assert sorted(set(PAGES.values()) - posting) == []
