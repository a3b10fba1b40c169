"""Credit translation rules: pure functions from competency levels to the
traditional record (credits, letter grades, grade points, GPA, graduation).

No database and no Flask: a `Rules` value is what a versioned `CreditPolicy`
row stores as JSON, and the same functions run when a transcript is built and
when a verifier recomputes its numbers. Arithmetic is Decimal with half-up
rounding, so a registrar can check every figure by hand.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CREDIT_MODES = ("all", "share")
PARTIAL_MODES = ("proportional", "none")
COMBINE_METHODS = ("mean", "lowest", "mastery")
COURSE_LEVELS = ("standard", "honors", "ap")
TWO = Decimal("0.01")

# A common 4.0 table over a 1-4 proficiency scale (Proficient = 3 -> B).
DEFAULT_GRADE_SCALE = [
    {"min_level": 3.75, "letter": "A", "points": 4.0},
    {"min_level": 3.5, "letter": "A-", "points": 3.7},
    {"min_level": 3.25, "letter": "B+", "points": 3.3},
    {"min_level": 3.0, "letter": "B", "points": 3.0},
    {"min_level": 2.75, "letter": "B-", "points": 2.7},
    {"min_level": 2.5, "letter": "C+", "points": 2.3},
    {"min_level": 2.25, "letter": "C", "points": 2.0},
    {"min_level": 2.0, "letter": "C-", "points": 1.7},
    {"min_level": 1.5, "letter": "D", "points": 1.0},
    {"min_level": 0.0, "letter": "F", "points": 0.0},
]


class RulesError(ValueError):
    """The policy document is not a valid set of rules; `errors` lists (field, reason)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{f}: {r}" for f, r in errors))
        self.errors = errors


def q2(value) -> Decimal:
    """Round half-up to two places (credits, GPA)."""
    return Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GradeBand:
    min_level: Decimal
    letter: str
    points: Decimal


