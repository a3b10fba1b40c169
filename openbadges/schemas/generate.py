"""Regenerates the bundled JSON schemas in this folder: `python openbadges/schemas/generate.py`.

The schemas transcribe the final Open Badges 3.0 / CLR 2.0 data model (Appendix B) into
1EdTech's JSON Schema conventions; README.md in this folder lists sources and deviations.
"""
import json
import pathlib
OUT = pathlib.Path(__file__).resolve().parent
D2019 = "https://json-schema.org/draft/2019-09/schema#"
OB_ID = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
END_ID = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
CLR_ID = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
BSL_ID = "urn:mastery-badges:schema:bitstring-status-list-credential"
VC2 = "https://www.w3.org/ns/credentials/v2"
OB_CTX = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CTX = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

S = lambda d=None, **kw: {**({"description": d} if d else {}), "type": "string", **kw}
DT = lambda d: S(d, format="date-time")
NUM = lambda d: {"description": d, "type": "number"}
def ref(name, base=""): return {"$ref": f"{base}#/$defs/{name}"}
def many(item): return {"type": "array", "items": item}
def one_or_many(item): return {"oneOf": [item, many(item)]}
def typ(iri):
    """[1..*] IRI set that MUST include `iri`; a bare string is accepted as 1EdTech's schemas do."""
    return {"description": f"The value of the type property MUST be an unordered set. One of the items MUST be the IRI '{iri}'.",
            "anyOf": [{"type": "string", "const": iri},
                      {"type": "array", "minItems": 1, "items": {"type": "string"}, "contains": {"const": iri}}]}
def const_type(iri): return {"description": f"MUST be the IRI '{iri}'.", "type": "string", "const": iri}
def ext_enum(values, d):
    return {"description": d, "anyOf": [{"type": "string", "enum": values},
                                        {"type": "string", "pattern": "^ext:[a-zA-Z0-9._-]+$"}]}
def obj(props, required, extensible=True, d=None, **kw):
    o = {"type": "object", "properties": props, "required": required, "additionalProperties": extensible, **kw}
    return {"description": d, **o} if d else o
def context(*firsts):
    """Ordered @context: the given URIs first (2019-09 tuple form), then any Context."""
    return {"type": "array", "minItems": len(firsts),
            "items": [{"const": u} for u in firsts], "additionalItems": ref("Context")}
def cred_type(*alts):
    c = [{"contains": {"const": "VerifiableCredential"}}, {"contains": {"enum": list(alts)}}]
    return {"description": "Unordered set; MUST include 'VerifiableCredential' and " + " or ".join(repr(a) for a in alts) + ".",
            "type": "array", "items": {"type": "string"}, "allOf": c}

IDENTIFIER_TYPES = ["name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
    "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId", "sisSourcedId", "ltiContextId",
    "ltiDeploymentId", "ltiToolId", "ltiPlatformId", "ltiUserId", "identifier"]
ACHIEVEMENT_TYPES = ["Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award",
    "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification", "CommunityService", "Competency",
    "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment",
    "JourneymanCertificate", "LearningProgram", "License", "Membership", "ProfessionalDoctorate",
    "QualityAssuranceCredential", "MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate",
    "SecondarySchoolDiploma"]
RESULT_TYPES = ["GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore", "RawScore", "Result",
    "RubricCriterion", "RubricCriterionLevel", "RubricScore", "ScaledScore", "Status"]
ALIGNMENT_TARGET_TYPES = ["ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
    "CFRubricCriterionLevel", "CTDL"]
RESULT_STATUS = ["Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"]
COMPACT_JWS = {"type": "string", "pattern": "^[a-zA-Z0-9_-]+\\.[a-zA-Z0-9_-]*\\.[a-zA-Z0-9_-]+$"}

def vc_common(base=""):
    """Properties shared by every VC 2.0 based credential class (Appendix B.1.19)."""
    return {
        "id": S("Unambiguous reference to the credential."),
        "name": S("The name of the credential for display purposes in wallets."),
        "description": S("The short description of the credential for display purposes in wallets."),
        "issuer": ref("ProfileRef", base),
        "validFrom": DT("Timestamp of when the credential becomes valid."),
        "validUntil": DT("Timestamp after which the credential should be considered invalid."),
        "awardedDate": DT("Timestamp of when the credential was awarded."),
        "proof": one_or_many(ref("Proof", base)),
        "credentialSchema": one_or_many(ref("CredentialSchema", base)),
        "credentialStatus": ref("CredentialStatus", base),
        "refreshService": ref("RefreshService", base),
        "termsOfUse": one_or_many(ref("TermsOfUse", base)),
        "evidence": many(ref("Evidence", base)),
    }

