"""`flask bank export` over the shipped bank: unchanged files byte for byte, edits keep comments.

Issue 18: the export reformatted 133 of 192 unedited files and dropped their comments, so
exporting into `question_bank/` never gave a clean diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.bank.files import roundtrip
from app.config import ROOT

BANK = ROOT / "question_bank"
RAG = "questions/system_design/rag_api_cost_per_million_queries.yaml"


def _bank_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*.yaml"))
        if p.is_file()
    }


@pytest.fixture
def imported(runner):
    result = runner.invoke(args=["bank", "import", str(BANK)])
    assert result.exit_code == 0, result.output
    return runner


def test_export_into_an_empty_folder_reproduces_the_shipped_bank_byte_for_byte(imported, tmp_path):
    result = imported.invoke(args=["bank", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    exported, shipped = _bank_files(tmp_path / "out"), _bank_files(BANK)
    assert sorted(exported) == sorted(shipped)
    different = [name for name in shipped if exported[name] != shipped[name]]
    assert different == []


def test_export_into_the_bank_itself_leaves_every_file_untouched(imported, tmp_path):
    copy = tmp_path / "bank"
    shutil.copytree(BANK, copy)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in copy.rglob("*.yaml")}
    result = imported.invoke(args=["bank", "export", str(copy)])
    assert result.exit_code == 0, result.output
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in copy.rglob("*.yaml")}
    assert after == before


def test_an_edited_question_is_updated_in_place_keeping_comments_and_layout(imported, tmp_path):
    edited = tmp_path / "edited"
    shutil.copytree(BANK, edited)
    text = (edited / RAG).read_text(encoding="utf-8")
    old_title = "title: API cost of a RAG answer, per million queries\n"
    assert old_title in text
    (edited / RAG).write_text(
        text.replace(old_title, "title: What a RAG answer costs per million queries\n"),
        encoding="utf-8",
    )
    assert "1 changed" in imported.invoke(args=["bank", "import", str(edited)]).output

    target = tmp_path / "target"
    (target / RAG).parent.mkdir(parents=True)
    original = (BANK / RAG).read_text(encoding="utf-8")
    (target / RAG).write_text("# Reviewed by the content team.\n" + original, encoding="utf-8")
    assert imported.invoke(args=["bank", "export", str(target)]).exit_code == 0

    written = (target / RAG).read_text(encoding="utf-8")
    assert written.startswith("# Reviewed by the content team.\n")
    old_lines, new_lines = original.splitlines(), written.splitlines()[1:]
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert changed == [(old_title.strip(), "title: What a RAG answer costs per million queries")]
    again = imported.invoke(args=["bank", "import", str(target)])
    assert "questions: 0 added, 0 changed" in again.output, again.output


def test_canonical_export_rewrites_in_the_fixed_layout(imported, tmp_path):
    result = imported.invoke(args=["bank", "export", "--canonical", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c" / "stages.yaml").read_bytes() != (BANK / "stages.yaml").read_bytes()


def test_a_reordered_skill_list_is_not_a_change():
    earlier = "key: q\nskills: [b, a]  # primary first\n"
    assert roundtrip.file_text({"key": "q", "skills": ["a", "b"]}, earlier) == earlier


def test_a_changed_value_keeps_the_comment_beside_an_unchanged_one():
    earlier = "key: q  # stable id\ntitle: Old\n"
    assert roundtrip.file_text({"key": "q", "title": "New"}, earlier) == (
        "key: q  # stable id\ntitle: New\n"
    )


def test_a_file_that_is_not_yaml_is_written_canonically():
    assert roundtrip.file_text({"key": "q"}, ": : [") == "key: q\n"
