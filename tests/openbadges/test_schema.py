import copy
import json
from pathlib import Path

import pytest

from openbadges.schema import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA,
    CLR_CREDENTIAL_SCHEMA,
    ENDORSEMENT_CREDENTIAL_SCHEMA,
    SchemaViolation,
    schema_for,
    validate,
)

EXAMPLES = Path(__file__).with_name("examples")


def load(name):
    return json.loads((EXAMPLES / name).read_text())


@pytest.mark.parametrize("name", [
    "ob_basic.json", "ob_full.json", "endorsement.json", "clr_sample_transcript.json", "status_list_credential.json",
])
def test_published_examples_validate(name):
    assert validate(load(name)) == []


def test_schema_is_chosen_from_type():
    assert schema_for(load("ob_basic.json")) == ACHIEVEMENT_CREDENTIAL_SCHEMA
    assert schema_for({"type": ["VerifiableCredential", "AchievementCredential"]}) == ACHIEVEMENT_CREDENTIAL_SCHEMA
    assert schema_for(load("clr_sample_transcript.json")) == CLR_CREDENTIAL_SCHEMA
    assert schema_for(load("endorsement.json")) == ENDORSEMENT_CREDENTIAL_SCHEMA


def paths(violations):
    return {v.path for v in violations}


def test_broken_document_reports_every_violation_by_path():
    doc = load("ob_basic.json")
    del doc["credentialSubject"]["achievement"]["criteria"]
    del doc["validFrom"]
    doc["issuer"]["type"] = ["Organization"]
    doc["credentialSubject"]["achievement"]["achievementType"] = "Trophy"
    doc["validUntil"] = "next tuesday"
    doc["@context"] = ["https://www.w3.org/2018/credentials/v1", doc["@context"][1]]
    violations = validate(doc)
    assert {
        "credentialSubject.achievement.criteria",
        "validFrom",
        "issuer.type",
        "credentialSubject.achievement.achievementType",
        "validUntil",
        "@context[0]",
    } <= paths(violations)
    missing = next(v for v in violations if v.path == "credentialSubject.achievement.criteria")
    assert missing.pointer == "/credentialSubject/achievement/criteria"
    assert missing.keyword == "required" and missing.message == "is required"
    assert all(isinstance(v, SchemaViolation) and v.message for v in violations)


def test_nested_array_items_are_reported_with_indices():
    doc = load("ob_full.json")
    doc["credentialSubject"]["result"][2]["status"] = "Done"
    doc["credentialSubject"]["identifier"][1]["hashed"] = "no"
    doc["evidence"][0]["type"] = ["Proof"]
    got = paths(validate(doc))
    assert "credentialSubject.result[2].status" in got
    assert "credentialSubject.identifier[1].hashed" in got
    assert "evidence[0].type" in got


def test_subject_needs_id_or_identifier_and_hashed_identity_needs_a_hash():
    doc = load("ob_basic.json")
    del doc["credentialSubject"]["id"]
    assert "credentialSubject" in paths(validate(doc))
    doc["credentialSubject"]["identifier"] = [{
        "type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
        "identityHash": "kim@school.edu", "salt": "s"}]
    assert "credentialSubject.identifier[0].identityHash" in paths(validate(doc))
    doc["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "ab" * 32
    assert validate(doc) == []


def test_credential_type_must_name_the_class():
    doc = load("ob_basic.json")
    doc["type"] = ["VerifiableCredential"]
    assert "type" in paths(validate(doc))


def test_datetimes_need_a_time_zone():
    doc = load("ob_basic.json")
    doc["validFrom"] = "2010-01-01T00:00:00"
    assert "validFrom" in paths(validate(doc))
    doc["validFrom"] = "2010-13-01T00:00:00Z"
    assert "validFrom" in paths(validate(doc))
    doc["validFrom"] = "2010-01-01T00:00:00.123+02:00"
    assert validate(doc) == []


def test_clr_violations_reach_into_embedded_credentials_and_associations():
    doc = load("clr_sample_transcript.json")
    bad = copy.deepcopy(doc)
    bad["credentialSubject"]["association"][0]["associationType"] = "cousinOf"
    del bad["credentialSubject"]["verifiableCredential"][0]["validFrom"]
    del bad["name"]
    got = paths(validate(bad))
    assert {"credentialSubject.association[0].associationType",
            "credentialSubject.verifiableCredential[0].validFrom", "name"} <= got
    bad = copy.deepcopy(doc)
    bad["credentialSubject"]["verifiableCredential"] = []
    assert "credentialSubject.verifiableCredential" in paths(validate(bad))


def test_not_a_credential():
    assert validate([]) == [SchemaViolation("", "document must be a JSON object", "", "type")]
    assert [v.path for v in validate({"type": ["VerifiableCredential", "Passport"]})] == ["type"]
    assert [v.path for v in validate({})] == ["type"]


def test_schemas_resolve_offline_from_the_bundled_files():
    # EndorsementCredential and CLR schemas are $refs into the OB schema: the local
    # registry must resolve them (a network fetch would fail here).
    assert validate(load("endorsement.json")) == []
    endorsement = load("endorsement.json")
    del endorsement["credentialSubject"]["id"]
    assert paths(validate(endorsement)) == {"credentialSubject.id"}
