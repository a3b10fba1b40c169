"""Read competency frameworks from a 1EdTech CASE 1.0 package (JSON) or a
simple CSV into a `FrameworkDraft`. Pure: nothing is written here
(`frameworks.save_draft` stores a draft).

CASE: `CFDocument` is the framework; each `CFItem` a node; `CFAssociations`
of type isChildOf (origin = child, destination = parent or the document)
make the hierarchy, the others (precedes, isRelatedTo, exactMatchOf...) are
kept as they are. Source identifiers and URIs are kept so badges can align to
them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..csv_text import CsvUnreadable, read_rows

ASSOCIATION_TYPES = ("isChildOf", "isPeerOf", "isPartOf", "exactMatchOf", "precedes", "isRelatedTo",
                     "replacedBy", "exemplar", "hasSkillLevel")
CSV_COLUMNS = ("identifier", "parent", "human_code", "statement", "abbreviated_statement", "item_type",
               "subject", "grade_levels")


class FrameworkImportError(ValueError):
    """The package is not a usable framework; `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""))
        self.errors = errors


@dataclass
class ItemDraft:
    identifier: str
    statement: str
    uri: str | None = None
    human_code: str | None = None
    abbreviated_statement: str | None = None
    item_type: str | None = None
    subject: str | None = None
    grade_levels: list[str] = field(default_factory=list)
    parent: str | None = None  # parent identifier; None at the top
    position: int = 0
    depth: int = 0


@dataclass
class AssociationDraft:
    association_type: str
    origin: str
    destination: str
    destination_uri: str | None = None
    identifier: str | None = None
    sequence_number: int | None = None


@dataclass
class FrameworkDraft:
    title: str
    source: str
    items: list[ItemDraft]  # parents always before their children
    associations: list[AssociationDraft] = field(default_factory=list)
    subject: str | None = None
    description: str | None = None
    source_identifier: str | None = None
    source_uri: str | None = None
    creator: str | None = None


def read_case_package(package: dict) -> FrameworkDraft:
    errors: list[str] = []
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise FrameworkImportError(["the package has no CFDocument object"])
    doc = package["CFDocument"]
    for key in ("identifier", "title"):
        if not _text(doc.get(key)):
            errors.append(f"CFDocument.{key} is required")
    raw_items = package.get("CFItems", [])
    raw_assocs = package.get("CFAssociations", [])
    if not isinstance(raw_items, list) or not isinstance(raw_assocs, list):
        raise FrameworkImportError(["CFItems and CFAssociations must be arrays"])
    subjects = doc.get("subject") if isinstance(doc.get("subject"), list) else []
    subject = _text(subjects[0]) if subjects else None
    items: dict[str, ItemDraft] = {}
    for n, raw in enumerate(raw_items):
        where = f"CFItems[{n}]"
        if not isinstance(raw, dict):
            errors.append(f"{where} is not an object")
            continue
        identifier, statement = _text(raw.get("identifier")), _text(raw.get("fullStatement"))
        if not identifier:
            errors.append(f"{where}.identifier is required")
            continue
        if identifier in items:
            errors.append(f"{where}.identifier {identifier} appears twice")
            continue
        if not statement:
            errors.append(f"{where}.fullStatement is required")
            continue
        levels = raw.get("educationLevel") or []
        items[identifier] = ItemDraft(
            identifier=identifier, statement=statement, uri=_text(raw.get("uri")),
            human_code=_text(raw.get("humanCodingScheme")),
            abbreviated_statement=_text(raw.get("abbreviatedStatement")),
            item_type=_text(raw.get("CFItemType")), subject=subject,
            grade_levels=[str(v) for v in levels] if isinstance(levels, list) else [])
    associations: list[AssociationDraft] = []
    parents: dict[str, tuple[int, str]] = {}
    sequence: dict[str, int] = {}
    for n, raw in enumerate(raw_assocs):
        where = f"CFAssociations[{n}]"
        if not isinstance(raw, dict):
            errors.append(f"{where} is not an object")
            continue
        kind = raw.get("associationType")
        origin = _node_identifier(raw.get("originNodeURI"))
        destination = _node_identifier(raw.get("destinationNodeURI"))
        if kind not in ASSOCIATION_TYPES:
            errors.append(f"{where}.associationType {kind!r} is not a CASE 1.0 association type")
            continue
        if not origin or not destination:
            errors.append(f"{where} needs originNodeURI and destinationNodeURI with an identifier")
            continue
        if origin not in items:
            errors.append(f"{where}.originNodeURI {origin} is not an item of this package")
            continue
        seq = raw.get("sequenceNumber")
        seq = seq if isinstance(seq, int) else None
        if kind == "isChildOf" and (destination == doc.get("identifier") or destination in items):
            if origin in parents:
                # CASE allows several parents; the first is the tree, the rest stay associations.
                associations.append(AssociationDraft(kind, origin, destination, _node_uri(raw), _text(
                    raw.get("identifier")), seq))
                continue
            parents[origin] = (seq if seq is not None else 1 << 30, destination)
            items[origin].parent = None if destination == doc.get("identifier") else destination
            sequence[origin] = seq if seq is not None else 1 << 30
            continue
        associations.append(AssociationDraft(kind, origin, destination, _node_uri(raw),
                                             _text(raw.get("identifier")), seq))
    if errors:
        raise FrameworkImportError(errors)
    ordered = _tree_order(items, sequence)
    return FrameworkDraft(title=_text(doc["title"]), source="case", items=ordered, associations=associations,
                          subject=subject, description=_text(doc.get("description")),
                          source_identifier=_text(doc["identifier"]), source_uri=_text(doc.get("uri")),
                          creator=_text(doc.get("creator")))


def read_csv(text: str, title: str, subject: str | None = None) -> FrameworkDraft:
    """Columns (header row required): statement, and optionally identifier,
    parent (an identifier or human code), human_code, abbreviated_statement,
    item_type, subject, grade_levels (separated by ';' or spaces)."""
    try:
        fieldnames, rows = read_rows(text)
    except CsvUnreadable as exc:
        raise FrameworkImportError([str(exc)]) from None
    header = [h.strip() for h in fieldnames]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if "statement" not in header:
        raise FrameworkImportError(["the CSV needs a header row with at least a 'statement' column"])
    if unknown:
        raise FrameworkImportError([f"unknown column {h!r}; use {', '.join(CSV_COLUMNS)}" for h in unknown])
    errors: list[str] = []
    items: dict[str, ItemDraft] = {}
    by_code: dict[str, str] = {}
    order: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if isinstance(k, str) and k}
        statement = row.get("statement")
        identifier = row.get("identifier") or row.get("human_code")
        if not statement:
            errors.append(f"line {line}: statement is required")
            continue
        if not identifier:
            errors.append(f"line {line}: an identifier or human_code is required")
            continue
        if identifier in items:
            errors.append(f"line {line}: identifier {identifier} appears twice")
            continue
        grades = [g for g in row.get("grade_levels", "").replace(";", " ").split() if g]
        items[identifier] = ItemDraft(identifier=identifier, statement=statement,
                                      human_code=row.get("human_code") or None,
                                      abbreviated_statement=row.get("abbreviated_statement") or None,
                                      item_type=row.get("item_type") or None,
                                      subject=row.get("subject") or subject, grade_levels=grades,
                                      parent=row.get("parent") or None)
        order[identifier] = line
        if items[identifier].human_code:
            by_code[items[identifier].human_code] = identifier
    for identifier, item in items.items():
        if item.parent and item.parent not in items:
            if item.parent in by_code:
                item.parent = by_code[item.parent]
            else:
                errors.append(f"item {identifier}: parent {item.parent} is not in the file")
    if errors:
        raise FrameworkImportError(errors)
    return FrameworkDraft(title=title, source="csv", items=_tree_order(items, order), subject=subject)


def _tree_order(items: dict[str, ItemDraft], sequence: dict[str, int]) -> list[ItemDraft]:
    """Parents before children, siblings by sequence; refuses cycles."""
    children: dict[str | None, list[str]] = {}
    for identifier, item in items.items():
        children.setdefault(item.parent, []).append(identifier)
    ordered: list[ItemDraft] = []
    stack = [(identifier, 0) for identifier in reversed(_sorted(children.get(None, []), items, sequence))]
    while stack:
        identifier, depth = stack.pop()
        item = items[identifier]
        item.depth = depth
        item.position = len(ordered)
        ordered.append(item)
        for child in reversed(_sorted(children.get(identifier, []), items, sequence)):
            stack.append((child, depth + 1))
    if len(ordered) != len(items):
        stuck = sorted(set(items) - {i.identifier for i in ordered})
        raise FrameworkImportError([f"isChildOf associations form a cycle through {', '.join(stuck[:5])}"])
    return ordered


def _sorted(identifiers, items, sequence):
    return sorted(identifiers, key=lambda i: (sequence.get(i, 1 << 30), items[i].human_code or "", i))


def _node_identifier(node) -> str | None:
    return _text(node.get("identifier")) if isinstance(node, dict) else None


def _node_uri(raw) -> str | None:
    node = raw.get("destinationNodeURI")
    return _text(node.get("uri")) if isinstance(node, dict) else None


def _text(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None