defs = {
    "Context": {"description": "JSON-LD Context: a URI or a map with a local context definition.",
                "anyOf": [{"type": "object"}, {"type": "string"}]},
    "ProfileRef": {"description": "Either the URI of the issuer profile or a Profile object.",
                   "oneOf": [S("Unique URI for the Issuer/Profile file."), ref("Profile")]},
    "Achievement": obj({
        "id": S("Unique URI for the Achievement."), "type": typ("Achievement"),
        "alignment": many(ref("Alignment")),
        "achievementType": ext_enum(ACHIEVEMENT_TYPES, "The type of achievement. This is an extensible vocabulary."),
        "creator": ref("Profile"), "creditsAvailable": NUM("Credit hours associated with this entity."),
        "criteria": ref("Criteria"), "description": S("A short description of the achievement."),
        "endorsement": many(ref("EndorsementCredential")), "endorsementJwt": many(COMPACT_JWS),
        "fieldOfStudy": S(), "humanCode": S(), "image": ref("Image"),
        "inLanguage": S("The language of the achievement [BCP47].", pattern="^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"),
        "name": S("The name of the achievement."), "otherIdentifier": many(ref("IdentifierEntry")),
        "related": many(ref("Related")), "resultDescription": many(ref("ResultDescription")),
        "specialization": S(), "tag": many(S()), "version": S(),
    }, ["id", "type", "criteria", "description", "name"]),
    "AchievementSubject": obj({
        "id": S("An identifier for the Credential Subject. Either id or at least one identifier MUST be supplied."),
        "type": typ("AchievementSubject"),
        "activityEndDate": S("The datetime the activity ended (DateTime; time zone optional)."), "activityStartDate": S("The datetime the activity started (DateTime; time zone optional)."),
        "creditsEarned": NUM("The number of credits earned."), "achievement": ref("Achievement"),
        "identifier": many(ref("IdentityObject")), "image": ref("Image"), "licenseNumber": S(),
        "narrative": S(), "result": many(ref("Result")), "role": S(), "source": ref("Profile"), "term": S(),
    }, ["type", "achievement"],
        # B.1.3: "Either id or at least one identifier MUST be supplied."
        anyOf=[{"required": ["id"]}, {"required": ["identifier"], "properties": {"identifier": {"minItems": 1}}}]),
    "Address": obj({
        "type": typ("Address"), "addressCountry": S(), "addressCountryCode": S("ISO 3166-1 alpha-2 country code.", pattern="^[A-Z]{2}$"),
        "addressRegion": S(), "addressLocality": S(), "streetAddress": S(), "postOfficeBoxNumber": S(), "postalCode": S(),
        "geo": ref("GeoCoordinates"),
    }, ["type"]),
    "Alignment": obj({
        "type": typ("Alignment"), "targetCode": S(), "targetDescription": S(), "targetName": S("Name of the alignment."),
        "targetFramework": S(), "targetType": ext_enum(ALIGNMENT_TARGET_TYPES, "The type of the alignment target node."),
        "targetUrl": S("URL linking to the official description of the alignment target."),
    }, ["type", "targetName", "targetUrl"]),
    "Criteria": obj({"id": S("The URI of a webpage that describes the criteria."),
                     "narrative": S("A narrative of what is needed to earn the achievement.")}, [],
                    # an empty criteria object says nothing; require at least one of its two properties
                    minProperties=1),
    "EndorsementCredential": obj({
        "@context": context(VC2, OB_CTX), "type": cred_type("EndorsementCredential"),
        **vc_common(), "credentialSubject": ref("EndorsementSubject"),
    }, ["@context", "type", "id", "name", "credentialSubject", "issuer", "validFrom"]),
    "EndorsementSubject": obj({"id": S("The identifier of what is endorsed."), "type": typ("EndorsementSubject"),
                               "endorsementComment": S()}, ["id", "type"]),
    "Evidence": obj({
        "id": S("The URL of a webpage presenting evidence of achievement or the evidence encoded as a Data URI."),
        "type": typ("Evidence"), "narrative": S(), "name": S(), "description": S(), "genre": S(), "audience": S(),
        # VC 2.0 section 5.3, Integrity of Related Resources (terms of the VC 2.0 context)
        "digestSRI": S("Subresource Integrity digest of the resource at id, e.g. 'sha256-<base64>'.",
                       pattern="^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}$"),
        "digestMultibase": S("Multibase-encoded multihash digest of the resource at id."),
    }, ["type"]),
    "GeoCoordinates": obj({"type": const_type("GeoCoordinates"), "latitude": NUM("Latitude [WGS84]."),
                           "longitude": NUM("Longitude [WGS84].")}, ["type", "latitude", "longitude"]),
    "IdentifierEntry": obj({"type": const_type("IdentifierEntry"), "identifier": S("An identifier."),
                            "identifierType": ext_enum(IDENTIFIER_TYPES, "The identifier type.")},
                           ["type", "identifier", "identifierType"], extensible=False),
    "IdentityObject": obj({
        "type": const_type("IdentityObject"), "hashed": {"type": "boolean"},
        "identityHash": S("Either the IdentityHash of the identity or the plaintext value."),
        "identityType": ext_enum(IDENTIFIER_TYPES, "The identity type."),
        "salt": S("The string used to salt the hash."),
    }, ["type", "hashed", "identityHash", "identityType"], extensible=False,
        # IdentityHash derived type: '<md5|sha256>$<hex>' whenever hashed is true
        **{"if": {"properties": {"hashed": {"const": True}}, "required": ["hashed"]},
           "then": {"properties": {"identityHash": {"pattern": "^(md5\\$[0-9a-fA-F]{32}|sha256\\$[0-9a-fA-F]{64})$"}}}}),
    "Image": obj({"id": S("The URI or Data URI of the image."), "type": const_type("Image"), "caption": S()},
                 ["id", "type"], extensible=False),
    "Profile": obj({
        "id": S("Unique URI for the Issuer/Profile file."), "type": typ("Profile"), "name": S(), "url": S(), "phone": S(),
        "description": S(), "endorsement": many(ref("EndorsementCredential")), "endorsementJwt": many(COMPACT_JWS),
        "image": ref("Image"), "email": S(), "address": ref("Address"), "otherIdentifier": many(ref("IdentifierEntry")),
        "official": S(), "parentOrg": ref("Profile"), "familyName": S(), "givenName": S(), "additionalName": S(),
        "patronymicName": S(), "honorificPrefix": S(), "honorificSuffix": S(), "familyNamePrefix": S(),
        "dateOfBirth": S(format="date"),
    }, ["id", "type"]),
    "Related": obj({"id": S("The related achievement."), "type": typ("Related"), "inLanguage": S(), "version": S()}, ["id", "type"]),
    "Result": obj({
        "type": typ("Result"), "achievedLevel": S("The id of the achieved RubricCriterionLevel."),
        "alignment": many(ref("Alignment")), "resultDescription": S("The id of the linked ResultDescription."),
        "status": {"type": "string", "enum": RESULT_STATUS}, "value": S(),
    }, ["type"]),
    "ResultDescription": obj({
        "id": S("The unique URI for this result description."), "type": typ("ResultDescription"),
        "alignment": many(ref("Alignment")), "allowedValue": many(S()), "name": S("The name of the result."),
        "requiredLevel": S(), "requiredValue": S(),
        "resultType": ext_enum(RESULT_TYPES, "The type of result this description represents."),
        "rubricCriterionLevel": many(ref("RubricCriterionLevel")), "valueMax": S(), "valueMin": S(),
    }, ["id", "type", "name", "resultType"]),
    "RubricCriterionLevel": obj({
        "id": S("The unique URI for this rubric criterion level."), "type": typ("RubricCriterionLevel"),
        "alignment": many(ref("Alignment")), "description": S(), "level": S(), "name": S("The name of the rubric criterion level."),
        "points": S("The points associated with this rubric criterion level."),
    }, ["id", "type", "name"]),
    "VerifiableCredential": obj({
        "@context": context(VC2), "type": {"type": "array", "items": {"type": "string"}, "contains": {"const": "VerifiableCredential"}},
        **vc_common(), "credentialSubject": obj({"id": S()}, []),
    }, ["@context", "type", "issuer", "validFrom", "credentialSubject"]),
    "CredentialSchema": obj({"id": S("A URI identifying the schema file."), "type": S("The type of data schema validation.")}, ["id", "type"]),
    "CredentialStatus": obj({"id": S("The URL of the issuer's credential status method."), "type": S("The name of the credential status method.")}, ["type"]),
    "Proof": obj({"type": S("Signature suite used to produce proof."), "created": S("Date the proof was created (DateTime)."),
                  "cryptosuite": S(), "challenge": S(), "domain": S(), "nonce": S(), "proofPurpose": S(), "proofValue": S(),
                  "verificationMethod": S()}, ["type"]),
    "RefreshService": obj({"id": S(), "type": S()}, ["id", "type"]),
    "TermsOfUse": obj({"id": S(), "type": S()}, ["type"]),
}

