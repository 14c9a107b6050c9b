"""question_versions.prompt_html, hints_html: each version's Markdown rendered once (issue 14)

A version never changes once saved, so its prompt and hints are rendered to sanitised HTML
when it is saved and the round page, the scoring page, the report, the bank and the coach's
session log show the stored HTML instead of rendering Markdown on every page load.

The backfill renders every existing version here, with a copy of the renderer as it stands
at this revision (markdown-it-py "commonmark" without raw HTML, with tables; then nh3 with
the same allowed tags, attributes, URL schemes and link rel as app/markdown.py). It is a
copy, not an import of app.markdown, so that a later change to the app's renderer cannot
change what this released revision writes; the result is byte-identical to what
app.markdown.render_markdown gave at this revision (tests/migrations/test_0015_*.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 12:30:00

"""

import json

import nh3
import sqlalchemy as sa
from alembic import op
from markdown_it import MarkdownIt

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "img",
    "del", "sup", "sub",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "code": {"class"}}


def _render(text):
    return nh3.clean(
        _md.render(text or ""),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def upgrade():
    with op.batch_alter_table("question_versions") as batch:
        batch.add_column(sa.Column("prompt_html", sa.Text(), nullable=True))
        batch.add_column(sa.Column("hints_html", sa.JSON(), nullable=True))
    versions = sa.table(
        "question_versions",
        sa.column("id", sa.Integer()),
        sa.column("prompt_md", sa.Text()),
        sa.column("hints", sa.JSON()),
        sa.column("prompt_html", sa.Text()),
        sa.column("hints_html", sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(versions.c.id, versions.c.prompt_md, versions.c.hints))
    for row in rows.all():
        hints = row.hints if not isinstance(row.hints, str) else json.loads(row.hints)
        connection.execute(
            versions.update()
            .where(versions.c.id == row.id)
            .values(
                prompt_html=_render(row.prompt_md),
                hints_html=[_render(hint) for hint in hints or []],
            )
        )
    with op.batch_alter_table("question_versions") as batch:
        batch.alter_column("prompt_html", existing_type=sa.Text(), nullable=False)
        batch.alter_column("hints_html", existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table("question_versions") as batch:
        batch.drop_column("hints_html")
        batch.drop_column("prompt_html")
