"""Every page each role can reach by following links passes the gates.

The journeys prove the flows; this sweep makes sure no page is left out of the gates
(axe, console/CSP, 375/1440 px) and hands each role's view of every page to vnu.
"""

import pytest

from tests.browser.gates import check_page
from tests.browser.helpers import crawl, sign_in, user_email

pytestmark = pytest.mark.browser

START = {
    "anonymous": ["/", "/login", "/register"],
    "candidate": ["/dashboard"],
    "coach": ["/coach/"],  # a coach's home; /dashboard only redirects there
    "admin": ["/dashboard", "/admin/"],
}


@pytest.mark.parametrize("role", list(START))
def test_every_reachable_page_passes_the_gates(role, app, bank, make_user, open_page):
    page = open_page(role)
    if role != "anonymous":
        sign_in(page, user_email(app, make_user(role=role)), role=role)
    visited = crawl(page, START[role], check_page, limit=60, same_template_once=True)
    print(f"{role}: {len(visited)} pages: {' '.join(visited)}")
    assert START[role][0] in visited
