"""`flask bank validate|import|export`: the question bank as files in question_bank/."""

import click
from flask.cli import AppGroup

bank = AppGroup("bank", help="Validate, import and export the question bank files.")


@bank.command("import")
@click.argument("directory", required=False)
@click.option("--if-empty", is_flag=True, help="Only import when the bank is empty (make run).")
def import_command(directory: str | None, if_empty: bool) -> None:
    """Load the bank files in one transaction (not built yet)."""
    click.echo("The question bank loader is not built yet; nothing imported.")
