"""An admin downloads the bank as a ZIP and imports it back through the editor (issue 18)."""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import expect

from app.config import ROOT
from tests.browser.gates import check_page
from tests.browser.helpers import sign_in, user_email

pytestmark = pytest.mark.browser


def test_admin_exports_then_imports_the_bank_zip(app, bank, make_user, open_page, tmp_path):
    admin = make_user(role="admin")
    page = open_page("admin")
    sign_in(page, user_email(app, admin), role="admin")
    page.goto("/admin/bank/")
    page.get_by_role("link", name="Import and export").click()
    expect(page.get_by_role("heading", name="Import and export the bank")).to_be_visible()
    check_page(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download question_bank.zip").click()
    path = tmp_path / "question_bank.zip"
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as z:
        assert z.read("stages.yaml") == (ROOT / "question_bank" / "stages.yaml").read_bytes()

    page.get_by_label("Bank ZIP").set_input_files(str(path))
    page.get_by_role("button", name="Validate and import").click()
    expect(page.get_by_text("questions: 0 added, 0 changed")).to_be_visible()
    check_page(page)

    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "stages.yaml":
                data = data.replace(b"default_minutes: 15", b"default_minutes: soon")
            target.writestr(name, data)
    page.get_by_label("Bank ZIP").set_input_files(str(broken))
    page.get_by_role("button", name="Validate and import").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing was imported")
    expect(page.get_by_role("alert")).to_contain_text("stages.yaml")
    check_page(page, allow_console=(r"status of 422",))  # the refused import answers 422
