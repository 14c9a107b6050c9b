"""Steps the journeys share: signing up and in through the real pages."""

from __future__ import annotations

from tests.factories import PASSWORD
from tests.mailbox import smtp_server

SIGNUP_PASSWORD = "a long enough passphrase for tests"


def at(page, pattern: str, timeout: float = 10_000) -> None:
    """Wait until the page shows the URL matching the regex `pattern`.

    Boosted links and forms change the URL with pushState and fire no new "load", so
    `page.wait_for_url` (which waits for "load") can hang; this polls the URL instead.
    """
    import re

    from playwright.sync_api import expect

    expect(page).to_have_url(re.compile(pattern), timeout=timeout)
    page.wait_for_load_state("load")


def sign_up(page, email: str, name: str, password: str = SIGNUP_PASSWORD) -> None:
    """Create a candidate account through the sign-up page and the link it emails (read
    from the run's SMTP server); ends on the dashboard, signed in."""
    mailbox = smtp_server().mailbox
    sent_before = len(mailbox.messages(email))
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    page.goto(mailbox.wait_for(email, count=sent_before + 1).link("/register/finish/"))
    page.get_by_role("button", name="Create my account").click()
    at(page, r"/dashboard$")
    page.role = "candidate"


# where signing in lands each role: a coach's home is the coach overview
HOME_PATHS = {"coach": r"/coach/$"}


def sign_in(page, email: str, password: str = PASSWORD, role: str = "candidate") -> None:
    """Sign in through the sign-in page and wait for the role's home; `role` also labels
    the pages this page collects."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    at(page, HOME_PATHS.get(role, r"/dashboard$"))
    page.role = role


def user_email(app, user_id: int) -> str:
    from app.extensions import db
    from app.models.users import User

    with app.app_context():
        return db.session.get(User, user_id).email


def crawl(
    page,
    start: list[str],
    check,
    limit: int = 40,
    skip: tuple[str, ...] = (),
    same_template_once: bool = False,
) -> list[str]:
    """Visit every same-site page reachable by links from `start`, calling `check(page)`.

    Links are followed breadth-first; paths that differ only by ids or query string are one
    page template, visited once. With `same_template_once`, sibling pages whose last
    segment is a slug (e.g. /questions/<key>) and whose HTML uses the same set of CSS
    classes also count as one template. Only links (and local redirects) are followed:
    GETs never change state here. Answers that are not HTML pages (exports, downloads)
    are not opened. Returns the paths visited.
    """
    import re

    from tests.browser.gates import page_key

    queue, seen, visited = list(start), set(), []
    while queue and len(visited) < limit:
        path = queue.pop(0)
        key = page_key("", "GET", path, 0)
        if key in seen or any(part in path for part in skip):
            continue
        seen.add(key)
        probe = page.request.get(path, max_redirects=0)
        location = probe.headers.get("location", "")
        if 300 <= probe.status < 400 and location:
            # follow a local redirect (e.g. /admin/bank/ -> its question list) as a link
            queue.append(re.sub(r"^https?://[^/]+", "", location))
            continue
        if probe.status != 200 or not probe.headers.get("content-type", "").startswith("text/html"):
            continue
        leaf = path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if same_template_once and re.search(r"[-_\d]", leaf):
            classes = frozenset(re.findall(r'class="([^"]*)"', probe.text()))
            template = (key.rsplit("/", 1)[0], classes)
            if template in seen:
                continue
            seen.add(template)
        page.goto(path)
        visited.append(path)
        check(page)
        origin = page.evaluate("() => location.origin")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            href = href.split("#")[0]
            if href.startswith(origin + "/"):
                queue.append(href[len(origin) :])
    return visited


def nav(page, name: str) -> None:
    """Follow a link of the main navigation and wait for the page it opens.

    Navigation is boosted (htmx swaps the body), so "load" has already fired: wait for
    the link to be marked as the current page instead.
    """
    from playwright.sync_api import expect

    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
    link.click()
    expect(link).to_have_attribute("aria-current", "page")
    page.wait_for_load_state("load")


def body_background(page) -> str:
    """The page's computed background, read once its stylesheets have applied: a
    colour read between the new document's text arriving and its stylesheet loading
    (a 304 revalidation still takes a round trip) is the unstyled transparent."""
    page.wait_for_load_state("load")
    return page.evaluate("() => getComputedStyle(document.body).backgroundColor")


def answer_box(page):
    """The round's main answer field (text, code, working or write-up). A code answer's
    once round.js has bound it: CodeMirror takes the textarea's place and its id when
    its bundle arrives, so a field found before then is hidden a moment later."""
    if page.locator("textarea[data-code-editor]").count():
        page.locator("textarea[data-code-editor][data-code-bound]").first.wait_for(state="attached")
    return page.locator("#answer_text")


def answer_current_question(page, text: str) -> None:
    """Type an answer to the question on screen (and a number for an estimate)."""
    number = page.locator("#answer_number")
    if number.count():
        number.fill("1.5e6")
        page.locator("#answer_unit").fill("tokens")
    links = page.locator("#answer_links")
    if links.count():
        links.fill("https://example.com/my-take-home")
    answer_box(page).fill(text)


def wait_saved(page) -> None:
    """Wait until the round's save status says the answer is saved."""
    import re

    # has_text with a string is a case-insensitive substring: "Unsaved changes" would match
    page.locator("[data-save-status]").filter(has_text=re.compile(r"^\s*Saved")).wait_for()


