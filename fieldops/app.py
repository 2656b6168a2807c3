"""create_app(): extensions, the explicit blueprint list, error handlers, security headers."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from fieldops.config import PROJECT_ROOT, Config
from fieldops.db import configure_sqlite, db
from fieldops.errors import DomainError, http_error
from fieldops.ratelimit import limiter

EARLY_REFUSALS = {
    413: "The upload is too large. Attach a shorter extract of the log, or paste it as text.",
    429: "Too many attempts. Wait a minute and try again.",
}

csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
log = logging.getLogger(__name__)


def create_app(config: Config | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_object(config or Config())
    # Imported here because the module imports every domain's models once the app exists.
    from fieldops import models_registry  # noqa: F401

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    _register_surfaces(app)
    _register_error_handlers(app)
    _register_headers(app)
    from fieldops.cli import register_cli

    register_cli(app)
    return app


def _register_surfaces(app: Flask) -> None:
    from fieldops.accounts.queries import find_user_by_session_id
    from fieldops.api import register_api
    from fieldops.backoffice import backoffice_bp
    from fieldops.backoffice.dispatch import dispatch_bp
    from fieldops.backoffice.stock import stock_bp
    from fieldops.mobile import mobile_bp
    from fieldops.portal import portal_bp
    from fieldops.web import web_bp

    login_manager.user_loader(find_user_by_session_id)
    login_manager.login_view = "web.login"
    login_manager.login_message = "Please log in to continue."
    register_api(app, csrf)
    app.register_blueprint(web_bp)
    app.register_blueprint(portal_bp, url_prefix="/portal")
    app.register_blueprint(backoffice_bp, url_prefix="/desk")
    app.register_blueprint(stock_bp, url_prefix="/stock")
    app.register_blueprint(dispatch_bp, url_prefix="/dispatch")
    app.register_blueprint(mobile_bp, url_prefix="/m")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Any:
        if _wants_json():
            return jsonify(error.to_dict()), error.status
        return (
            render_template("error.html", status=error.status, message=error.message),
            error.status,
        )

    def _early_refusal(error: HTTPException) -> Any:
        """Refusals raised before any view runs (a body over the size limit, too many password
        attempts): the contract's JSON on the API, the styled error page elsewhere."""
        status = error.code or 400
        message = EARLY_REFUSALS[status]
        if _wants_json():
            response = jsonify(http_error(status, message))
        else:
            response = app.make_response(
                (render_template("error.html", status=status, message=message), status)
            )
        response.status_code = status
        for name, value in error.get_headers():
            if name.lower() == "retry-after":
                response.headers[name] = value
        return response

    for status in EARLY_REFUSALS:
        app.register_error_handler(status, _early_refusal)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Any:
        message = "The form expired or was sent from elsewhere. Please reload and try again."
        return render_template("error.html", status=400, message=message), 400


def _register_headers(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