@dataclass(frozen=True)
class Rules:
    """One version of an organization's credit policy."""

    credit_mode: str = "all"          # all competencies proficient, or a share of them
    credit_share: Decimal = Decimal(1)
    partial: str = "proportional"     # below the rule: credit x share proficient, or none
    proficient_level: Decimal = Decimal(3)
    combine: str = "mean"             # course level: mean, lowest, or the mastery method over pooled evidence
    grade_scale: tuple[GradeBand, ...] = ()
    weights: dict = field(default_factory=lambda: {"standard": Decimal(0), "honors": Decimal("0.5"),
                                                   "ap": Decimal("1.0")})
    credits_by_subject: dict = field(default_factory=dict)  # subject -> credits required
    total_credits: Decimal | None = None
    min_domain_levels: dict = field(default_factory=dict)   # competency identifier -> level

    @classmethod
    def from_json(cls, doc: dict) -> Rules:
        errors: list[tuple[str, str]] = []
        if not isinstance(doc, dict):
            raise RulesError([("rules", "must be an object")])

        def dec(name, value, lo=None, hi=None):
            try:
                out = Decimal(str(value))
            except (ArithmeticError, ValueError):
                errors.append((name, "must be a number"))
                return Decimal(0)
            if not out.is_finite() or (lo is not None and out < lo) or (hi is not None and out > hi):
                errors.append((name, f"must be a number between {lo} and {hi}"))
            return out

        credit = doc.get("credit_rule") or {}
        mode = credit.get("mode", "all")
        if mode not in CREDIT_MODES:
            errors.append(("credit_rule.mode", f"must be one of {', '.join(CREDIT_MODES)}"))
        share = dec("credit_rule.share", credit.get("share", 1), Decimal("0.01"), Decimal(1))
        partial = credit.get("partial", "proportional")
        if partial not in PARTIAL_MODES:
            errors.append(("credit_rule.partial", f"must be one of {', '.join(PARTIAL_MODES)}"))
        combine = doc.get("combine", "mean")
        if combine not in COMBINE_METHODS:
            errors.append(("combine", f"must be one of {', '.join(COMBINE_METHODS)}"))
        bands = []
        for i, band in enumerate(doc.get("grade_scale") or DEFAULT_GRADE_SCALE):
            if not isinstance(band, dict) or not str(band.get("letter") or "").strip():
                errors.append((f"grade_scale[{i}]", "needs min_level, letter and points"))
                continue
            bands.append(GradeBand(dec(f"grade_scale[{i}].min_level", band.get("min_level"), Decimal(0), Decimal(100)),
                                   str(band["letter"]).strip()[:4],
                                   dec(f"grade_scale[{i}].points", band.get("points"), Decimal(0), Decimal(10))))
        bands.sort(key=lambda b: b.min_level, reverse=True)
        if bands and bands[-1].min_level != 0:
            errors.append(("grade_scale", "the lowest band must start at level 0 so every level has a grade"))
        if len({b.min_level for b in bands}) != len(bands):
            errors.append(("grade_scale", "two bands start at the same level"))
        weights = {"standard": Decimal(0), "honors": Decimal("0.5"), "ap": Decimal("1.0")}
        for level, value in (doc.get("weights") or {}).items():
            if level not in COURSE_LEVELS:
                errors.append((f"weights.{level}", f"course levels are {', '.join(COURSE_LEVELS)}"))
                continue
            weights[level] = dec(f"weights.{level}", value, Decimal(0), Decimal(2))
        grad = doc.get("graduation") or {}
        by_subject = {str(k): dec(f"graduation.credits_by_subject.{k}", v, Decimal(0), Decimal(100))
                      for k, v in (grad.get("credits_by_subject") or {}).items()}
        total = grad.get("total_credits")
        total = dec("graduation.total_credits", total, Decimal(0), Decimal(200)) if total is not None else None
        domains = {str(k): dec(f"graduation.min_domain_levels.{k}", v, Decimal(0), Decimal(100))
                   for k, v in (grad.get("min_domain_levels") or {}).items()}
        proficient = dec("proficient_level", doc.get("proficient_level", 3), Decimal(0), Decimal(100))
        unknown = set(doc) - {"credit_rule", "combine", "grade_scale", "weights", "graduation", "proficient_level"}
        errors.extend((name, "is not a policy setting") for name in sorted(unknown))
        if errors:
            raise RulesError(errors)
        return cls(mode, share, partial, proficient, combine, tuple(bands), weights, by_subject, total, domains)

    def to_json(self) -> dict:
        """The canonical published form (numbers as JSON numbers)."""
        return {
            "credit_rule": {"mode": self.credit_mode, "share": float(self.credit_share), "partial": self.partial},
            "proficient_level": float(self.proficient_level),
            "combine": self.combine,
            "grade_scale": [{"min_level": float(b.min_level), "letter": b.letter, "points": float(b.points)}
                            for b in self.grade_scale],
            "weights": {k: float(v) for k, v in self.weights.items()},
            "graduation": {"credits_by_subject": {k: float(v) for k, v in self.credits_by_subject.items()},
                           "total_credits": float(self.total_credits) if self.total_credits is not None else None,
                           "min_domain_levels": {k: float(v) for k, v in self.min_domain_levels.items()}},
        }

    def describe(self) -> list[str]:
        """The rules in plain language, for the published page and the PDF."""
        share = f"{int(self.credit_share * 100)}%"
        rule = ("all of its competencies" if self.credit_mode == "all"
                else f"at least {share} of its competencies")
        partial = ("Below that, credit is earned in proportion to the competencies shown at that level."
                   if self.partial == "proportional" else "Below that, no credit is earned.")
        combine = {"mean": "the mean of the current levels of its competencies",
                   "lowest": "the lowest current level among its competencies",
                   "mastery": "the school's mastery method applied to all evidence of its competencies"}[self.combine]
        weighted = ", ".join(f"{k}: +{v.normalize()}" for k, v in self.weights.items() if v)
        weighting = (f"Weighted GPA adds grade points to passing grades by course level ({weighted})."
                     if weighted else "No course level is weighted.")
        return [(f"A course earns its full credit when {rule} reach level {self.proficient_level.normalize()} "
                 f"(proficient) or above. {partial}"),
                f"A course's level is {combine}; the grade table turns it into a letter and grade points.",
                weighting,
                ("GPA is the credit-weighted mean of grade points over graded courses, per term and cumulative, "
                 "rounded half-up to two places. Courses without evidence are shown as in progress and are "
                 "not counted.")]


# -- the computations ----------------------------------------------------------------------
@dataclass(frozen=True)
class CourseOutcome:
    level: Decimal | None      # combined course level, None = no evidence (in progress)
    letter: str | None
    points: Decimal | None     # unweighted grade points
    weighted_points: Decimal | None
    credits_attempted: Decimal
    credits_earned: Decimal
    proficient_count: int
    competency_count: int


