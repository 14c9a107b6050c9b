"""The application factory. Read it as a table of contents."""

from __future__ import annotations

from flask import Flask, request

from app import (
    access,
    assets,
    cli,
    converters,
    errors,
    logs,
    models,  # noqa: F401  (registers every table before an app is built)
    security,
    theme,
)
from app.accounts import loader as accounts_loader
from app.coach import report_section as coach_report_section
from app.coach import round_notifications
from app.config import INSTANCE, ROOT, load_config
from app.extensions import csrf, db, limiter, login_manager, mail, migrate
from app.learning import grading as learning_grading
from app.learning import schedule as learning_schedule
from app.learning import wiring as learning_wiring
from app.markdown import render_answer, render_markdown
from app.models.bank import Question, Rubric
from app.models.base import check_on_checkout, configure_sqlite, keep_prepared_statements
from app.models.practice import PracticeSession
from app.models.users import User
from app.practice import hotpath as practice_hotpath
from app.practice import wiring as practice_wiring


class Mockloop(Flask):
    """Flask, with `ensure_sync` answered once per function: Flask asks it (an
    `inspect.iscoroutinefunction` check) for every hook and view of every request."""

    _SYNC_CACHE_MAX = 1024  # hooks and views; per-request `after_this_request` closures

    def ensure_sync(self, func):
        cache = self.__dict__.setdefault("_sync_functions", {})
        try:
            return cache[func]
        except KeyError:
            synced = super().ensure_sync(func)
            if len(cache) < self._SYNC_CACHE_MAX:
                cache[func] = synced
            return synced
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)


def create_app(overrides: dict | None = None) -> Flask:
    """Build a mockloop app: config, extensions, blueprints, errors, commands."""
    app = Mockloop(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    converters.install(app)  # bounded <int:...> ids and bodies, before any route exists
    app.config.from_mapping(load_config(overrides))
    if app.config.get("SINGLE_HOST_WARNING"):
        app.logger.warning(app.config["SINGLE_HOST_WARNING"])
    practice_hotpath.install(app)  # the round's everyday autosave and status, below Flask
    register_extensions(app)  # (the proxy rule, in security, wraps the hot path too)
    register_blueprints(app)
    wire_packages(app)
    errors.register(app)
    register_template_helpers(app)
    register_shell_context(app)
    cli.register(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension objects of app/extensions.py to this app, in dependency order."""
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        check_on_checkout(db.engine)
        keep_prepared_statements(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    access.init_app(app)  # deny by default; before CSRF so anonymous POSTs go to sign-in
    accounts_loader.init_app(app)  # the user loader
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    security.init_app(app)
    logs.init_app(app)
    assets.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Blueprints in the order of the candidate's path (each package imports only earlier ones)."""
    from app.accounts.routes import bp as accounts_bp
    from app.admin.routes import bp as admin_bp
    from app.bank.editor_routes import bp as bank_editor_bp
    from app.bank.routes import bp as bank_bp
    from app.coach.candidate_routes import bp as coaching_bp
    from app.coach.routes import bp as coach_bp
    from app.health import bp as health_bp
    from app.home.routes import bp as home_bp
    from app.learning.routes import bp as learning_bp
    from app.practice.follow_up_routes import bp as follow_ups_bp
    from app.practice.routes import bp as practice_bp
    from app.privacy.admin_routes import bp as privacy_admin_bp
    from app.privacy.routes import bp as privacy_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(bank_bp, url_prefix="/questions")
    app.register_blueprint(bank_editor_bp, url_prefix="/admin/bank")
    app.register_blueprint(practice_bp, url_prefix="/practice")
    app.register_blueprint(follow_ups_bp, url_prefix="/practice")
    app.register_blueprint(learning_bp, url_prefix="/feedback")
    app.register_blueprint(coach_bp, url_prefix="/coach")
    app.register_blueprint(coaching_bp, url_prefix="/coaching")
    app.register_blueprint(privacy_bp, url_prefix="/settings/data")
    app.register_blueprint(privacy_admin_bp, url_prefix="/admin/users")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(home_bp)


def wire_packages(app: Flask) -> None:
    """What an earlier package needs from a later one, handed down here (the one-way rule:
    practice never imports learning, learning never imports coach)."""
    practice_wiring.configure(app, weakness=learning_schedule.skill_weakness)
    learning_wiring.configure(app, coach=coach_report_section.for_report)
    round_notifications.connect(app)  # practice's round_finished -> coach notifications
    learning_grading.connect(app)  # round_finished -> grading jobs (only with a model set)


def register_template_helpers(app: Flask) -> None:
    """Template filters: user Markdown rendered then sanitised (app/markdown.py)."""
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(render_answer, "answer_markdown")

    @app.context_processor
    def colours() -> dict:
        return {"theme_class": theme.html_class(request), "theme_choice": theme.chosen(request)}


def register_shell_context(app: Flask) -> None:
    """Names preloaded in `flask shell`."""

    @app.shell_context_processor
    def shell_context() -> dict:
        return {
            "db": db,
            "User": User,
            "Question": Question,
            "Rubric": Rubric,
            "PracticeSession": PracticeSession,
        }
