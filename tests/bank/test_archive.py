"""The bank as a ZIP on the admin pages: export, and import validated all or nothing."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from sqlalchemy import func, select

from app.bank import archive
from app.config import ROOT
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.bank import Question, QuestionVersion
from tests.conftest import csrf_token
from tests.factories import PASSWORD

BANK = ROOT / "question_bank"
RAG = "questions/system_design/rag_api_cost_per_million_queries.yaml"


def _zip(files: dict[str, bytes], prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(prefix + name, data)
    return buffer.getvalue()


def _shipped() -> dict[str, bytes]:
    return {
        str(p.relative_to(BANK)): p.read_bytes()
        for p in sorted(BANK.rglob("*"))
        if p.is_file() and (p.suffix == ".yaml" or p.name == "README.md")
    }


def _upload(client, data: bytes, name: str = "bank.zip"):
    return client.post(
        "/admin/bank/archive",
        data={"archive": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Question.id))),
            db.session.scalar(select(func.count(QuestionVersion.id))),
        )


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def test_import_of_the_shipped_bank_then_export_gives_the_same_files(app, client, admin):
    response = _upload(client, _zip(_shipped(), prefix="question_bank/"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _counts(app)[0] == len([n for n in _shipped() if n.startswith("questions/")])
    download = client.get("/admin/bank/archive/question_bank.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as z:
        exported = {name: z.read(name) for name in z.namelist()}
    shipped = {k: v for k, v in _shipped().items() if k.endswith(".yaml")}
    assert exported == shipped
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(["bank.import", "bank.export"]))
        ).all()
        assert {(e.action, e.actor_id, e.target_id) for e in actions} == {
            ("bank.import", admin, "bank.zip"),
            ("bank.export", admin, "question_bank.zip"),
        }


def test_a_second_import_of_the_same_zip_changes_nothing_but_is_audited(app, client, admin):
    data = _zip(_shipped())
    assert _upload(client, data).status_code == 302
    before = _counts(app)
    again = _upload(client, data)
    assert again.status_code == 302
    assert "0 added, 0 changed" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert _counts(app) == before


def test_one_bad_file_refuses_the_whole_archive(app, client, admin):
    files = _shipped()
    files[RAG] = files[RAG].replace(b"difficulty: medium", b"difficulty: impossible")
    response = _upload(client, _zip(files))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "nothing was imported" in page and RAG in page and "impossible" in page
    assert _counts(app) == (0, 0)


@pytest.mark.parametrize(
    "name",
    ["../stages.yaml", "/etc/stages.yaml", "questions/../../x.yaml", "C:/stages.yaml", "a\\b.yaml"],
)
def test_unsafe_names_are_refused_before_anything_is_unpacked(app, client, admin, name):
    files = _shipped()
    files[name] = b"stages: []\n"
    response = _upload(client, _zip(files))
    assert response.status_code == 422
    assert "unsafe path" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_a_symbolic_link_entry_is_refused(app, client, admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in _shipped().items():
            z.writestr(name, data)
        link = zipfile.ZipInfo("rubrics/link.yaml")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
    response = _upload(client, buffer.getvalue())
    assert response.status_code == 422
    assert "symbolic links are not allowed" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_other_files_are_refused(app, client, admin):
    files = _shipped()
    files["questions/system_design/run.py"] = b"print('hi')"
    response = _upload(client, _zip(files))
    assert response.status_code == 422
    assert "not a bank file" in response.get_data(as_text=True)


def test_a_zip_bomb_is_refused_by_what_it_unpacks_to(app, client, admin, monkeypatch):
    monkeypatch.setattr(archive, "ZIP_MAX_UNPACKED", 2 * 1024 * 1024)
    files = _shipped()
    files["README.md"] = b"0" * (3 * 1024 * 1024)  # deflates to a few kilobytes
    data = _zip(files)
    assert len(data) < 1024 * 1024
    response = _upload(client, data)
    assert response.status_code == 422
    assert "unpacks to more than 2 MB" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0)


def test_too_many_entries_are_refused(app, client, admin, monkeypatch):
    monkeypatch.setattr(archive, "ZIP_MAX_FILES", 10)
    response = _upload(client, _zip(_shipped()))
    assert response.status_code == 422
    assert "more than 10 entries" in response.get_data(as_text=True)


def test_not_a_zip_and_no_file_are_clear_refusals(app, client, admin):
    response = _upload(client, b"PK\x03\x04 this is not really a zip")
    assert response.status_code == 422
    assert "not a ZIP file" in response.get_data(as_text=True)
    missing = client.post("/admin/bank/archive", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "Choose a ZIP" in missing.get_data(as_text=True)


def test_an_oversized_upload_is_refused(app, client, admin, monkeypatch):
    monkeypatch.setattr(archive, "ZIP_MAX_BYTES", 1000)
    response = _upload(client, _zip(_shipped()))
    assert response.status_code in (413, 422)
    assert _counts(app) == (0, 0)


@pytest.mark.csrf
def test_the_import_form_needs_its_csrf_token(app, client, make_user):
    make_user(role="admin", email="zip-admin@example.com")
    token = csrf_token(client)
    signed_in = client.post(
        "/login",
        data={"email": "zip-admin@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert signed_in.status_code == 302
    assert _upload(client, _zip({"stages.yaml": b"stages: []\n"})).status_code == 400
    assert _counts(app) == (0, 0)
    form_token = csrf_token(client, "/admin/bank/archive")
    with_token = client.post(
        "/admin/bank/archive",
        data={
            "archive": (io.BytesIO(_zip({"stages.yaml": b"stages: []\n"})), "b.zip"),
            "csrf_token": form_token,
        },
        content_type="multipart/form-data",
    )
    assert with_token.status_code == 422  # past the CSRF check, refused by validation
    assert "nothing was imported" in with_token.get_data(as_text=True)


def test_candidates_cannot_reach_either(client, login_as):
    login_as("candidate")
    assert client.get("/admin/bank/archive/question_bank.zip").status_code in (403, 404)
    assert _upload(client, _zip(_shipped())).status_code in (403, 404)
