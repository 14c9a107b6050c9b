"""The bank reader opens only real files inside the bank folder, and never reads a huge one.

Symlinks (to a file or a folder), paths that resolve outside the folder and files over the
size cap are refused with a problem naming the file, before any byte is read.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

from app.bank.files import reading

FS = "questions/system_design/feature-store.yaml"
SECRET = "root:x:0:0:SECRET-OUTSIDE-THE-BANK"


def problems_of(bank_dir: Path) -> list[str]:
    return [str(p) for p in reading.read_bank(bank_dir).problems]


def outside_file(tmp_path: Path) -> Path:
    target = tmp_path / "outside" / "passwd.yaml"
    target.parent.mkdir()
    target.write_text(f"key: feature-store\ntitle: {SECRET}\n", encoding="utf-8")
    return target


def test_a_symlinked_question_file_is_refused_by_name(bank_dir, tmp_path):
    (bank_dir / FS).unlink()
    (bank_dir / FS).symlink_to(outside_file(tmp_path))
    problems = problems_of(bank_dir)
    named = [p for p in problems if "feature-store.yaml" in p and "symbolic link" in p]
    assert named, problems
    assert not any("SECRET" in p for p in problems)
    assert "feature-store" not in {q["key"] for q in reading.read_bank(bank_dir).questions}


def test_a_symlinked_list_file_is_refused(bank_dir, tmp_path):
    (bank_dir / "skills.yaml").unlink()
    (bank_dir / "skills.yaml").symlink_to(outside_file(tmp_path))
    problems = problems_of(bank_dir)
    assert any("skills.yaml" in p and "symbolic link" in p for p in problems), problems


def test_a_symlinked_folder_is_refused_for_each_file_in_it(bank_dir, tmp_path):
    outside = tmp_path / "elsewhere"
    (bank_dir / "questions/system_design").rename(outside)
    (bank_dir / "questions/system_design").symlink_to(outside, target_is_directory=True)
    problems = problems_of(bank_dir)
    refused = [p for p in problems if "symbolic link" in p]
    assert any("questions/system_design" in p for p in refused), problems
    keys = {q["key"] for q in reading.read_bank(bank_dir).questions}
    assert keys == {"top-k"}


def test_a_symlinked_bank_folder_itself_is_fine(bank_dir, tmp_path):
    link = tmp_path / "bank-link"
    link.symlink_to(bank_dir, target_is_directory=True)
    assert reading.read_bank(link).ok


def test_an_oversized_file_is_refused_by_name_with_its_size(bank_dir):
    path = bank_dir / FS
    with path.open("ab") as handle:
        handle.write(b"#" * (reading.MAX_FILE_BYTES + 1))
    problems = problems_of(bank_dir)
    assert any(
        "feature-store.yaml:1: file is too large" in p and "at most 524,288" in p for p in problems
    ), problems


def test_an_oversized_file_is_refused_without_reading_it(bank_dir):
    """A 4 GiB (sparse) file, read by a process that may use at most 1 GiB of memory:
    reading the file whole would die with MemoryError; checking its size first does not."""
    with (bank_dir / FS).open("r+b") as handle:
        handle.truncate(4 * 1024**3)
    script = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))
        from app.bank.files import reading
        problems = [str(p) for p in reading.read_bank({str(bank_dir)!r}).problems]
        print("\\n".join(problems))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "feature-store.yaml:1: file is too large (4,294,967,296 bytes" in result.stdout


def test_the_memory_limit_of_that_test_does_bite():
    """The test above proves something only if 1 GiB is really a limit here."""
    script = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3)); "
        "b = bytearray(2 * 1024**3)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode != 0 and "MemoryError" in result.stderr
    assert resource.RLIMIT_AS is not None