ob = {"$schema": D2019, "$id": OB_ID, "title": "JSON Schema for the AchievementCredential class (Open Badges 3.0).",
      **obj({"@context": context(VC2, OB_CTX), "type": cred_type("AchievementCredential", "OpenBadgeCredential"),
             **vc_common(), "image": ref("Image"), "credentialSubject": ref("AchievementSubject"),
             "endorsement": many(ref("EndorsementCredential")), "endorsementJwt": many(COMPACT_JWS)},
            ["@context", "id", "type", "credentialSubject", "issuer", "validFrom"]),
      "$defs": defs}

endorsement = {"$schema": D2019, "$id": END_ID, "title": "JSON Schema for the EndorsementCredential class (Open Badges 3.0).",
               "$ref": OB_ID + "#/$defs/EndorsementCredential"}

clr_defs = {
    "ClrSubject": obj({
        "id": S("An identifier for the Credential Subject."), "type": typ("ClrSubject"),
        "identifier": many({"$ref": OB_ID + "#/$defs/IdentityObject"}),
        "achievement": many({"$ref": OB_ID + "#/$defs/Achievement"}),
        "verifiableCredential": {"type": "array", "minItems": 1, "items": {"$ref": OB_ID + "#/$defs/VerifiableCredential"}},
        "association": many(ref("Association")),
    }, ["type", "verifiableCredential"]),
    "Association": obj({
        "type": const_type("Association"),
        "associationType": {"type": "string", "enum": ["exactMatchOf", "isChildOf", "isParentOf", "isPartOf", "isPeerOf",
                                                       "isRelatedTo", "precedes", "replacedBy"]},
        "sourceId": S("The id of the source achievement."), "targetId": S("The id of the target achievement."),
    }, ["type", "associationType", "sourceId", "targetId"]),
}
common_clr = {k: ({"$ref": OB_ID + v["$ref"]} if "$ref" in v else
                  {"oneOf": [{"$ref": OB_ID + x["$ref"]} if "$ref" in x else {"type": "array", "items": {"$ref": OB_ID + x["items"]["$ref"]}} for x in v["oneOf"]]} if "oneOf" in v else
                  {"type": "array", "items": {"$ref": OB_ID + v["items"]["$ref"]}} if v.get("type") == "array" else v)
              for k, v in vc_common().items()}
