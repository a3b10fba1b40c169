"""A confirmation for every action done through a page.

Page handlers POST, then redirect. When a handler did not say anything itself
(`flash(...)`), this names what just happened, from the endpoint (and the
button pressed, for forms with several). API calls never flash.
"""
from __future__ import annotations

from flask import flash, g, request, session

# endpoint, or (endpoint, value of the pressed "action"/"decision") -> message
MESSAGES: dict = {
    "web.logout": "You have signed out.",
    "portfolio_pages.new": "Your work was added to your portfolio.",
    "portfolio_pages.edit_artifact": "Your changes were saved.",
    "portfolio_pages.add_version": "The new version was uploaded.",
    "portfolio_pages.delete_artifact": "The artifact was deleted.",
    "portfolio_pages.share": "A share link was created.",
    "portfolio_pages.revoke": "The share link no longer works.",
    "portfolio_pages.showcase_list": "The showcase was created.",
    "portfolio_pages.edit_showcase": "The showcase was saved.",
    "portfolio_pages.change_items": "The showcase was updated.",
    "portfolio_pages.delete_showcase": "The showcase was deleted.",
    "assessment.submit_page": "Your work was submitted for review.",
    ("assessment.submission_page", "score"): "Scores saved; the student has been told.",
    ("assessment.submission_page", "return"): "Returned to the student for revision.",
    "assessment.plan_page": "The learning plan was saved.",
    "assessment.new_plan": "A learning plan was started.",
    "assessment.new_goal": "The goal was added.",
    "assessment.frameworks": "The framework was imported.",
    "assessment.calibrations": "The calibration session was created.",
    "assessment.calibration_page": "Your blind scores were saved.",
    "assessment.settings_page": "Settings saved.",
    ("badges_manage.decide", "approve"): "Approved: the badge was issued.",
    ("badges_manage.decide", "reject"): "Marked “not yet”; the student can see why.",
    "badges_manage.bulk": "The bulk award has started.",
    "badges_pages.update_sharing": "Your choice of evidence to show was saved.",
}


def remember_flash_count() -> None:
    if request.method != "POST":
        return  # confirm_action only acts on POSTs; reading the session would cost every request
    g._flashes_before = len(session.get("_flashes", [])) if "_flashes" in session else 0


def confirm_action(response):
    if request.method != "POST" or response.status_code not in (302, 303) or request.path.startswith("/api/"):
        return response
    if g.get("token") is not None:
        return response
    if len(session.get("_flashes", [])) > g.get("_flashes_before", 0):
        return response  # the handler said it already
    pressed = request.form.get("action") or (request.view_args or {}).get("decision")
    message = MESSAGES.get((request.endpoint, pressed)) or MESSAGES.get(request.endpoint)
    if message:
        flash(message, "success")
    return response
