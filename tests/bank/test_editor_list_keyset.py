"""The admin question list pages by key both ways: Next carries `?after=<last question
id>`, Previous `?before=<first question id>`; such pages read the same questions as
`?page=N`, skip no rows, and cost the same queries however long the list is."""

from __future__ import annotations

import re

import pytest

from tests.bank.bankdata import count_queries
from tests.bank.test_browse_keyset import add, next_link, prev_link, walk_by_key

URL = "/admin/bank/questions"


def ids(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/bank/questions/(\d+)">', html)


@pytest.fixture
def admin(app, login_as):
    app.config["PER_PAGE"] = 10
    return login_as("admin")


def test_next_and_previous_read_the_pages_by_key(app, client, admin):
    add(app, 37)
    by_page = [ids(client.get(f"{URL}?page={n}").get_data(as_text=True)) for n in (1, 2, 3, 4)]
    walk_by_key(app, client, URL, by_page, ids)


def test_a_keyed_page_costs_the_same_queries_on_a_longer_list(app, client, admin):
    add(app, 25)
    url = next_link(client.get(URL).get_data(as_text=True))
    third = next_link(client.get(url).get_data(as_text=True))
    back = prev_link(client.get(third).get_data(as_text=True))
    assert "before=" in back
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
    add(app, 3)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert len(ids(response.get_data(as_text=True))) == 3