clr = {"$schema": D2019, "$id": CLR_ID, "title": "JSON Schema for the ClrCredential class (CLR 2.0).",
       **obj({"@context": {"type": "array", "minItems": 2, "items": [{"const": VC2}, {"const": CLR_CTX}],
                           "additionalItems": {"$ref": OB_ID + "#/$defs/Context"}},
              "type": cred_type("ClrCredential"), **common_clr, "partial": {"type": "boolean"},
              "image": {"$ref": OB_ID + "#/$defs/Image"},
              "endorsement": many({"$ref": OB_ID + "#/$defs/EndorsementCredential"}), "endorsementJwt": many(COMPACT_JWS),
              "credentialSubject": ref("ClrSubject")},
             ["@context", "id", "type", "name", "credentialSubject", "issuer", "validFrom"]),
       "$defs": clr_defs}

bsl = {"$schema": D2019, "$id": BSL_ID, "title": "BitstringStatusListCredential (W3C Bitstring Status List v1.0, section 2.2).",
       **obj({"@context": {"type": "array", "minItems": 1, "items": [{"const": VC2}]},
              "id": S(), "type": cred_type("BitstringStatusListCredential"),
              "issuer": {"oneOf": [S(), {"type": "object", "required": ["id"], "properties": {"id": S()}}]},
              "validFrom": DT("Earliest point in time at which the status list is valid."),
              "validUntil": DT("Latest point in time at which the status list is valid."),
              "credentialSubject": obj({
                  "id": S("The ID of the credential subject (the list)."),
                  "type": {"const": "BitstringStatusList"},
                  "statusPurpose": {"oneOf": [S(minLength=1), {"type": "array", "minItems": 1, "items": S(minLength=1)}]},
                  "encodedList": S("Multibase base64url (no padding) of the GZIP-compressed bitstring.", pattern="^u[A-Za-z0-9_-]+$"),
                  "ttl": {"type": "integer", "minimum": 0},
              }, ["type", "statusPurpose", "encodedList"]),
              "proof": one_or_many({"type": "object", "required": ["type"]})},
             ["@context", "type", "issuer", "credentialSubject"])}

for name, doc in [("ob_v3p0_achievementcredential_schema.json", ob), ("ob_v3p0_endorsementcredential_schema.json", endorsement),
                  ("clr_v2p0_clrcredential_schema.json", clr), ("bitstring_status_list_credential_schema.json", bsl)]:
    (OUT / name).write_text(json.dumps(doc, indent=2) + "\n")
    print(name)