def grade_for(rules: Rules, level: Decimal) -> GradeBand:
    for band in rules.grade_scale:
        if level >= band.min_level:
            return band
    return rules.grade_scale[-1]


def combine_levels(rules: Rules, levels: Sequence[Decimal | None], pooled_level: Decimal | None = None) -> Decimal | None:
    """A course's level from its competencies' current levels (those with evidence)."""
    if rules.combine == "mastery":
        return q2(pooled_level) if pooled_level is not None else None
    present = [Decimal(str(v)) for v in levels if v is not None]
    if not present:
        return None
    if rules.combine == "lowest":
        return q2(min(present))
    return q2(sum(present) / len(present))


def credits_for(rules: Rules, credit_value: Decimal, levels: Sequence[Decimal | None]) -> tuple[Decimal, int]:
    """(credits earned, number of competencies at proficient or above)."""
    total = len(levels)
    shown = sum(1 for v in levels if v is not None and Decimal(str(v)) >= rules.proficient_level)
    if total == 0:
        return Decimal("0.00"), 0
    share = Decimal(shown) / Decimal(total)
    needed = Decimal(1) if rules.credit_mode == "all" else rules.credit_share
    if share >= needed:
        return q2(credit_value), shown
    if rules.partial == "proportional":
        return q2(Decimal(credit_value) * share), shown
    return Decimal("0.00"), shown


def course_outcome(rules: Rules, credit_value, course_level: str, levels: Sequence[Decimal | None],
                   pooled_level: Decimal | None = None) -> CourseOutcome:
    credit_value = Decimal(str(credit_value))
    level = combine_levels(rules, levels, pooled_level)
    earned, shown = credits_for(rules, credit_value, levels) if level is not None else (Decimal("0.00"), 0)
    if level is None:  # no evidence yet: in progress, nothing attempted
        return CourseOutcome(None, None, None, None, Decimal("0.00"), earned, shown, len(levels))
    band = grade_for(rules, level)
    bonus = rules.weights.get(course_level or "standard", Decimal(0)) if band.points > 0 else Decimal(0)
    return CourseOutcome(level, band.letter, q2(band.points), q2(band.points + bonus), q2(credit_value), earned,
                         shown, len(levels))


@dataclass(frozen=True)
class Gpa:
    unweighted: Decimal | None
    weighted: Decimal | None
    credits_attempted: Decimal
    credits_earned: Decimal


def gpa(outcomes: Iterable[CourseOutcome]) -> Gpa:
    """Credit-weighted mean of grade points over graded courses."""
    graded = [(o.points, o.weighted_points if o.weighted_points is not None else o.points, o)
              for o in outcomes if o.points is not None]
    attempted = sum((o.credits_attempted for _, _, o in graded), Decimal(0))
    earned = sum((o.credits_earned for _, _, o in graded), Decimal(0))
    if attempted == 0:
        return Gpa(None, None, q2(attempted), q2(earned))
    unweighted = sum((p * o.credits_attempted for p, _, o in graded), Decimal(0)) / attempted
    weighted = sum((w * o.credits_attempted for _, w, o in graded), Decimal(0)) / attempted
    return Gpa(q2(unweighted), q2(weighted), q2(attempted), q2(earned))


@dataclass(frozen=True)
class Requirement:
    kind: str          # credits | total | domain
    name: str          # subject, "Total", or the domain's identifier
    required: Decimal
    actual: Decimal | None
    met: bool


def graduation(rules: Rules, credits_by_subject: dict, total_earned: Decimal,
               domain_levels: dict) -> list[Requirement]:
    out = []
    for subject, required in sorted(rules.credits_by_subject.items()):
        actual = q2(credits_by_subject.get(subject, Decimal(0)))
        out.append(Requirement("credits", subject, required, actual, actual >= required))
    if rules.total_credits is not None:
        out.append(Requirement("total", "Total credits", rules.total_credits, q2(total_earned),
                               total_earned >= rules.total_credits))
    for identifier, required in sorted(rules.min_domain_levels.items()):
        level = domain_levels.get(identifier)
        shown: Decimal | None = q2(level) if level is not None else None
        out.append(Requirement("domain", identifier, required, shown, shown is not None and shown >= required))
    return out
