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
