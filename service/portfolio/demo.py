"""Demo portfolio: a few pieces of work and a public showcase for the first student."""
from __future__ import annotations

import io

from ..extensions import db
from .artifacts import create_artifact, ingest_file
from .models import Artifact
from .showcases import create_showcase

ESSAY = """Why rivers matter to our town

Our river shaped where the first houses were built...
"""


def load_demo(context) -> None:
    student = context["students"][0]
    if db.session.scalar(db.select(Artifact.id).where(Artifact.owner_id == student.id).limit(1)):
        return  # already loaded
    essay = create_artifact(student, kind="file", title="Persuasive essay: why rivers matter",
                            description="Final draft for ELA 10, unit 2.",
                            reflection="I learned to put my strongest evidence first.", visibility="teachers",
                            content=ingest_file(io.BytesIO(ESSAY.encode()), "river-essay.txt"))
    podcast = create_artifact(student, kind="link", title="Podcast episode on local history",
                              url="https://example.org/podcast/episode-3", visibility="public",
                              reflection="Editing audio taught me to cut what does not serve the story.")
    create_showcase(student, title="Best work of grade 10", visibility="public",
                    description="Pieces I am proud of.", artifact_ids=[podcast.id, essay.id],
                    confirm_exposure=True)  # the demo student chose to show the essay here
