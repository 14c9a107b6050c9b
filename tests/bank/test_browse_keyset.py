"""Bank browse pages by key: Next carries `?after=<last question's key>` (and the number
of the page it leads to, a label), and that page is read by its sort key, never by
skipping rows (no OFFSET) nor counting them, at a constant query count; the total is a
capped count."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from app.bank import queries
from app.extensions import db
from app.models.bank import Question, QuestionVersion, Stage
from tests import factories
from tests.bank.bankdata import count_queries, load_fixture_bank


@pytest.fixture
def candidate(app, login_as):
    with app.app_context():
        load_fixture_bank()
    return login_as("candidate")


def add(app, n, title=None, **fields):
    with app.app_context():
        rubric = factories.rubric()
        for i in range(n):
            factories.question(
                rubric_obj=rubric,
                skills=("ml_system_design",),
                title=title or f"Question {i:03d}",
                **fields,
            )


def titles(html: str) -> list[str]:
    return re.findall(r'<a href="/questions/([^"]+)">', html)


def next_link(html: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_following_next_reads_every_question_once_in_the_offset_order(app, client, candidate):
    add(app, 25)
    add(app, 12, title="Same title")  # ties on the title: the id breaks them
    by_offset = []
    first = client.get("/questions/").get_data(as_text=True)
    pages = int(re.search(r"Page 1 of (\d+)", first).group(1))
    for number in range(1, pages + 1):
        by_offset += titles(client.get(f"/questions/?page={number}").get_data(as_text=True))
    by_key, url, number = [], "/questions/", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        number += 1
        assert f"Page {number} of {pages}" in html
        if number > 1:
            assert "after=" in url and skipped_rows(app, client, url) == []
        by_key += titles(html)
        url = next_link(html)
    assert number == pages
    assert by_key == by_offset and len(set(by_key)) == len(by_key) == 39


def test_a_page_after_a_key_does_not_offset_and_its_query_count_is_constant(app, client, candidate):
    add(app, 25)
    url = next_link(client.get("/questions/").get_data(as_text=True))
    with count_queries(app) as few:
        before = client.get(url).get_data(as_text=True)
    assert "Page 2 of 2" in before
    add(app, 60, title="More")  # sorts before "Question ...": 60 more rows ahead of the key
    with count_queries(app) as many:
        html = client.get(url).get_data(as_text=True)
    assert titles(html)[0] == titles(before)[0]  # the page still starts after the same key
    assert "Page 2 of 5" in html  # the number its link carried: no row before it is counted
    assert len(many) == len(few)
    assert skipped_rows(app, client, url) == []  # the page is read skipping nothing


def skipped_rows(app, client, url) -> list[int]:
    """The non-zero OFFSET of every page read of questions (SQLite writes `OFFSET ?`
    even for 0; PostgreSQL names its parameter)."""
    offsets = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if "FROM questions" not in statement or "OFFSET" not in statement.upper():
            return
        named = re.search(r"OFFSET %\((\w+)\)s", statement)
        value = parameters[named.group(1)] if named else parameters[-1]
        if value:
            offsets.append(value)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return offsets


def test_a_typed_in_page_number_still_offsets(app, client, candidate):
    """The contrast that makes the test above mean something: `?page=2` skips 20 rows."""
    add(app, 25)
    assert skipped_rows(app, client, "/questions/?page=2") == [20]


def test_the_next_link_keeps_the_filters(app, client, candidate):
    add(app, 30)
    html = client.get("/questions/?skill=ml_system_design").get_data(as_text=True)
    url = next_link(html)
    assert "skill=ml_system_design" in url and "after=" in url
    html = client.get(url).get_data(as_text=True)
    first = titles(client.get("/questions/?skill=ml_system_design").get_data(as_text=True))
    assert "Page 2 of 2" in html and not set(titles(html)) & set(first)


@pytest.mark.parametrize("after", ["nope", "", "%00", "a" * 500, "top-k"])
def test_an_unknown_or_unlisted_key_reads_the_first_page(client, candidate, after):
    """`top-k` is a draft: not on the list, so it cannot position a page."""
    response = client.get(f"/questions/?after={after}")
    assert response.status_code == 200
    assert "2 questions" in response.get_data(as_text=True)


def prev_link(html: str) -> str | None:
    found = re.search(r'<a rel="prev" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def walk_by_key(app, client, url: str, by_page: list[list[str]], ids) -> None:
    """Follow Next from `url` to the last page, then Previous back to the first: each page
    is labelled with its number, shows the rows `?page=N` shows (`by_page`, as `ids`
    reads them off the HTML), and every keyed page skips no rows."""
    pages, number, last = len(by_page), 0, None
    while url:
        html = client.get(url).get_data(as_text=True)
        number += 1
        assert f"Page {number} of {pages}" in html
        assert ids(html) == by_page[number - 1]
        if number > 1:
            assert "after=" in url and skipped_rows(app, client, url) == []
        url, last = next_link(html), html
    assert number == pages
    back = prev_link(last)
    for number in range(pages - 1, 0, -1):
        assert "before=" in back
        html = client.get(back).get_data(as_text=True)
        assert f"Page {number} of {pages}" in html and ids(html) == by_page[number - 1]
        if number > 1:
            assert skipped_rows(app, client, back) == []
        back = prev_link(html)
    assert back is None


def last_page_url(client, url="/questions/") -> tuple[str, int]:
    number = 1
    while following := next_link(client.get(url).get_data(as_text=True)):
        url, number = following, number + 1
    return url, number


def test_following_previous_back_from_the_last_page_reads_every_page_by_key(app, client, candidate):
    add(app, 45)
    add(app, 12, title="Same title")
    by_offset = {}
    first = client.get("/questions/").get_data(as_text=True)
    pages = int(re.search(r"Page 1 of (\d+)", first).group(1))
    for number in range(1, pages + 1):
        by_offset[number] = titles(client.get(f"/questions/?page={number}").get_data(as_text=True))
    url, number = last_page_url(client)
    assert number == pages
    while True:
        html = client.get(url).get_data(as_text=True)
        assert f"Page {number} of {pages}" in html
        assert titles(html) == by_offset[number]
        if number < pages:
            assert "before=" in url
            assert skipped_rows(app, client, url) == []  # read by key, skipping nothing
        url = prev_link(html)
        if url is None:
            break
        number -= 1
    assert number == 1


def test_a_page_before_a_key_has_a_constant_query_count(app, client, candidate):
    add(app, 65)
    url, _ = last_page_url(client)
    url = prev_link(client.get(url).get_data(as_text=True))
    assert "before=" in url
    with count_queries(app) as few:
        html = client.get(url).get_data(as_text=True)
    shown = titles(html)
    add(app, 200, title="More")  # sorts before "Question ...": 200 more rows ahead
    with count_queries(app) as many:
        html = client.get(url).get_data(as_text=True)
    assert titles(html) == shown  # still the page just before the same key
    assert len(many) == len(few)
    assert next_link(html) and prev_link(html)


@pytest.mark.parametrize("before", ["nope", "", "%00", "a" * 500, "top-k", "x&page=abc"])
def test_an_unknown_or_unlisted_before_key_reads_the_first_page(client, candidate, before):
    response = client.get(f"/questions/?before={before}")
    assert response.status_code == 200
    assert "2 questions" in response.get_data(as_text=True)


def count_statements_of(app, client, url) -> list[str]:
    with count_queries(app) as seen:
        assert client.get(url).status_code == 200
    return [" ".join(str(s).split()) for s in seen]


@pytest.fixture
def capped(app):
    """A count cap of 25 and pages of 10: 37 questions are "25+", more than two pages."""
    app.config.update(LIST_COUNT_CAP=25, PER_PAGE=10)
    return app


def test_the_total_is_a_capped_count_and_no_page_counts_the_rows_before_it(
    app, client, candidate, capped
):
    add(app, 35)
    first = client.get("/questions/").get_data(as_text=True)
    assert "25+ questions" in first and "Page 1 of 3+" in first
    url = next_link(first)
    assert "after=" in url and "page=2" in url
    html = client.get(url).get_data(as_text=True)
    assert "Page 2 of 3+" in html and not set(titles(html)) & set(titles(first))
    for statement in count_statements_of(app, client, url):
        if "count(" in statement.lower():  # the one count: of at most cap + 1 rows
            assert "LIMIT" in statement and "CASE" not in statement, statement


def test_a_typed_page_number_skips_at_most_the_cap(app, client, candidate, capped):
    add(app, 45)
    html = client.get("/questions/?page=99").get_data(as_text=True)
    assert "Page 3 of 3+" in html  # 25 // 10 + 1: the page just past the cap
    assert skipped_rows(app, client, "/questions/?page=99") == [20]
    assert len(titles(html)) == 10


def test_a_page_reached_by_key_without_a_number_still_pages_both_ways(app, client, candidate):
    add(app, 45)
    url = next_link(client.get("/questions/").get_data(as_text=True))
    bare = re.sub(r"&?page=\d+", "", url)
    assert "after=" in bare and "page=" not in bare
    html = client.get(bare).get_data(as_text=True)
    assert titles(html) == titles(client.get(url).get_data(as_text=True))
    assert "Page " not in html  # no number: nothing counts the rows before this page
    assert next_link(html) and prev_link(html)
    back = client.get(prev_link(html)).get_data(as_text=True)
    assert "Page 1 of 3" in back and prev_link(back) is None


def test_the_unfiltered_total_counts_exactly_the_questions_the_pages_list(app, candidate):
    """Unfiltered, the total is counted from the questions table alone: it must equal the
    count over the page query's joins (drafts, archived and version-less questions left
    out) and the questions the pages list; filtered, the joined count as before."""
    add(app, 7)
    add(app, 3, status="draft")
    add(app, 2, status="archived")
    with app.app_context():
        db.session.add(Question(key="no-version-yet", status="published"))
        db.session.commit()
        joined = db.session.scalar(
            select(func.count())
            .select_from(Question)
            .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .join(Stage, Stage.key == QuestionVersion.stage_key)
            .where(Question.status == "published")
        )
        everything = queries.browse_published(page=None, per_page=500)
        assert everything.total == joined == len(everything.items) > 7
        for filters in ({"stage": "system_design"}, {"skill": "ml_system_design"}):
            narrowed = queries.browse_published(page=None, per_page=500, **filters)
            assert 7 <= narrowed.total == len(narrowed.items) <= everything.total
