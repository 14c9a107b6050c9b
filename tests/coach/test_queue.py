"""The review queue and the coach dashboard counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from app.clock import utcnow
from app.extensions import db
from app.models.review import Review
from tests import factories
from tests.coach import builders


def session_ids(html: str) -> list[int]:
    """Session ids in the queue table, in order (once per row)."""
    ids = []
    for found in re.findall(r'href="/coach/sessions/(\d+)">[^<]', html):
        if not ids or ids[-1] != int(found):
            ids.append(int(found))
    return list(dict.fromkeys(ids))


def test_queue_is_oldest_first_and_excludes_published_and_unfinished(app, client, as_coach):
    w = as_coach
    with app.app_context():
        now = utcnow()
        old = builders.session(w.candidate_id, started=now - timedelta(days=3)).id
        newer = builders.session(w.candidate_id, started=now - timedelta(days=1)).id
        running = builders.session(w.candidate_id, status="in_progress").id
        done = builders.session(w.candidate_id, started=now - timedelta(days=4)).id
        db.session.add(Review(session_id=done, coach_id=w.coach_id, status="published"))
        db.session.add(Review(session_id=newer, coach_id=w.coach_id, status="draft"))
        db.session.commit()
    html = client.get("/coach/queue").get_data(as_text=True)
    ids = session_ids(html)
    assert ids == [old, newer, w.session_id]
    assert running not in ids and done not in ids
    assert "Continue review" in html  # the draft


def test_queue_hides_unlinked_candidates(app, client, as_coach, make_user):
    stranger = make_user("candidate", display_name="Stranger Sam")
    with app.app_context():
        hidden = builders.session(stranger).id
    html = client.get("/coach/queue").get_data(as_text=True)
    assert hidden not in session_ids(html) and "Stranger Sam" not in html


def test_queue_filters_by_candidate_stage_and_state(app, client, as_coach, make_user):
    w = as_coach
    other = make_user("candidate", display_name="Other Ola")
    with app.app_context():
        builders.link(w.coach_id, other)
        phone = builders.session(other, stage_key="technical_phone").id
        draft = builders.session(other).id
        db.session.add(Review(session_id=draft, coach_id=w.coach_id, status="draft"))
        db.session.commit()
    assert session_ids(client.get(f"/coach/queue?candidate={other}").get_data(as_text=True)) == [
        phone,
        draft,
    ]
    by_stage = client.get("/coach/queue?stage=technical_phone").get_data(as_text=True)
    assert session_ids(by_stage) == [phone]
    drafts = client.get("/coach/queue?state=draft").get_data(as_text=True)
    assert session_ids(drafts) == [draft]
    awaiting = client.get("/coach/queue?state=awaiting").get_data(as_text=True)
    assert draft not in session_ids(awaiting)
    # a bad filter value is ignored, not an error
    assert client.get("/coach/queue?candidate=abc&state=nope").status_code == 200


def test_queue_paginates(app, client, as_coach):
    w = as_coach
    with app.app_context():
        for _ in range(21):
            builders.session(w.candidate_id, events=False, kinds=("text",))
    first = client.get("/coach/queue").get_data(as_text=True)
    assert "Page 1 of 2" in first and len(session_ids(first)) == 20
    second = client.get(link(first, "next")).get_data(as_text=True)
    assert len(session_ids(second)) == 2 and "Page 2 of 2" in second
    assert session_ids(client.get("/coach/queue?page=2").get_data(as_text=True)) == session_ids(
        second
    )  # a typed ?page= still works (skipping at most the capped count)


def link(html: str, rel: str) -> str | None:
    """The href of the pager's Next or Previous link (entities unescaped), if any."""
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def walk(client, url: str) -> list[list[int]]:
    """Every page's session ids, following Next from `url` to the end."""
    pages = []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(session_ids(html))
        url = link(html, "next")
    return pages


