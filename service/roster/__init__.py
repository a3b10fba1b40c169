"""People, courses, sections and enrolments through pages, and the OneRoster
1.2 CSV roster import. The JSON API (service/api/people.py, courses.py,
sections.py) calls the same actions."""


def init_app(app):
    from .pages import bp

    app.register_blueprint(bp)


def load_demo(context):
    from .demo import load_demo as _load_demo

    _load_demo(context)
