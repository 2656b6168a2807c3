"""Pages every user shares: log in, log out, and the home page that sends each role on."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp

from fieldops.accounts.services import authenticate
from fieldops.clock import utcnow
from fieldops.errors import RuleViolationError
from fieldops.ratelimit import password_attempts_per_account, password_attempts_per_address

web_bp = Blueprint("web", __name__)


# A shape check only: wtforms' Email() needs the email_validator package, and whether the
# address exists is for authenticate() to say.
EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+$"


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[
            DataRequired(),
            Regexp(EMAIL_SHAPE, message="Enter an e-mail address."),
            Length(max=254),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def _home_for(user: Any) -> str:
    if user.is_customer:
        return url_for("portal.services_list")
    if user.role == "stock_manager":
        return url_for("stock.overview")
    if user.role == "dispatcher":
        return url_for("dispatch.board")
    if user.role == "engineer":
        return url_for("mobile.today")
    return url_for("backoffice.queue")


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths: an absolute or protocol-relative URL would be an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@web_bp.before_app_request
def _refuse_nul_in_forms() -> None:
    """PostgreSQL text cannot hold NUL (U+0000); the API refuses it itself, pages do it here,
    so a form or link carrying one is a clear 422 on both databases rather than a 500."""
    if request.path.startswith("/api/"):
        return
    values = [*request.args.values(), *request.form.values(), *(request.view_args or {}).values()]
    if any("\x00" in str(value) for value in values):
        raise RuleViolationError("Text must not contain NUL (U+0000) characters.")


@web_bp.before_app_request
def _end_expired_sessions() -> Response | None:
    """A web session ends after SESSION_IDLE_MINUTES without a request, and in any case
    SESSION_ABSOLUTE_HOURS after login: a desk left open on a shared screen logs itself out."""
    if request.path.startswith(("/api/", "/static/")) or not current_user.is_authenticated:
        return None
    now = utcnow()
    try:
        logged_in_at = datetime.fromisoformat(session["logged_in_at"])
        last_seen_at = datetime.fromisoformat(session.get("last_seen_at", session["logged_in_at"]))
    except (KeyError, TypeError, ValueError):
        logged_in_at = last_seen_at = now - timedelta(days=365)  # no stamps: not our login
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    if now - last_seen_at > idle or now - logged_in_at > absolute:
        logout_user()
        session.clear()
        flash("Your session has ended. Please log in again.", "info")
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    session["last_seen_at"] = now.isoformat()
    return None


@web_bp.get("/")
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    return redirect(url_for("web.login"))


@web_bp.route("/login", methods=["GET", "POST"])
@password_attempts_per_address
@password_attempts_per_account
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            flash("Wrong e-mail or password.", "error")
            return render_template("web/login.html", form=form), 401
        session.clear()
        login_user(user)
        session["logged_in_at"] = session["last_seen_at"] = utcnow().isoformat()
        return redirect(_safe_next(request.args.get("next")) or _home_for(user))
    status = 422 if request.method == "POST" else 200
    return render_template("web/login.html", form=form), status


@web_bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("web.login"))


from fieldops.web import display  # noqa: E402,F401  - template filters register on import
