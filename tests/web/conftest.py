"""Browser stories per role, through pages only, in one headless Chromium
shared by the whole session (a fresh context per test).

Every page a story visits goes through `Visitor.visit`: axe-core (npm package
in tests/web, installed by `make install-dev`) must report no serious or
critical violation, at 390 px the page must not be wider than the viewport,
no word in a table cell may be split across lines (tables scroll
in their own labelled box instead), and a screenshot lands in tests/web/screenshots/ (git-ignored) for review.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest


HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = HERE / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
# Data tables not inside a labelled, focusable scroll box (the scoring rubric turns into a list
# on phones instead; transcript tables scroll by the phone rule in app.css).
BARE_TABLES = """() => [...document.querySelectorAll("main table:not(.rubric):not(.tx-table)")]
  .filter(t => !t.closest(".table-scroll[role=region][aria-label][tabindex='0'], .heatmap-wrap[role=region]"))
  .map(t => t.id || t.className || t.outerHTML.slice(0, 60))"""
# Words (letters or digits) in table cells that the browser split across two lines.
BROKEN_WORDS = r"""() => {
  const out = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[\p{L}\p{N}]{2,}/gu)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) out.push(m[0]);
      }
    }
  }
  return out.slice(0, 10);
}"""


class Visitor:
    """One signed-in browser context; checks every page it visits."""

    def __init__(self, browser, base_url: str, role: str):
        if not AXE.exists():
            pytest.fail("axe-core is missing: run `make install-dev` (npm ci --prefix tests/web)")
        # Injecting axe needs the page's CSP (script-src 'self') set aside in the test browser only.
        self.context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
        self.page = self.context.new_page()
        self.base_url, self.role = base_url, role
        self.checked: list[str] = []

    def close(self):
        self.context.close()

    def goto(self, path: str, name: str | None = None, *, check: bool = True):
        response = self.page.goto(self.base_url + path)
        if check:
            self.check(name or path)
        return response

    def sign_in(self, email: str, password: str):
        self.page.goto(f"{self.base_url}/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()

    def check(self, name: str, *, phone: bool = True):
        """axe at 1280 px (and 390 px), the width at 390 px, screenshots of both."""
        self.page.wait_for_load_state()
        # Ids change every run: named "id" so each run overwrites the last one's screenshots.
        plain = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "id", f"{self.role}-{name}")
        slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
        self._axe(name, "1280")
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{slug}-1280.png"), full_page=True)
        if phone:
            self.page.set_viewport_size(PHONE)
            self.page.wait_for_timeout(50)
            widths = self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"{name}: the page is {widths[0]} px wide at {widths[1]} px"
            bare = self.page.evaluate(BARE_TABLES)
            assert not bare, f"{name}: tables without a labelled scroll box: {bare}"
            broken = self.page.evaluate(BROKEN_WORDS)
            assert not broken, f"{name}: words broken inside table cells at 390 px: {broken}"
            self._axe(name, "390")
            self.page.screenshot(path=str(SHOTS / f"{slug}-390.png"), full_page=True)
            self.page.set_viewport_size(DESKTOP)
        self.checked.append(name)

    def _axe(self, name: str, width: str):
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        violations = self.page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }""")
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name} at {width} px: " + json.dumps(bad, indent=1)

    def text(self, selector: str = "main") -> str:
        return self.page.inner_text(selector)


@pytest.fixture
def visit(chromium, live_url):
    """visit(role) -> a Visitor in a fresh context of the shared browser."""
    made = []

    def make(role: str) -> Visitor:
        visitor = Visitor(chromium, live_url, role)
        made.append(visitor)
        return visitor

    yield make
    for visitor in made:
        visitor.close()


@pytest.fixture
def demo(app):
    """The demo school (service/demo.py), with every feature's demo content."""
    from service.demo import DEMO_PASSWORD, load_demo
    from service.extensions import db
    from service.models import Person

    with app.app_context():
        load_demo()
        people = {p.email.split("@")[0]: p for p in db.session.scalars(db.select(Person))}
        yield {"password": DEMO_PASSWORD, **people}
