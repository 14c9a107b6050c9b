"""`flask bank validate|import|export`: the question bank as files in question_bank/."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.bank import queries, reference_runner, stats, transfer
from app.bank.files import reading
from app.clock import utcnow

bank = AppGroup("bank", help="Validate, import and export the question bank files.")


def _directory(directory: str | None) -> str:
    return directory or current_app.config["QUESTION_BANK_DIR"]


def _read_or_fail(directory: str) -> reading.BankFiles:
    files = reading.read_bank(directory)
    for problem in files.problems:
        click.echo(str(problem), err=True)
    if not files.ok:
        count = len(files.problems)
        raise click.ClickException(
            f"{count} problem{'s' if count != 1 else ''} in {directory}; nothing was changed."
        )
    return files


def _references_or_fail(files: reading.BankFiles, directory: str) -> None:
    """Run the code questions' reference solutions against their tests (issue 12)."""
    problems = reference_runner.check_references(files, directory)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        count = len(problems)
        raise click.ClickException(
            f"{count} failing reference solution test{'s' if count != 1 else ''} in {directory}."
        )


@bank.command("validate")
@click.argument("directory", required=False)
def validate_command(directory: str | None) -> None:
    """Check every bank file and cross-reference; print file:line: message per problem."""
    directory = _directory(directory)
    files = _read_or_fail(directory)
    _references_or_fail(files, directory)
    click.echo(
        f"{directory}: ok ({len(files.stages)} stages, {len(files.skills)} skills, "
        f"{len(files.rubrics)} rubrics, {len(files.questions)} questions, "
        f"{len(files.formats)} formats, {len(files.loops)} loops)"
    )


@bank.command("import")
@click.argument("directory", required=False)
@click.option("--if-empty", is_flag=True, help="Only import when the bank has no questions.")
def import_command(directory: str | None, if_empty: bool) -> None:
    """Validate, then load the bank files in one transaction (all or nothing)."""
    directory = _directory(directory)
    if if_empty and queries.question_count():
        click.echo("The bank already has questions; nothing imported (--if-empty).")
        return
    started = time.perf_counter()
    files = _read_or_fail(directory)
    report = transfer.import_bank(files, now=utcnow(), source=str(directory))
    for line in report.lines():
        click.echo(line)
    click.echo(f"Imported {directory} in {time.perf_counter() - started:.2f} s.")


@bank.command("export")
@click.argument("directory")
@click.option("--prune", is_flag=True, help="Delete rubric/question files not in the database.")
@click.option(
    "--canonical",
    is_flag=True,
    help="Write every file in the canonical layout (default: keep the text of unchanged "
    "files and the comments of edited ones, from DIRECTORY or else the shipped bank).",
)
def export_command(directory: str, prune: bool, canonical: bool) -> None:
    """Write the bank (current versions) to DIRECTORY in the file layout."""
    like = None if canonical else _directory(None)
    report = transfer.export_bank(directory, prune=prune, like=like)
    click.echo(f"Wrote {len(report.written)} files to {directory}.")
    for path in report.removed:
        click.echo(f"removed {reading.display_path(path)}")
    for path in report.stale:
        click.echo(f"not in the database (kept; --prune removes it): {reading.display_path(path)}")


@bank.command("recount-stats")
def recount_stats_command() -> None:
    """Rebuild the item-statistics counters from every finished attempt (a repair: the
    writes that finish, score and erase rounds keep them current). Best run when quiet."""
    stats.rebuild_counters()
    click.echo("Recounted the item statistics from every finished attempt.")