def score_every_criterion(page, level_index: int = 2) -> int:
    """On the scoring page, pick one level of every criterion; return how many were scored."""
    fieldsets = page.locator("fieldset.criterion")
    count = fieldsets.count()
    for i in range(count):
        options = fieldsets.nth(i).get_by_role("radio")
        options.nth(min(level_index, options.count() - 1)).check()
    return count


def session_id_from(url: str) -> int:
    """The practice session id in a round / scoring / report URL."""
    import re

    return int(re.search(r"/sessions/(\d+)", url).group(1))


def move_times_back(app, session_id: int, seconds: float, *, deadline_only: bool = False):
    """The one allowed database shortcut: move a session's deadline (or all its instants)
    `seconds` into the past, as if that much time had gone by."""
    from datetime import timedelta

    from app.extensions import db
    from app.models.practice import PracticeSession

    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        delta = timedelta(seconds=seconds)
        session.deadline_at -= delta
        if not deadline_only:
            session.started_at -= delta
            if session.finished_at is not None:
                session.finished_at -= delta
        db.session.commit()


def ensure_stage_questions(app, stage_key: str, count: int = 2) -> None:
    """Top up a stage the real bank does not cover yet with factory questions."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models.bank import Question, QuestionVersion
    from tests import factories

    with app.app_context():
        have = db.session.scalar(
            select(func.count())
            .select_from(Question)
            .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .where(Question.status == "published", QuestionVersion.stage_key == stage_key)
        )
        for _ in range(max(0, count - have)):
            factories.question(stage_key=stage_key)


def type_at_end(field, text: str) -> None:
    """Type `text` key by key after what the field already holds (as a person would)."""
    field.focus()
    field.evaluate("el => el.setSelectionRange(el.value.length, el.value.length)")
    field.press_sequentially(text, delay=5)


def sit_short_round(page, button: str, text: str) -> int:
    """From the practice page: start a round, answer every question, submit; return its id."""
    import re

    page.get_by_role("button", name=re.compile("^" + re.escape(button))).click()
    at(page, r"/practice/sessions/\d+$")
    session_id = session_id_from(page.url)
    questions = page.get_by_role("navigation", name="Questions in this round").get_by_role("button")
    total = max(questions.count(), 1)
    for i in range(total):
        answer_current_question(page, f"{text} ({i + 1})")
        if i + 1 < total:
            questions.nth(i + 1).click()
            at(page, rf"\?q={i + 1}$")
    page.get_by_role("button", name="Submit round…").click()
    at(page, r"/submit$")
    page.get_by_role("button", name="Submit round", exact=True).click()
    at(page, rf"/feedback/sessions/{session_id}/score")
    return session_id


def self_score(page, level_index: int = 2) -> None:
    """On the scoring page: a level for every criterion, then Finish scoring (to the report)."""

    score_every_criterion(page, level_index)
    page.get_by_role("button", name="Finish scoring").click()
    at(page, r"/feedback/sessions/\d+/report$")


def invite_code(page) -> tuple[str, str]:
    """As a coach: open the coaching overview, create an invite code if there is none yet,
    and read the code and the invite link off the page."""
    import re

    nav(page, "Coaching")
    create = page.get_by_role("button", name="Create invite code")
    if create.count():
        create.click()
        page.get_by_text(re.compile(r"^Your invite code is now ")).wait_for()
    code = page.locator("#invite-code").inner_text().strip()
    return code, page.get_by_label("Invite link").input_value()


def link_coach(page, code: str, coach_name: str) -> None:
    """As a candidate: enter a coach's invite code on the Coaches page."""
    nav(page, "Coaches")
    page.get_by_label("Coach invite code").fill(code)
    page.get_by_role("button", name="Link coach").click()
    page.get_by_text(f"{coach_name} is now your coach.").wait_for()


def go_on_after_time_up(page, timeout: float = 20_000) -> None:
    """The round ended with its page open: wait for the time's-up notice, then follow its
    link to self-scoring (the page waits for the candidate; issue 18)."""
    notice = page.get_by_role("alert").filter(has_text="Time's up")
    notice.wait_for(timeout=timeout)
    notice.get_by_role("link", name="Go to self-scoring").click()
