from tests.support.assessment import writing_school  # noqa: F401  (the `school` fixture)
