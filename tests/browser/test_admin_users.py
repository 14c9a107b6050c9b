"""The admin Users page in a real browser: search, change a role, deactivate with a confirm."""

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def test_admin_searches_promotes_and_deactivates(open_page, make_user):
    make_user(role="admin", email="chief@example.com", display_name="Chief")
    make_user(email="ada@example.com", display_name="Ada Lovelace")
    admin, ada = open_page("admin"), open_page("candidate")
    sign_in(admin, "chief@example.com", role="admin")
    sign_in(ada, "ada@example.com")

    admin.goto("/admin/")
    admin.get_by_role("link", name="Users").click()
    admin.wait_for_url("**/admin/users")
    admin.get_by_label("Search by email or name").fill("lovelace")
    admin.get_by_role("button", name="Search").click()
    admin.wait_for_url("**/admin/users?q=lovelace")
    row = admin.locator('tr[data-user="ada@example.com"]')
    assert admin.locator("tr[data-user]").count() == 1
    check_page(admin)

    row.get_by_label("Role of ada@example.com").select_option("coach")
    row.get_by_role("button", name="Change role of ada@example.com").click()
    admin.get_by_text("ada@example.com is now coach.").wait_for()
    assert admin.url.endswith("/admin/users?q=lovelace")  # back on the same search

    prompts = []
    admin.once("dialog", lambda dialog: (prompts.append(dialog.message), dialog.dismiss()))
    admin.get_by_role("button", name="Deactivate ada@example.com").click()
    admin.wait_for_timeout(300)
    assert prompts and "signed out at once" in prompts[0]
    assert (
        admin.locator('tr[data-user="ada@example.com"]')
        .get_by_text("active", exact=True)
        .is_visible()
    )

    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Deactivate ada@example.com").click()
    admin.get_by_text("ada@example.com is deactivated.").wait_for()
    ada.goto("/dashboard")
    ada.wait_for_url("**/login?next=/dashboard")
    assert admin.errors == [] and ada.errors == []


def test_admin_pages_the_audit_log_forward_and_back_by_key(app, open_page, make_user):
    """Next and Previous carry event ids (?after=, ?before=): forward two pages and back
    two lands on the same events, page numbers intact, the filter kept."""
    from app.extensions import db
    from app.models import audit

    with app.app_context():
        for n in range(70):
            audit.record("test.paged", target_type="n", target_id=n)
        db.session.commit()
    make_user(role="admin", email="pager@example.com", display_name="Pager")
    admin = open_page("admin")
    sign_in(admin, "pager@example.com", role="admin")
    admin.goto("/admin/audit?action=test.paged")
    pager = admin.get_by_role("navigation", name="Pages")
    pages = int(pager.get_by_text("Page 1 of").inner_text().rsplit(" ", 1)[1])
    assert pages >= 3
    seen = [admin.locator("main tbody tr").all_inner_texts()]
    for number in (2, 3):
        pager.get_by_role("link", name="Next").click()
        pager.get_by_text(f"Page {number} of {pages}").wait_for()
        assert "after=" in admin.url and "action=test.paged" in admin.url
        seen.append(admin.locator("main tbody tr").all_inner_texts())
    check_page(admin)
    for number in (2, 1):
        pager.get_by_role("link", name="Previous").click()
        pager.get_by_text(f"Page {number} of {pages}").wait_for()
        assert "before=" in admin.url  # read by key (its page= is only the label)
        assert admin.locator("main tbody tr").all_inner_texts() == seen[number - 1]
    assert pager.get_by_role("link", name="Previous").count() == 0
    check_page(admin)
