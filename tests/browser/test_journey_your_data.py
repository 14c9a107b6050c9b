"""Your data in Chromium: download the ZIP from Settings, then delete the account."""

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import at, sign_in
from tests.coach import builders
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

EMAIL = "my.data@example.com"


def test_download_my_data_then_delete_the_account(app, open_page, make_user):
    me = make_user(email=EMAIL, display_name="My Data")
    with app.app_context():
        session_id = builders.session(me, answers=("An answer worth keeping", "x = 1")).id
    page = open_page("candidate")
    sign_in(page, EMAIL)
    page.goto("/settings")
    page.get_by_role("link", name="Your data: download it or delete the account").click()
    at(page, r"/settings/data/$")
    page.get_by_role("heading", name="Your data", exact=True).wait_for()
    check_page(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download my data (ZIP)").click()
    download = info.value
    assert download.suggested_filename.startswith("mockloop-data-")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    profile = json.loads(archive.read("mockloop-data/profile.json"))
    assert profile["email"] == EMAIL
    round_ = json.loads(archive.read(f"mockloop-data/rounds/{session_id}.json"))
    assert round_["questions"][0]["answer"]["text"] == "An answer worth keeping"

    page.get_by_label("Your password, to confirm").fill("not the right password")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("Your password is not right; nothing was deleted.").wait_for()
    check_page(page, allow_console=(r"status of 422",))

    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    prompts = []
    page.once("dialog", lambda dialog: (prompts.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Delete my account").click()
    at(page, r"/login$")
    assert prompts == ["Delete your account and all your data? This cannot be undone."]
    page.get_by_text("Your account and your data are deleted.").wait_for()
    check_page(page, allow_console=(r"status of 422",))

    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Email or password is not right.").wait_for()
    assert [e for e in page.errors if "422" not in e and "401" not in e] == []


def test_an_admin_deletes_a_user_from_the_users_page(open_page, make_user):
    make_user(role="admin", email="the.admin@example.com")
    make_user(email="to.go@example.com")
    page = open_page("admin")
    sign_in(page, "the.admin@example.com", role="admin")
    page.goto("/admin/users")
    page.get_by_role("link", name="Delete… to.go@example.com").click()
    page.get_by_role("heading", name="Delete to.go@example.com").wait_for()
    check_page(page)
    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Delete this account").click()
    at(page, r"/admin/users$")
    page.get_by_text("The account and its data are deleted.").wait_for()
    assert page.locator('tr[data-user="to.go@example.com"]').count() == 0
    check_page(page)