def test_queue_pages_by_key_both_ways_with_the_filters_kept(app, client, as_coach, make_user):
    """Next and Previous carry the session at the page's edge (?after= / ?before=) and the
    filters; walking them gives the queue in order, each session once, ties on the
    finishing time broken by id."""
    from app.coach import queries

    w = as_coach
    other = make_user("candidate", display_name="Other Ola")
    app.config["PER_PAGE"] = 3
    with app.app_context():
        builders.link(w.coach_id, other)
        same_time = utcnow() - timedelta(days=2)
        for n in range(8):  # three share one finishing time: the id decides
            builders.session(
                w.candidate_id, started=same_time if n < 3 else None, events=False, kinds=("text",)
            )
            builders.session(other, events=False, kinds=("text",))
        expected = [
            s.id for s in queries.queue(w.coach_id, candidate_id=w.candidate_id, per_page=100).items
        ]
    assert len(expected) == 9
    url = f"/coach/queue?candidate={w.candidate_id}&state=awaiting"
    pages = walk(client, url)
    assert [i for p in pages for i in p] == expected and [len(p) for p in pages] == [3, 3, 3]
    # every pager link keeps the filters and names a session, never a page offset
    html = client.get(url).get_data(as_text=True)
    nxt = link(html, "next")
    assert f"candidate={w.candidate_id}" in nxt and "state=awaiting" in nxt and "after=" in nxt
    second = client.get(nxt).get_data(as_text=True)
    assert "Page 2 of 3" in second
    third = client.get(link(second, "next")).get_data(as_text=True)
    assert link(third, "next") is None and "Page 3 of 3" in third
    back = client.get(link(third, "prev")).get_data(as_text=True)
    assert session_ids(back) == pages[1] and "Page 2 of 3" in back
    assert "before=" in link(third, "prev") and f"candidate={w.candidate_id}" in link(third, "prev")
    start = client.get(link(back, "prev")).get_data(as_text=True)
    assert session_ids(start) == pages[0] and link(start, "prev") is None
    # the htmx fragment pages the same way
    fragment = client.get(nxt, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="queue-table">')
    assert session_ids(fragment) == pages[1]


def test_queue_previous_that_reaches_the_start_shows_a_full_first_page(app, client, as_coach):
    w = as_coach
    app.config["PER_PAGE"] = 3
    with app.app_context():
        ids = [w.session_id] + [
            builders.session(w.candidate_id, events=False, kinds=("text",)).id for _ in range(4)
        ]
    # Previous from the second row: one row before it, but the first page holds three
    html = client.get(f"/coach/queue?before={ids[1]}").get_data(as_text=True)
    assert session_ids(html) == ids[:3] and link(html, "prev") is None


def test_queue_pages_past_the_capped_count_by_key(app, client, as_coach):
    """Past the cap the count stops, but Next keeps going, one bounded read each."""
    w = as_coach
    app.config["PER_PAGE"] = 2
    app.config["COACH_QUEUE_COUNT_CAP"] = 3
    with app.app_context():
        for _ in range(6):
            builders.session(w.candidate_id, events=False, kinds=("text",))
    pages = walk(client, "/coach/queue")
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert len({i for p in pages for i in p}) == 7
    first = client.get("/coach/queue").get_data(as_text=True)
    assert "3+ sessions to review" in first and "Page 1 of 2+" in first
    last = client.get(f"/coach/queue?after={pages[2][-1]}").get_data(as_text=True)
    assert "Past the first 3 sessions" in last and session_ids(last) == pages[3]


def test_queue_bad_cursors_are_ignored_or_empty_never_an_error(client, as_coach):
    w = as_coach
    for query in ("after=abc", "after=-3", "before=0", "after=99999999999999", "before=%00"):
        response = client.get(f"/coach/queue?{query}")
        assert response.status_code == 200, query
    # a session id no longer (or never) in the queue: nothing after it, not an error
    assert client.get("/coach/queue?after=2147483647").status_code == 200
    assert session_ids(client.get("/coach/queue").get_data(as_text=True)) == [w.session_id]


def test_queue_keyset_pages_query_count_does_not_grow(app, client, as_coach, make_user):
    """Page 1, a Next page and a Previous page: each a fixed number of statements."""
    w = as_coach
    app.config["PER_PAGE"] = 2
    with app.app_context():
        for _ in range(5):
            builders.session(w.candidate_id, events=False, kinds=("text",))

    def counts():
        first = client.get("/coach/queue").get_data(as_text=True)
        second_url = link(first, "next")
        second = client.get(second_url).get_data(as_text=True)
        urls = ["/coach/queue", second_url, link(second, "prev"), "/coach/queue?page=2"]
        urls.append(f"/coach/queue?after={session_ids(first)[-1]}&stage=system_design")
        return [count_queries(app, client, url) for url in urls]

    small = counts()
    with app.app_context():
        for _ in range(12):
            builders.session(w.candidate_id, events=False, kinds=("text",))
        for i in range(4):
            extra = factories.user("candidate", display_name=f"Extra {i}").id
            builders.link(w.coach_id, extra)
            for _ in range(3):
                builders.session(extra, events=False, kinds=("text",))
    add_reviews(app, w.coach_id, w.candidate_id)
    assert counts() == small


def test_queue_fragment_for_htmx(client, as_coach):
    response = client.get("/coach/queue", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="queue-table">') and "<html" not in html


def count_queries(app, client, url):
    with app.app_context():
        engine = db.engine
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def add_reviews(app, coach_id, candidate_id):
    """One draft and one published review (with a revision) for the candidate."""
    from app.coach import services
    from app.coach.queries import visible_session

    with app.app_context():
        draft = builders.session(candidate_id).id
        done = visible_session(coach_id, builders.session(candidate_id).id)
        db.session.add(Review(session_id=draft, coach_id=coach_id, status="draft"))
        db.session.commit()
        services.publish(coach_id, done, services.ReviewInput(strengths_md="Clear."), now=utcnow())


def test_list_pages_query_count_does_not_grow(app, client, as_coach):
    w = as_coach
    add_reviews(app, w.coach_id, w.candidate_id)
    urls = ["/coach/queue", "/coach/", "/coach/candidates", f"/coach/candidates/{w.candidate_id}"]
    small = {url: count_queries(app, client, url) for url in urls}
    with app.app_context():
        for _ in range(6):
            builders.session(w.candidate_id, events=False)
        for i in range(4):
            other = factories.user("candidate", display_name=f"Extra {i}").id
            builders.link(w.coach_id, other)
            builders.session(other, events=False)
    add_reviews(app, w.coach_id, w.candidate_id)
    add_reviews(app, w.coach_id, w.candidate_id)
    big = {url: count_queries(app, client, url) for url in urls}
    assert big == small


def test_dashboard_counts(app, client, as_coach):
    w = as_coach
    with app.app_context():
        a = builders.session(w.candidate_id).id
        b = builders.session(w.candidate_id).id
        db.session.add(Review(session_id=a, coach_id=w.coach_id, status="draft"))
        db.session.add(Review(session_id=b, coach_id=w.coach_id, status="published"))
        db.session.commit()
    html = client.get("/coach/").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "1 awaiting review" in text
    assert "1 in draft" in text
    assert "1 published" in text
    assert "1 candidate " in text


def test_dashboard_counts_are_capped(app, client, as_coach):
    w = as_coach
    with app.app_context():
        for _ in range(3):
            builders.session(w.candidate_id, events=False, kinds=("text",))
    app.config["COACH_QUEUE_COUNT_CAP"] = 2
    text = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/coach/").get_data(as_text=True))
    )
    assert "2+ awaiting review" in text and "0 in draft" in text
    app.config["COACH_QUEUE_COUNT_CAP"] = 4
    text = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/coach/").get_data(as_text=True))
    )
    assert "4 awaiting review" in text


