"""Steps the journeys share: signing up and in through the real pages."""

from __future__ import annotations

from tests.factories import PASSWORD

SIGNUP_PASSWORD = "a long enough passphrase for tests"


def sign_up(page, email: str, name: str, password: str = SIGNUP_PASSWORD) -> None:
    """Create a candidate account through the sign-up page; ends on the dashboard."""
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/dashboard")
    page.role = "candidate"


def sign_in(page, email: str, password: str = PASSWORD, role: str = "candidate") -> None:
    """Sign in through the sign-in page; `role` labels the pages this page collects."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")
    page.role = role


def user_email(app, user_id: int) -> str:
    from app.extensions import db
    from app.models.users import User

    with app.app_context():
        return db.session.get(User, user_id).email


def crawl(page, start: list[str], check, limit: int = 40, skip: tuple[str, ...] = ()) -> list[str]:
    """Visit every same-site page reachable by links from `start`, calling `check(page)`.

    Links are followed breadth-first; paths that differ only by ids or query string are one
    page template, visited once. Only links are followed (GETs never change state here), and
    answers that are not HTML pages (exports, downloads) are not opened. Returns the paths.
    """
    from tests.browser.gates import page_key

    queue, seen, visited = list(start), set(), []
    while queue and len(visited) < limit:
        path = queue.pop(0)
        key = page_key("", "GET", path, 0)
        if key in seen or any(part in path for part in skip):
            continue
        seen.add(key)
        probe = page.request.get(path, max_redirects=0)
        if probe.status != 200 or not probe.headers.get("content-type", "").startswith("text/html"):
            continue
        page.goto(path)
        visited.append(path)
        check(page)
        origin = page.evaluate("() => location.origin")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            href = href.split("#")[0]
            if href.startswith(origin + "/"):
                queue.append(href[len(origin) :])
    return visited
