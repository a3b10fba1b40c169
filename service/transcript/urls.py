"""Every public URL and identifier of the transcript feature, in one place.

`Ids` is pure (the CLR builder and the benchmark use it without Flask); the
module functions bind it to PUBLIC_BASE_URL."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote

CLR_SCHEMA_URL = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"


@dataclass(frozen=True)
class Ids:
    base: str
    slug: str

    def transcript(self, transcript_id) -> str:
        """The ClrCredential's `id`: the owner's page; anyone else is sent to its verification page."""
        return f"{self.base}/transcripts/{transcript_id}"

    def verification(self, transcript_id) -> str:
        """Where the PDF's QR code leads: the verification report of this transcript."""
        return f"{self.base}/transcripts/{transcript_id}/verify"

    def policy(self, version: int) -> str:
        return f"{self.base}/issuers/{self.slug}/credit-policy/{version}"

    def policy_json(self, version: int) -> str:
        return f"{self.base}/issuers/{self.slug}/credit-policy/{version}.json"

    def program(self) -> str:
        return f"{self.base}/issuers/{self.slug}/transcript-program"

    def course(self, course_id) -> str:
        return f"{self.base}/issuers/{self.slug}/courses/{course_id}"

    def competency(self, identifier: str) -> str:
        return f"{self.base}/issuers/{self.slug}/competencies/{quote(identifier, safe='')}"


def ids(slug: str) -> Ids:
    from ..urls import base_url

    return Ids(base_url(), slug)


def share_url(token: str) -> str:
    from ..urls import base_url

    return f"{base_url()}/t/{token}"


def transcript_url(slug: str, transcript_id: uuid.UUID) -> str:
    return ids(slug).transcript(transcript_id)