def test_candidate_coaching_page_query_count_does_not_grow(app, client, auth, as_coach):
    """The candidate's Coaches page (coaches, sessions with sharing and reviews) too."""
    from tests.coach.conftest import login

    w = as_coach
    add_reviews(app, w.coach_id, w.candidate_id)
    auth.logout()
    login(app, auth, w.candidate_id)
    small = count_queries(app, client, "/coaching/")
    with app.app_context():
        for _ in range(5):
            builders.session(w.candidate_id, events=False)
        for i in range(3):
            builders.link(factories.user("coach", display_name=f"Coach {i}").id, w.candidate_id)
    add_reviews(app, w.coach_id, w.candidate_id)
    assert count_queries(app, client, "/coaching/") == small


def test_queue_key_is_stored_when_a_round_finishes_or_its_times_change(app, as_coach):
    """queued_at = finished_at, else deadline_at, on insert and on every later write."""
    w = as_coach
    with app.app_context():
        now = utcnow()
        running = builders.session(w.candidate_id, status="in_progress", started=now)
        assert running.queued_at == running.deadline_at
        running.deadline_at = now + timedelta(hours=3)
        db.session.commit()
        assert running.queued_at == now + timedelta(hours=3)
        running.status, running.finished_at = "submitted", now + timedelta(minutes=5)
        db.session.commit()
        db.session.expire_all()
        assert running.queued_at == now + timedelta(minutes=5)


