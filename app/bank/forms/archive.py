"""The bank ZIP upload (admin): one file, checked whole by `app.bank.archive`."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app.bank.archive import ZIP_MAX_BYTES


class ArchiveForm(FlaskForm):
    archive = FileField(
        "Bank ZIP",
        validators=[FileRequired("Choose a ZIP of the bank to import.")],
        render_kw={"accept": ".zip,application/zip"},
        description=(
            f"A ZIP of the question_bank/ layout, at most {ZIP_MAX_BYTES // (1024 * 1024)} MB. "
            "Every file is checked first; only a bank without problems is imported."
        ),
    )
