"""The report page and its exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from freezegun import freeze_time

from app.extensions import db
from app.models.bank import Rubric, RubricVersion
from tests import factories
from tests.learning import helpers

FROZEN = "2026-03-02 15:00:00"


def _score_and_finish(client, r, levels: dict, reflection="Practise cost maths."):
    data = {r.level(p, c): str(v) for (p, c), v in levels.items()}
    data.update({"reflection": reflection, "finish": "Finish scoring"})
    response = client.post(r.score_url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def test_report_before_finishing_sends_back_to_scoring(client, finished_round):
    r = finished_round()
    for path in ("report", "report.md"):
        response = client.get(f"/feedback/sessions/{r.session_id}/{path}")
        assert response.status_code == 302 and response.location.endswith(r.score_url)


def test_report_of_running_round_is_refused(client, finished_round):
    r = finished_round(status="in_progress")
    assert client.get(r.report_url).status_code == 409


def test_report_names_strengths_and_gaps_with_evidence(app, client, finished_round):
    r = finished_round(time_spent=[900])
    _score_and_finish(client, r, {(0, 0): 4, (0, 1): 2})  # failure_modes left unscored
    response = client.get(r.report_url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    strengths = html.split('id="strengths-title"')[1].split('id="gaps-title"')[0]
    gaps = html.split('id="gaps-title"')[1].split('id="criteria-title"')[0]
    assert "Latency budgeting" in strengths and "Cost modeling" not in strengths
    assert "Cost modeling" in gaps
    # evidence: question, level chosen, descriptor of the next level up
    assert "Partial</em>, level 2 of 4" in gaps and "Level 3: solid." in gaps
    assert "Failure-mode analysis" in html and "unscored" in html
    # overall = (100 * 1 + 33.33 * 2) / 3 = 55.6 -> 56
    assert '<p class="overall-score"><span class="score">56<' in html
    assert "15 min of 10 min suggested" in html and "(over)" in html
    assert "Practise cost maths." in html
    assert "_coach_section" not in html


def test_report_says_when_the_round_ran_out_of_time(client, finished_round):
    r = finished_round(status="auto_submitted")
    _score_and_finish(client, r, {(0, 0): 3})
    assert "The round ran out of time" in client.get(r.report_url).get_data(as_text=True)


def test_report_shows_estimate_accuracy(app, client, login_as):
    user_id = login_as()
    with app.app_context():
        estimate = factories.question(
            answer_kind="estimate",
            estimate_value=100.0,
            estimate_unit="GPU hours",
            estimate_tolerance_pct=10.0,
        )
        text = factories.question()
        session = helpers.practice_session(
            user_id,
            [estimate, text],
            answers=[{"text": "", "number": 150.0, "unit": "GPU hours"}, {}],
        )
        r_id, items = session.id, [i.id for i in session.items]
    client.post(
        f"/feedback/sessions/{r_id}/score",
        data={f"level_{items[0]}_0": "2", "finish": "Finish scoring"},
    )
    html = client.get(f"/feedback/sessions/{r_id}/report").get_data(as_text=True)
    assert "0 of 1 checked estimate within tolerance" in html
    assert "1.50×" in html and "outside tolerance" in html


def test_exports_have_types_file_names_and_content(app, client, finished_round):
    with freeze_time(FROZEN):
        r = finished_round()
        _score_and_finish(client, r, {(0, 0): 4, (0, 1): 1})
        with app.app_context():
            from app.models.practice import PracticeSession

            ended = db.session.get(PracticeSession, r.session_id).finished_at
        date = ended.strftime("%Y-%m-%d")
        expected = {
            "md": "text/markdown; charset=utf-8",
            "json": "application/json",
            "csv": "text/csv; charset=utf-8",
        }
        bodies = {}
        for fmt, content_type in expected.items():
            response = client.get(f"{r.report_url}.{fmt}")
            assert response.status_code == 200
            assert response.headers["Content-Type"] == content_type
            assert response.headers["Content-Disposition"] == (
                f'attachment; filename="mockloop-report-{r.session_id}-{date}.{fmt}"'
            )
            assert response.headers["Cache-Control"] == "no-store"
            bodies[fmt] = response.get_data(as_text=True)
        html = client.get(r.report_url).get_data(as_text=True)
    assert bodies["md"].startswith("# mockloop report:")
    assert "## Gaps" in bodies["md"] and "**Cost modeling**: gap (0/100)" in bodies["md"]
    data = json.loads(bodies["json"])
    assert data["session"]["id"] == r.session_id
    assert data["gaps"] == ["cost_modeling"] and data["strengths"] == ["latency_budget"]
    assert data["overall"] == pytest.approx(33.33)
    rows = list(csv.DictReader(io.StringIO(bodies["csv"])))
    overall = [row for row in rows if row["section"] == "overall"]
    assert overall[0]["score"] == "33.33"
    assert {row["key"] for row in rows if row["section"] == "question_criterion"} == {
        "latency_budget",
        "cost_modeling",
        "failure_modes",
    }
    # the report page links all three
    for fmt in expected:
        assert f'href="{r.report_url}.{fmt}"' in html


def test_new_rubric_version_leaves_old_report_byte_identical(app, client, finished_round):
    with freeze_time(FROZEN):
        r = finished_round()
        _score_and_finish(client, r, {(0, 0): 4, (0, 1): 2, (0, 2): 1})
        client.get(r.report_url)  # shows (and so clears) the "scoring finished" flash
        before = {p: client.get(f"{r.report_url}{p}").data for p in ("", ".md", ".json", ".csv")}
        with app.app_context():
            rubric = db.session.scalars(db.select(Rubric)).one()
            version = RubricVersion(
                rubric_id=rubric.id,
                number=2,
                title="Rewritten rubric",
                criteria=[
                    {
                        "key": "cost_modeling",
                        "title": "Cost, renamed",
                        "weight": 5.0,
                        "levels": factories.levels(3),
                    },
                    {
                        "key": "new_one",
                        "title": "Brand new",
                        "weight": 1,
                        "levels": factories.levels(5),
                    },
                ],
            )
            db.session.add(version)
            db.session.flush()
            rubric.current_version_id = version.id
            db.session.commit()
        after = {p: client.get(f"{r.report_url}{p}").data for p in ("", ".md", ".json", ".csv")}
    assert after == before
    assert b"Cost, renamed" not in after[""]


def test_unscored_criteria_are_listed_as_unscored_in_exports(client, finished_round):
    r = finished_round()
    _score_and_finish(client, r, {(0, 1): 3})
    data = json.loads(client.get(f"{r.report_url}.json").data)
    by_key = {c["key"]: c for c in data["criteria"]}
    assert by_key["latency_budget"]["verdict"] == "unscored"
    assert by_key["latency_budget"]["score"] is None
    assert by_key["latency_budget"]["unscored_in_questions"] == [1]
    assert data["overall"] == pytest.approx(66.67)


def test_unknown_export_format_is_404(client, finished_round):
    r = finished_round()
    _score_and_finish(client, r, {(0, 0): 3})
    assert client.get(f"{r.report_url}.pdf").status_code == 404


def test_report_and_scoring_query_counts_do_not_grow_with_questions(app, client, login_as):
    from tests.learning.query_count import count_queries

    user_id = login_as()
    counts = []
    for n in (1, 4):
        with app.app_context():
            rubric = factories.rubric()
            questions = [
                factories.question(rubric_obj=rubric, skills=("mlops", f"skill_{n}_{i}"))
                for i in range(n)
            ]
            session = helpers.practice_session(user_id, questions)
            session_id, items = session.id, [i.id for i in session.items]
        data = {f"level_{item}_0": "2" for item in items} | {"finish": "Finish scoring"}
        with count_queries(app) as scoring:
            assert client.get(f"/feedback/sessions/{session_id}/score").status_code == 200
        assert client.post(f"/feedback/sessions/{session_id}/score", data=data).status_code == 302
        client.get(f"/feedback/sessions/{session_id}/report")  # clears the flash
        with count_queries(app) as report:
            assert client.get(f"/feedback/sessions/{session_id}/report").status_code == 200
        counts.append((len(scoring), len(report)))
    assert counts[0] == counts[1], counts
