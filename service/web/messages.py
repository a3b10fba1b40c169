"""Problems as sentences for people: pages show these, the API keeps the
field paths and reason codes."""
from __future__ import annotations


def sentence(text: str) -> str:
    text = (text or "").strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


def problem_text(problem) -> str:
    """Each field's message as its own sentence, or the problem's detail."""
    details = [sentence(e["detail"]) for e in (getattr(problem, "errors", None) or []) if e.get("detail")]
    return " ".join(details) or sentence(getattr(problem, "detail", None) or str(problem))


def field_messages(problem) -> dict[str, str]:
    """{first path segment of the field: sentence} for forms that show messages beside fields."""
    out: dict[str, str] = {}
    for error in getattr(problem, "errors", None) or []:
        out.setdefault((error.get("field") or "form").split(".")[0], sentence(error.get("detail", "")))
    return out
