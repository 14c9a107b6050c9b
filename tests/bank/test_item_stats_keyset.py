"""The item statistics list pages by key both ways in each of its orders: Next carries
`?after=<last question id>`, Previous `?before=<first question id>`; such pages read the
same questions as `?page=N`, skip no rows, and cost the same queries however long the
list is; a bad or unknown cursor reads the first page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.bank import Question
from tests.bank.bankdata import count_queries
from tests.bank.test_browse_keyset import add, next_link, prev_link, walk_by_key
from tests.bank.test_item_stats import sit

URL = "/admin/bank/stats"


def ids(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/bank/questions/(\d+)#usage">', html)


@pytest.fixture
def admin(app, login_as, make_user):
    app.config["ITEM_STATS_PER_PAGE"] = 10
    candidate = make_user()
    add(app, 25)
    add(app, 12, title="Same title")  # ties on the title: the version id breaks them
    with app.app_context():
        # attempts 0 to 3 over the first questions: ties on the count, broken by the id
        first = db.session.scalars(select(Question.id).order_by(Question.id).limit(12)).all()
        for n, question_id in enumerate(first):
            for _ in range(n % 4):
                sit(question_id, candidate, seconds=60 * (n + 1))
    return login_as("admin")


@pytest.mark.parametrize("sort", ["most", "least", "title"])
def test_next_and_previous_read_the_pages_by_key(app, client, admin, sort):
    base = f"{URL}?sort={sort}"
    by_page = [ids(client.get(f"{base}&page={n}").get_data(as_text=True)) for n in (1, 2, 3, 4)]
    assert sum(len(p) for p in by_page) == 37 and len({i for p in by_page for i in p}) == 37
    walk_by_key(app, client, base, by_page, ids)


def test_a_keyed_page_costs_the_same_queries_on_a_longer_list(app, client, admin):
    url = next_link(client.get(URL).get_data(as_text=True))
    back = prev_link(
        client.get(next_link(client.get(url).get_data(as_text=True))).get_data(as_text=True)
    )
    with count_queries(app) as few:
        client.get(url)
        client.get(back)
    add(app, 100)
    with count_queries(app) as many:
        client.get(url)
        client.get(back)
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "query", ["after=abc", "before=-1", "after=99999999999999", "before=%00", "after=999999"]
)
def test_bad_or_unknown_cursors_read_the_first_page(app, client, admin, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert ids(response.get_data(as_text=True)) == ids(client.get(URL).get_data(as_text=True))
