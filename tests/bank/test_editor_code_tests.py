"""The bank editor edits a code question's tests as YAML: field-level errors with the line
in the box, the reference solution run on save, tests versioned with the question."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models.bank import Question
from tests.bank.bankdata import question_form
from tests.bank.test_editor import BASE, _qid, admin, bank, doc_of  # noqa: F401 (fixtures)

TESTS = """function: top_k
reference_solution: |
  def top_k(tokens, k):
      counts = {}
      for t in tokens:
          counts[t] = counts.get(t, 0) + 1
      return sorted(counts, key=lambda t: (-counts[t], t))[:k]
examples:
  - args: [["a", "b", "a"], 1]
    expected: ["a"]
  - args: [[], 2]
    expected: []
  - args: [["b", "a"], 2]
    expected: ["a", "b"]
hidden:
  - args: [["x"], 1]
    expected: ["x"]
  - args: [["x", "y", "y"], 1]
    expected: ["y"]
  - args: [["x", "y"], 0]
    expected: []
  - args: [["c", "c", "b", "b"], 1]
    expected: ["b"]
  - args: [["q"], 3]
    expected: ["q"]
"""


def post(client, app, tests_yaml: str, **changes):
    qid = _qid(app, "top-k")
    data = question_form(doc_of(app, "top-k"), tests_yaml=tests_yaml, **changes)
    return qid, client.post(f"{BASE}/questions/{qid}/edit", data=data)


def test_tests_save_as_a_new_version_and_fill_the_box_again(app, client, admin):  # noqa: F811
    qid, response = post(client, app, TESTS, change_note="tests")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with app.app_context():
        question = db.session.get(Question, qid)
        v1, v2 = question.versions
        assert v1.code_tests is None
        assert v2.code_tests["function"] == "top_k" and len(v2.code_tests["hidden"]) == 5
    page = client.get(f"{BASE}/questions/{qid}/edit").get_data(as_text=True)
    box = page[page.find('id="tests_yaml"') :][:3000]
    assert "function: top_k" in box and "expected: [y]" in box, box
    # the filled box saves back unchanged: no new version
    _qid_, again = post(client, app, TESTS)
    with app.app_context():
        assert len(db.session.get(Question, qid).versions) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("function: top_k\nexamples: [\n", "Line 3"),
        ("- just a list\n", "must be a mapping"),
        (
            TESTS.replace('    expected: []\n  - args: [["b"', '    expectd: []\n  - args: [["b"'),
            "Line 12: tests.examples.1.expectd: unknown key",
        ),
    ],
)
def test_a_wrong_shape_is_a_field_error_with_its_line(app, client, admin, text, message):  # noqa: F811
    qid, response = post(client, app, text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page[page.find('id="tests_yaml-error"') :][:400]
    assert 'id="tests_yaml-error"' in page and message in error, (error, page.count("error"))
    with app.app_context():
        assert len(db.session.get(Question, qid).versions) == 1


def test_a_reference_that_fails_a_case_is_refused_naming_it(app, client, admin):  # noqa: F811
    wrong = TESTS.replace(
        '  - args: [["q"], 3]\n    expected: ["q"]', '  - args: [["q"], 3]\n    expected: ["z"]'
    )
    qid, response = post(client, app, wrong)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    page = page[page.find('id="tests_yaml-error"') :][:600]
    assert "Line 24: tests.hidden[4]: reference solution fails top_k([&#39;q&#39;], 3)" in page
    with app.app_context():
        assert len(db.session.get(Question, qid).versions) == 1


def test_preview_carries_the_examples_for_run_but_no_hidden_case(app, client, admin):  # noqa: F811
    qid, response = post(client, app, TESTS)
    assert response.status_code == 302
    page = client.get(f"{BASE}/questions/{qid}/preview").get_data(as_text=True)
    assert (
        'id="code-tests-preview-' in page
        and "top_k([&#39;a&#39;, &#39;b&#39;, &#39;a&#39;], 1)" in page
    )
    spec = page.split('id="code-tests-preview-', 1)[1].split(">", 1)[1].split("</script>", 1)[0]
    assert '"hidden_count": 5' in spec and '"q"' not in spec and "counts" not in spec
    assert "data-run-url" not in page  # nothing typed in a preview is posted
    # version 1 (no tests) previews without the Run section
    old = client.get(f"{BASE}/questions/{qid}/preview?version=1").get_data(as_text=True)
    assert "code-tests-preview" not in old
