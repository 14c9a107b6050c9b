"""`python -m bench.coach`: the coach pages against a bare-Flask baseline, in one run.

* the session log of a realistic 60-minute round (three questions, an autosave every
  10 seconds: ~360 save events, switches, hints, warnings) and of a short one;
* the review queue and the candidate overview with 10 and with 200 finished sessions
  (pagination and eager loading should keep the ratio near 1);
* a review draft autosave (the htmx POST of the whole form).

Every figure is a ratio to a bare Flask "hello" measured in the same process a moment
before. Nothing is asserted here; read the ratios.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import timedelta
from pathlib import Path

from app.extensions import db
from bench.__main__ import bare_apps, mockloop_app, rate, row


def build_world(app, sessions: int) -> tuple[int, int, list[int]]:
    """A coach linked to a candidate with `sessions` finished rounds; returns ids."""
    from app.clock import utcnow
    from app.models.practice import PracticeSession, SessionEvent
    from tests import factories
    from tests.coach import builders

    with app.app_context():
        coach = factories.user("coach", email="coach@example.com").id
        candidate = factories.user("candidate").id
        builders.link(coach, candidate)
        ids = []
        for index in range(sessions):
            started = utcnow() - timedelta(days=sessions - index, minutes=70)
            ids.append(
                builders.session(
                    candidate, started=started, kinds=("text", "code", "estimate"), events=False
                ).id
            )
        # the first session gets a full 60-minute event log: a save every 10 s
        session = db.session.get(PracticeSession, ids[0])
        start = session.started_at
        events = [SessionEvent(kind="started", at=start, position=0, data={})]
        for tick in range(1, 360):
            position = min(tick // 120, 2)
            if tick % 120 == 0:
                events.append(
                    SessionEvent(
                        kind="question_switched",
                        at=start + timedelta(seconds=tick * 10 - 1),
                        position=position,
                        data={},
                    )
                )
            events.append(
                SessionEvent(
                    kind="saved",
                    at=start + timedelta(seconds=tick * 10),
                    position=position,
                    data={"length": (tick % 120) * 25},
                )
            )
        events.append(
            SessionEvent(
                kind="warning_shown",
                at=start + timedelta(minutes=55),
                position=2,
                data={"seconds_left": 300},
            )
        )
        events.append(
            SessionEvent(kind="auto_submitted", at=start + timedelta(minutes=60), data={})
        )
        session.events.extend(events)
        db.session.commit()
        return coach, candidate, ids


def sign_in_coach(app):
    from tests import factories

    client = app.test_client()
    response = client.post(
        "/login", data={"email": "coach@example.com", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5)
    seconds = parser.parse_args().seconds
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        hello, _ = bare_apps(tmp)
        hello_client = hello.test_client()
        results = {}
        for count in (10, 200):
            (tmp / str(count)).mkdir()
            app = mockloop_app(tmp / str(count))
            coach, candidate, ids = build_world(app, count)
            client = sign_in_coach(app)
            base = rate(lambda c=hello_client: c.get("/"), seconds)
            pages = {
                "session log, 60-min round (~365 events)": f"/coach/sessions/{ids[0]}",
                "session log, no events": f"/coach/sessions/{ids[-1]}",
                "review queue": "/coach/queue",
                "candidate overview": f"/coach/candidates/{candidate}",
                "coach dashboard": "/coach/",
            }
            print(f"\n{count} finished sessions (ratio to bare Flask hello {base:.0f} req/s)")
            for name, url in pages.items():
                assert client.get(url).status_code == 200, url
                value = rate(lambda u=url, c=client: c.get(u), seconds)
                results[(count, name)] = value / base
                row(name, value, base)
            data = {"strengths": "Clear.", "gaps": "Cost model."}
            save = f"/coach/sessions/{ids[0]}/review"

            def autosave(c=client, u=save, d=data):
                response = c.post(u, data=d, headers={"HX-Request": "true"})
                assert response.status_code == 200

            row("POST review draft (htmx autosave)", rate(autosave, seconds), base)
        print("\nScaling: 200 sessions vs 10 (same page, ratio of the two ratios)")
        for name in ("review queue", "candidate overview", "coach dashboard"):
            print(f"  {name:<38} {results[(200, name)] / results[(10, name)]:.3f}")


if __name__ == "__main__":
    main()
