"""The bank as one ZIP file, for admins: export it, or import one (validated, all or nothing).

An uploaded archive is untrusted. Before anything is unpacked it is checked as a whole:
its size, the number of entries, the total they claim to unpack to (and each entry is read
with that cap, whatever its header says: a zip bomb stops at the cap), and every name (no
absolute paths, no `..`, no backslashes, no symbolic links, only the bank's YAML files and
README). The files are then unpacked into a fresh temporary folder and read by the same
reader as `flask bank validate`; only a bank without a single problem is imported, in one
transaction, and the import is audited with the archive's name.
"""

from __future__ import annotations

import io
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from app.bank import transfer
from app.bank.errors import BankError
from app.bank.files import reading
from app.bank.files.checks import Problem
from app.extensions import db
from app.models import audit

ZIP_MAX_BYTES = 4 * 1024 * 1024  # the upload itself
ZIP_MAX_FILES = 2_000  # entries, folders included
ZIP_MAX_UNPACKED = 32 * 1024 * 1024  # what all entries may unpack to together
ALLOWED = re.compile(
    r"^(?:(stages|skills|formats|loops)\.yaml|README\.md"
    r"|rubrics/[a-z0-9][a-z0-9_-]*\.yaml|questions/[a-z0-9_]+/[A-Za-z0-9][A-Za-z0-9_-]*\.yaml)$"
)
EXPORT_NAME = "question_bank.zip"


@dataclass(frozen=True)
class ImportResult:
    report: transfer.ImportReport
    files: int


def export_zip(*, like: str | Path | None, actor_id: int | None) -> bytes:
    """The bank as a ZIP of the file layout (unchanged files as the shipped bank has them)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="mockloop-export-") as folder:
        written = transfer.export_bank(folder, like=like).written
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(written):
                name = path.relative_to(folder).as_posix()
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    audit.record(
        "bank.export",
        actor_id=actor_id,
        target_type="bank",
        target_id=EXPORT_NAME,
        files=len(written),
    )
    db.session.commit()
    return buffer.getvalue()


def import_zip(data: bytes, filename: str, *, actor_id: int | None, now: datetime) -> ImportResult:
    """Check the archive, unpack it, validate the bank, then import it all or nothing."""
    name = PurePosixPath((filename or "upload.zip").replace("\\", "/")).name[:200]
    if len(data) > ZIP_MAX_BYTES:
        raise BankError(f"The ZIP is larger than {ZIP_MAX_BYTES // (1024 * 1024)} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BankError(
            "This is not a ZIP file (or it is damaged); nothing was imported."
        ) from None
    with archive, tempfile.TemporaryDirectory(prefix="mockloop-import-") as folder:
        root = Path(folder)
        count = _unpack(archive, entries, root)
        files = reading.read_bank(root)
        if not files.ok:
            problems = [_relative(p, root) for p in files.problems]
            raise BankError(
                f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {name}; "
                "nothing was imported.",
                problems,
            )
        report = transfer.import_bank(files, now=now, actor_id=actor_id, source=name)
    return ImportResult(report=report, files=count)


def _unpack(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], root: Path) -> int:
    if len(entries) > ZIP_MAX_FILES:
        raise BankError(f"The ZIP has more than {ZIP_MAX_FILES:,} entries; nothing was imported.")
    claimed = sum(max(0, e.file_size) for e in entries)
    if claimed > ZIP_MAX_UNPACKED:
        raise BankError(_too_big())
    prefix = _common_folder([e.filename for e in entries if not e.is_dir()])
    files = [e for e in entries if not e.is_dir()]
    for entry in entries:
        _check_name(entry)
    budget = ZIP_MAX_UNPACKED
    for entry in files:
        relative = entry.filename[len(prefix) :]
        if not ALLOWED.match(relative):
            raise BankError(
                f"{entry.filename}: not a bank file (only stages, skills, formats and loops "
                ".yaml, rubrics/<key>.yaml and questions/<stage>/<key>.yaml); nothing was imported."
            )
        with archive.open(entry) as source:
            content = source.read(min(budget, reading.MAX_FILE_BYTES) + 1)
        if len(content) > reading.MAX_FILE_BYTES:
            raise BankError(f"{entry.filename}: larger than {reading.MAX_FILE_BYTES:,} bytes.")
        budget -= len(content)
        if budget < 0:
            raise BankError(_too_big())
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return len(files)


def _too_big() -> str:
    cap = ZIP_MAX_UNPACKED // (1024 * 1024) or 1
    return f"The ZIP unpacks to more than {cap} MB; nothing was imported."


def _check_name(entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    parts = PurePosixPath(name).parts
    unsafe = (
        not name
        or "\\" in name
        or "\x00" in name
        or name.startswith("/")
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in parts
    )
    if unsafe:
        raise BankError(f"{name[:200]!r}: unsafe path in the ZIP; nothing was imported.")
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise BankError(f"{name[:200]}: symbolic links are not allowed; nothing was imported.")


def _common_folder(names: list[str]) -> str:
    """The one folder every file sits in (an archive of `question_bank/`), else ''."""
    if not names or any(n in ("stages.yaml", "README.md") for n in names):
        return ""
    first = {n.split("/", 1)[0] for n in names}
    if len(first) == 1 and all("/" in n for n in names):
        return next(iter(first)) + "/"
    return ""


def _relative(problem: Problem, root: Path) -> Problem:
    file = problem.file
    for base in (str(root.resolve()), str(root)):
        if file.startswith(base):
            file = file[len(base) :].lstrip("/")
            break
    return Problem(file, problem.line, problem.message, problem.field)
