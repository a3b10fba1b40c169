import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from openbadges.identity import matches
from openbadges.models import (
    CLR_V2_CONTEXT,
    OB_V3_CONTEXT,
    VC_V2_CONTEXT,
    Achievement,
    AchievementSubject,
    Alignment,
    Association,
    ClrCredential,
    ClrSubject,
    Criteria,
    Evidence,
    Image,
    ModelError,
    OpenBadgeCredential,
    Profile,
    Result,
    ResultDescription,
    RubricCriterionLevel,
)
from openbadges.schema import validate
from openbadges.status_list import status_entry

EXAMPLES = Path(__file__).with_name("examples")
ISSUED = datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc)
ARTIFACT = b"%PDF-1.7 student essay on photosynthesis"


def rubric_achievement() -> Achievement:
    levels = [
        RubricCriterionLevel(id="urn:uuid:level-1", name="Beginning", level="1", points="1"),
        RubricCriterionLevel(id="urn:uuid:level-4", name="Mastered", level="4", points=4,
                             description="Explains the light and dark reactions correctly."),
    ]
    return Achievement(
        id="https://badges.example/achievements/photosynthesis",
        name="Photosynthesis",
        description="Explains how plants turn light into chemical energy.",
        criteria=Criteria(narrative="Score *Mastered* on the photosynthesis rubric."),
        achievement_type="Competency",
        image=Image(id="https://badges.example/img/photosynthesis.png", caption="Leaf badge"),
        alignment=[Alignment(target_name="HS-LS1-5", target_url="https://www.nextgenscience.org/pe/hs-ls1-5",
                             target_code="HS-LS1-5", target_framework="NGSS", target_type="CFItem")],
        result_description=[ResultDescription(id="urn:uuid:rubric-1", name="Photosynthesis rubric",
                                              result_type="RubricCriterionLevel", rubric_criterion_level=levels,
                                              required_level="urn:uuid:level-4")],
    )


def badge(**overrides) -> OpenBadgeCredential:
    subject = AchievementSubject.for_email(
        " Kim.Lee@School.edu ", rubric_achievement(), salt="s4lt",
        result=[Result(result_description="urn:uuid:rubric-1", achieved_level="urn:uuid:level-4")])
    fields = dict(
        id="urn:uuid:6f1c1e0e-2f43-4f0e-9d54-7c7e4a1d3b10",
        issuer=Profile(id="did:web:badges.example", name="Example High School", url="https://school.example"),
        valid_from=ISSUED,
        name="Photosynthesis",
        credential_subject=subject,
        evidence=[Evidence.for_artifact("https://badges.example/artifacts/42", hashlib.sha256(ARTIFACT).hexdigest(),
                                        name="Essay", genre="Essay")],
        credential_status=status_entry(list_credential_url="https://badges.example/status/1", index=42,
                                       purpose="revocation"),
    )
    fields.update(overrides)
    return OpenBadgeCredential(**fields)


def test_builder_output_is_spec_shaped_and_validates():
    doc = badge(valid_until=ISSUED + timedelta(days=365)).to_json()
    assert doc["@context"] == [VC_V2_CONTEXT, OB_V3_CONTEXT]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["validFrom"] == "2024-05-01T09:30:00Z" and doc["validUntil"] == "2025-05-01T09:30:00Z"
    assert doc["issuer"]["type"] == ["Profile"]
    achievement = doc["credentialSubject"]["achievement"]
    assert achievement["criteria"] == {"narrative": "Score *Mastered* on the photosynthesis rubric."}
    assert achievement["image"] == {"id": "https://badges.example/img/photosynthesis.png", "type": "Image",
                                    "caption": "Leaf badge"}
    assert achievement["alignment"][0]["type"] == ["Alignment"]
    level = achievement["resultDescription"][0]["rubricCriterionLevel"][1]
    assert level["type"] == ["RubricCriterionLevel"] and level["points"] == "4"
    assert doc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert validate(doc) == []
    json.dumps(doc)  # plain JSON types only


def test_none_and_empty_values_are_omitted():
    doc = badge(evidence=[], credential_status=None).to_json()
    assert "evidence" not in doc and "credentialStatus" not in doc and "validUntil" not in doc
    assert "id" not in doc["credentialSubject"]  # recipient is only the hashed identifier
    assert "caption" not in Image(id="https://x.example/i.png").to_json()


