"""Small things of issue 18: the first invite code replaces nothing, so only a rotation
says the old code stopped working; the bank import's audit row names its target."""

from __future__ import annotations

from tests.bank.bankdata import load_fixture_bank


def test_only_a_rotated_code_says_the_old_one_no_longer_works(client, login_as):
    login_as("coach")
    first = client.post("/coach/invite-code", follow_redirects=True).get_data(as_text=True)
    assert "Your invite code is now" in first and "no longer work" not in first
    second = client.post("/coach/invite-code", follow_redirects=True).get_data(as_text=True)
    assert "The old code and link no longer work." in second


def test_the_bank_import_audit_row_names_its_target(app, client, login_as):
    with app.app_context():
        load_fixture_bank()
    login_as("admin")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "bank.import" in html
    assert "bank None" not in html and "bank files" in html
