"""`flask users create` and `flask users set-role`."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.users import User

GOOD = "an admin passphrase 2026"


def get(app, email) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_create_admin_reading_password_from_stdin(app, runner, client):
    result = runner.invoke(
        args=["users", "create", " Boss@Example.com ", "--role", "admin", "--password-stdin"],
        input=GOOD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com" in result.output
    created = get(app, "boss@example.com")
    assert created.role == "admin" and created.display_name == "boss"
    assert (
        client.post("/login", data={"email": "boss@example.com", "password": GOOD}).status_code
        == 302
    )
    assert client.get("/admin/").status_code == 200


def test_create_prompts_for_the_password_twice(app, runner):
    result = runner.invoke(
        args=["users", "create", "coach@example.com", "--role", "coach", "--name", "Coach C"],
        input=f"{GOOD}\n{GOOD}\n",
    )
    assert result.exit_code == 0, result.output
    assert get(app, "coach@example.com").display_name == "Coach C"


def test_create_refuses_weak_passwords_and_duplicates(app, runner, make_user):
    weak = runner.invoke(
        args=["users", "create", "weak@example.com", "--password-stdin"], input="password1234\n"
    )
    assert weak.exit_code != 0 and "too common" in weak.output
    assert get(app, "weak@example.com") is None
    make_user(email="dupe@example.com")
    dupe = runner.invoke(
        args=["users", "create", "DUPE@example.com", "--password-stdin"], input=GOOD + "\n"
    )
    assert dupe.exit_code != 0 and "already exists" in dupe.output


def test_create_refuses_unknown_roles(runner):
    result = runner.invoke(
        args=["users", "create", "x@example.com", "--role", "root", "--password-stdin"],
        input=GOOD + "\n",
    )
    assert result.exit_code == 2


def test_set_role(app, runner, make_user):
    make_user(email="promote@example.com")
    result = runner.invoke(args=["users", "set-role", "Promote@Example.com", "coach"])
    assert result.exit_code == 0, result.output
    assert "promote@example.com is now coach." in result.output
    assert get(app, "promote@example.com").role == "coach"


def test_set_role_unknown_email_and_role(runner):
    missing = runner.invoke(args=["users", "set-role", "nobody@example.com", "coach"])
    assert (
        missing.exit_code == 1 and "No account has the email nobody@example.com" in missing.output
    )
    bad_role = runner.invoke(args=["users", "set-role", "nobody@example.com", "king"])
    assert bad_role.exit_code == 2


def test_set_role_keeps_one_active_admin(app, runner, make_user):
    make_user(role="admin", email="only@example.com")
    result = runner.invoke(args=["users", "set-role", "only@example.com", "candidate"])
    assert result.exit_code == 1 and "last active admin" in result.output
    assert get(app, "only@example.com").role == "admin"