def test_queue_sorts_on_the_index_not_on_an_expression(app, as_coach):
    """The queue's ORDER BY is the stored key, never a full scan of practice_sessions; one
    candidate's sessions come in index order without a sort (SQLite's plan)."""
    from app.coach import queries
    from app.models.practice import PracticeSession

    w = as_coach

    def plan(stmt):
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        assert "coalesce" not in sql.lower() and "queued_at" in sql
        rows = db.session.execute(db.text(f"EXPLAIN QUERY PLAN {sql}")).all()
        return " ".join(str(row[-1]) for row in rows)

    with app.app_context():
        stmt = (
            queries.visible_sessions(w.coach_id)
            .with_only_columns(PracticeSession.id)
            .order_by(queries._finished_order(), PracticeSession.id)
        )
        if db.engine.dialect.name != "sqlite":
            pytest.skip("reads SQLite's EXPLAIN QUERY PLAN")
        overall = plan(stmt)
        assert "SCAN practice_sessions" not in overall, overall
        one = plan(stmt.where(PracticeSession.user_id == w.candidate_id))
        assert "ix_practice_sessions_user_queued" in one, one
        assert "TEMP B-TREE FOR ORDER BY" not in one, one


def test_queue_total_is_capped(app, client, as_coach):
    """The count stops at the cap and says so ("3+"), instead of scanning every session."""
    from app.coach import queries

    w = as_coach
    with app.app_context():
        for _ in range(4):
            builders.session(w.candidate_id, events=False, kinds=("text",))
        page = queries.queue(w.coach_id, page=1, per_page=20, count_cap=3)
        assert page.capped and page.total == 3 and len(page.items) == 5
        exact = queries.queue(w.coach_id, page=1, per_page=20, count_cap=5)
        assert not exact.capped and exact.total == 5
    assert "5 sessions to review" in client.get("/coach/queue").get_data(as_text=True)
    app.config["COACH_QUEUE_COUNT_CAP"] = 3
    assert "3+ sessions to review" in client.get("/coach/queue").get_data(as_text=True)


def test_queue_filter_is_a_search_box_above_the_select_limit(app, client, as_coach, make_user):
    w = as_coach
    app.config["COACH_FILTER_SELECT_MAX"] = 1
    other = make_user("candidate", display_name="Other_Ola", email="ola@example.test")
    with app.app_context():
        builders.link(w.coach_id, other)
        theirs = builders.session(other).id
    html = client.get("/coach/queue").get_data(as_text=True)
    assert 'name="q"' in html and 'name="candidate"' not in html
    found = client.get("/coach/queue?q=r_o").get_data(as_text=True)
    assert session_ids(found) == [theirs]
    assert session_ids(client.get("/coach/queue?q=OLA@EXAMPLE").get_data(as_text=True)) == [theirs]
    # LIKE wildcards are literal: "%" matches nobody's name
    nothing = client.get("/coach/queue?q=%25").get_data(as_text=True)
    assert session_ids(nothing) == [] and "whose name or email contains" in nothing
    # a ?candidate= link from the overview still filters, and shows who
    linked = client.get(f"/coach/queue?candidate={other}").get_data(as_text=True)
    assert session_ids(linked) == [theirs] and "Other_Ola" in linked
    # too long a search, or a stranger's id: a message, not an error
    long = client.get("/coach/queue?q=" + "x" * 300)
    assert long.status_code == 200 and "at most 100 characters" in long.get_data(as_text=True)
    assert client.get("/coach/queue?candidate=999999").status_code == 200
    assert client.get("/coach/queue?candidate=99999999999999999999").status_code == 200


def test_queue_filter_is_a_select_at_or_below_the_limit(app, client, as_coach):
    app.config["COACH_FILTER_SELECT_MAX"] = 1
    html = client.get("/coach/queue").get_data(as_text=True)
    assert 'name="candidate"' in html and 'name="q"' not in html


def test_queue_filter_select_lists_candidates_by_name(app, client, as_coach, make_user):
    """The bounded read of the coach's links still lists them sorted by name."""
    w = as_coach
    with app.app_context():
        for name in ("Zed Zulu", "Abe Alpha", "Mia Mike"):
            builders.link(w.coach_id, make_user("candidate", display_name=name))
    html = client.get("/coach/queue").get_data(as_text=True)
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", html)
    assert options == ["Abe Alpha", "Cand Dee", "Mia Mike", "Zed Zulu"]
