"""SVG charts: accessible markup, escaping, scaling and empty states."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from app.domain.charts import Point, Series, bar_chart, line_chart, style_of

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_line_chart_is_labelled_image_with_title_and_desc():
    svg = line_chart("c1", [Series("Coding", (Point(T0, 50.0),))], "Scores", "One point at 50.")
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Scores"
    assert root.find(f"{SVG}desc").text == "One point at 50."


def test_points_scale_over_time_and_value():
    series = [Series("A", (Point(T0, 0.0), Point(T0 + timedelta(days=10), 100.0)))]
    svg = line_chart("c", series, "t", "d", width=640, height=280)
    (polyline,) = parse(svg).iter(f"{SVG}polyline")
    (x1, y1), (x2, y2) = [tuple(map(float, p.split(","))) for p in polyline.get("points").split()]
    assert x1 == 40 and x2 == 640 - 12  # first and last instants at the plot edges
    assert y1 > y2  # 0 is lower on the page than 100
    assert "2026-01-01" in svg and "2026-01-11" in svg


def test_single_instant_is_centred_and_values_clamped():
    svg = line_chart("c", [Series("A", (Point(T0, 150.0),))], "t", "d", width=640)
    circle = next(parse(svg).iter(f"{SVG}circle"))
    assert float(circle.get("cx")) == 40 + (640 - 40 - 12) / 2
    assert float(circle.get("cy")) == 12  # clamped to the top (100)


def test_text_is_escaped():
    svg = line_chart("c", [Series("<script>x</script>", (Point(T0, 1.0),))], "a & b", "<desc>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parse(svg)  # still well-formed XML
    bars = bar_chart("b", [("<b>", 2)], "t", "d")
    assert "<b>" not in bars and "&lt;b&gt;" in bars


def test_series_differ_by_marker_and_dash_as_well_as_colour():
    styles = [style_of(i) for i in range(4)]
    assert len({s["marker"] for s in styles}) == 4
    assert len({s["dash"] for s in styles}) == 4
    assert len({s["colour"] for s in styles}) == 4


def test_empty_charts_say_so():
    assert "No scored rounds yet" in line_chart("c", [], "t", "d")
    assert "Nothing yet" in bar_chart("b", [], "t", "d")
    parse(line_chart("c", [], "t", "d"))


def test_bar_widths_are_proportional():
    svg = bar_chart("b", [("one", 1), ("two", 2)], "t", "d", width=640, label_width=220)
    widths = [float(r.get("width")) for r in parse(svg).iter(f"{SVG}rect")]
    assert widths[1] == 2 * widths[0] == 640 - 220 - 48


def test_no_style_attributes_for_csp():
    svg = line_chart("c", [Series("A", (Point(T0, 1.0), Point(T0 + timedelta(1), 2.0)))], "t", "d")
    assert not re.search(r"\sstyle=", svg)


def test_long_bar_labels_are_shortened_with_full_text_in_title():
    label = "Technical phone (coding, prompt engineering)"
    svg = bar_chart("b", [(label, 1)], "t", "d", label_width=220)
    text = next(t for t in parse(svg).iter(f"{SVG}text") if t.find(f"{SVG}title") is not None)
    assert text.find(f"{SVG}title").text == label
    assert text.find(f"{SVG}title").tail.endswith("…") and len(text.find(f"{SVG}title").tail) == 31


def test_legend_has_one_row_per_series():
    series = [Series(f"Series {i}", (Point(T0, 10.0 * i),)) for i in range(3)]
    svg = line_chart("c", series, "t", "d", height=300)
    legend_y = sorted(
        float(t.get("y"))
        for t in parse(svg).iter(f"{SVG}text")
        if (t.text or "").startswith("Series")
    )
    assert len(set(legend_y)) == 3