def test_recipient_is_a_salted_hash_never_the_address():
    doc = badge().to_json()
    text = json.dumps(doc).lower()
    assert "kim.lee" not in text
    (identity,) = doc["credentialSubject"]["identifier"]
    assert identity["hashed"] is True and identity["salt"] == "s4lt"
    assert matches(identity, "kim.lee@school.edu")
    plain = {"type": "IdentityObject", "identityType": "emailAddress", "hashed": False, "identityHash": "kim@x.edu"}
    with pytest.raises(ModelError, match="hashed"):
        AchievementSubject(achievement=rubric_achievement(), identifier=[plain]).to_json()


def test_evidence_binds_the_artifact_sha256_with_digest_sri():
    digest = hashlib.sha256(ARTIFACT)
    evidence = Evidence.for_artifact("https://badges.example/artifacts/42", digest.digest(), name="Essay")
    doc = evidence.to_json()
    assert doc["id"] == "https://badges.example/artifacts/42" and doc["type"] == ["Evidence"]
    assert doc["digestSRI"].startswith("sha256-")
    assert evidence.sha256_hex == digest.hexdigest()
    assert Evidence.from_json(doc).sha256_hex == digest.hexdigest()
    with pytest.raises(ModelError):
        Evidence.for_artifact("https://badges.example/artifacts/42", "not-hex")


def test_round_trip_of_published_and_built_documents():
    basic = json.loads((EXAMPLES / "ob_basic.json").read_text())
    assert OpenBadgeCredential.from_json(basic).to_json() == basic
    built = badge().to_json()
    again = OpenBadgeCredential.from_json(built)
    assert again.to_json() == built
    assert isinstance(again.credential_subject.achievement.result_description[0].rubric_criterion_level[0],
                      RubricCriterionLevel)


def test_unknown_properties_survive_from_json():
    full = json.loads((EXAMPLES / "ob_full.json").read_text())
    full["credentialSubject"]["identifier"] = []  # the example's plaintext e-mails are refused on output
    rebuilt = OpenBadgeCredential.from_json(full).to_json()
    full["credentialSubject"].pop("identifier")
    assert rebuilt == full  # endorsements, address, refreshService... kept via `extra`
    assert OpenBadgeCredential.from_json(full).contexts == ["https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"]


@pytest.mark.parametrize("build", [
    lambda: Criteria(),
    lambda: Achievement(id="x", name="n", description="", criteria=Criteria(narrative="c")),
    lambda: AchievementSubject(achievement=rubric_achievement()),
    lambda: Association(association_type="cousinOf", source_id="a", target_id="b"),
    lambda: badge(valid_from=datetime(2024, 1, 1)).to_json(),  # naive datetime
    lambda: ClrSubject(verifiable_credential=[]),
    lambda: Alignment(target_name="x", target_url=None),
])
def test_invalid_builds_raise_model_error(build):
    with pytest.raises(ModelError):
        build()


def test_clr_credential_embeds_badges_and_validates():
    first = badge().to_json()
    second = badge(id="urn:uuid:0b6f3b9a-0001-4000-8000-000000000002").to_json()
    achievement = rubric_achievement()
    capstone = Achievement(id="https://badges.example/achievements/biology", name="Biology",
                           description="Biology course.", criteria=Criteria(id="https://badges.example/c/bio"),
                           achievement_type="Course")
    clr = ClrCredential(
        id="urn:uuid:2c1f4a9e-7d64-4d3e-9a53-1a2b3c4d5e6f",
        issuer=Profile(id="did:web:badges.example", name="Example High School"),
        valid_from=ISSUED,
        name="Learner record for Kim",
        credential_subject=ClrSubject(
            identifier=[first["credentialSubject"]["identifier"][0]],
            verifiable_credential=[first, second],
            achievement=[capstone, achievement],
            association=[Association(association_type="isChildOf", source_id=achievement.id, target_id=capstone.id)],
        ),
        partial=False,
    )
    doc = clr.to_json()
    assert doc["@context"][:2] == [VC_V2_CONTEXT, CLR_V2_CONTEXT]
    assert doc["type"] == ["VerifiableCredential", "ClrCredential"]
    assert doc["credentialSubject"]["type"] == ["ClrSubject"]
    assert doc["credentialSubject"]["association"][0] == {
        "type": "Association", "associationType": "isChildOf",
        "sourceId": achievement.id, "targetId": capstone.id}
    assert validate(doc) == []
    assert ClrCredential.from_json(doc).to_json() == doc


def test_published_clr_example_reads_into_builders():
    example = json.loads((EXAMPLES / "clr_sample_transcript.json").read_text())
    clr = ClrCredential.from_json(example)
    assert [a.name for a in clr.credential_subject.achievement] == ["Achievement 1", "Achievement 2"]
    assert clr.credential_subject.association[0].association_type == "isParentOf"
    assert validate(clr.to_json()) == []
