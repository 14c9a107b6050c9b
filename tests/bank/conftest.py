"""Fixtures for the question bank tests: a small bank folder copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE_BANK = Path(__file__).parent / "fixtures" / "bank"


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    """A writable copy of tests/questions/fixtures/bank."""
    target = tmp_path / "bank"
    shutil.copytree(FIXTURE_BANK, target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a bank file in place; fail loudly when `old` is not there (a broken test)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def import_bank(runner):
    """Run `flask bank import DIR` and return the click result."""

    def _run(directory, *extra):
        return runner.invoke(args=["bank", "import", str(directory), *extra])

    return _run
