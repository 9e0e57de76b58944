"""Charts from data (issue 16, acceptance 2): a ```chart block draws an accessible SVG whose points
are the data's values, with the data as a table beneath; the archive shows articles per month per
topic; each bad chart block stops the build with the file and line, leaving site/ as it was."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from milei_watch.errors import BuildError
from tests.conftest import build_fixture, copy_site, snapshot

SVG = "{http://www.w3.org/2000/svg}"
ARTICLE = "articles/prices-reserves-and-pictures/index.html"
SOURCE = "content/articles/prices-and-pictures.md"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sites" / "pictures" / "content"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_site(tmp_path_factory.mktemp("charts") / "project", "pictures")
    build_fixture(root)
    return root / "site"


def _figures(page: str) -> list[str]:
    return re.findall(r'<figure class="graphic chart".*?</figure>', page, re.S)


def _svg(fragment: str) -> ElementTree.Element:
    return ElementTree.fromstring(re.search(r"<svg\b.*?</svg>", fragment, re.S)[0])


def _value_of_y(svg: ElementTree.Element):
    """The chart's own scale, read back from its tick labels: y coordinate → value."""
    ticks = [(float(t.get("y")), float(t.text.replace(",", ""))) for t in svg.iter(SVG + "text")
             if "tick" in (t.get("class") or "").split()]
    assert len(ticks) >= 3
    (y0, v0), (y1, v1) = ticks[0], ticks[-1]
    for y, v in ticks:  # the ticks themselves lie on one straight line
        assert abs(v0 + (y - y0) * (v1 - v0) / (y1 - y0) - v) < 1e-6
    return lambda y: v0 + (y - y0) * (v1 - v0) / (y1 - y0)


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((FIXTURE / "data" / name).read_text("utf-8"))))


def test_a_line_chart_draws_the_csv_values(built):
    line_chart = _figures((built / ARTICLE).read_text("utf-8"))[0]
    svg = _svg(line_chart)
    value = _value_of_y(svg)
    rows = _csv("inflation.csv")
    series = [g for g in svg.iter(SVG + "g") if "series" in (g.get("class") or "").split()]
    assert len(series) == 2, "one line per y column"
    for column, group in zip(("inflation", "core"), series):
        points = [c for c in group.iter(SVG + "circle")]
        assert len(points) == len(rows)
        xs = [float(p.get("cx")) for p in points]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
        for point, row in zip(points, rows):
            assert abs(value(float(point.get("cy"))) - float(row[column])) < 0.06, (column, row)
            assert point.find(SVG + "title").text == f"{column}, {row['month']}: {row[column]}%"
        line = group.find(SVG + "polyline").get("points").split()
        assert line == [f"{p.get('cx')},{p.get('cy')}" for p in points], "the line joins the points"


def test_a_bar_chart_draws_the_yaml_values_from_a_zero_line(built):
    svg = _svg(_figures((built / ARTICLE).read_text("utf-8"))[1])
    value = _value_of_y(svg)
    bars = [r for r in svg.iter(SVG + "rect") if r.get("class") == "bar"]
    expected = [3.1, -0.8, 1.4, 2.25]
    assert len(bars) == len(expected)
    zero = next(float(line.get("y1")) for line in svg.iter(SVG + "line") if line.get("class") == "axis")
    assert abs(value(zero)) < 1e-6
    for bar, number in zip(bars, expected):
        top, bottom = float(bar.get("y")), float(bar.get("y")) + float(bar.get("height"))
        far = top if number > 0 else bottom
        near = bottom if number > 0 else top
        assert abs(near - zero) < 0.11 and abs(value(far) - number) < 0.02, (number, top, bottom)


def test_a_chart_is_accessible_with_its_data_beneath(built):
    figure = _figures((built / ARTICLE).read_text("utf-8"))[0]
    svg = _svg(figure)
    assert svg.get("role") == "img"
    title, desc = svg.find(SVG + "title"), svg.find(SVG + "desc")
    assert svg.get("aria-labelledby") == title.get("id") and svg.get("aria-describedby") == desc.get("id")
    assert title.text == "Monthly inflation, January to June 2024"
    assert "Source: Fixture statistics office" in desc.text and "20.6%" in desc.text
    texts = [t.text for t in svg.iter(SVG + "text")]
    assert "Source: Fixture statistics office" in texts, "the source line is drawn"
    assert "month" in texts and "inflation, core (%)" in texts, "both axes are labelled, with the unit"
    assert "2024-01" in texts
    # dark mode: colours come from classes the stylesheet sets, text from currentColor
    assert svg.get("fill") == "currentColor"
    assert {g.get("class").split()[0] for g in svg.iter(SVG + "g")} >= {"s0", "s1"}
    table = re.search(r"<details><summary>The data</summary>(.*?)</details>", figure, re.S)[1]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>', table)
    assert rows == [(r["month"], r["inflation"] + "%", r["core"] + "%") for r in _csv("inflation.csv")]


def test_the_stylesheet_gives_charts_their_dark_colours():
    css = (Path(__file__).resolve().parents[2] / "templates" / "static" / "style.css").read_text("utf-8")
    dark = re.findall(r"@media \(prefers-color-scheme: dark\) \{\s*:root \{([^}]*)\}", css)
    assert any("--chart-0" in block for block in dark)
    assert re.search(r"\.graphic \.s0 \{[^}]*var\(--chart-0\)", css)


def test_the_archive_charts_articles_per_month_per_topic(built):
    page = (built / "archive" / "index.html").read_text("utf-8")
    figure = re.search(r'<figure class="graphic coverage-chart">.*?</figure>', page, re.S)[0]
    svg = _svg(figure)
    assert svg.find(SVG + "title").text == "Articles per month, by topic"
    value = _value_of_y(svg)
    # November 2025 (economy), January 2026 (diplomacy), February 2026 (economy and debt-imf)
    heights: dict[str, float] = {}
    for bar in svg.iter(SVG + "rect"):
        if bar.get("class") == "bar":
            label = bar.find(SVG + "title").text
            heights[label] = value(float(bar.get("y"))) - value(float(bar.get("y")) + float(bar.get("height")))
    assert {k: round(v, 6) for k, v in heights.items()} == {
        "Economy, Nov 2025: 1": 1, "Diplomacy, Jan 2026: 1": 1, "Economy, Feb 2026: 1": 1, "Debt & IMF, Feb 2026: 1": 1}
    assert "<th scope=\"row\">December 2025</th><td>0</td><td>0</td><td>0</td>" in figure, "empty months are shown"


def test_a_chart_in_spanish_uses_spanish_words_and_numbers(tmp_path):
    root = copy_site(tmp_path / "project", "pictures")
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("language: en", "language: es\nlocale: es_AR"), "utf-8")
    build_fixture(root)
    figure = _figures((root / "site" / ARTICLE).read_text("utf-8"))[0]
    assert "<summary>Los datos</summary>" in figure and "Fuente: Fixture statistics office" in figure
    assert "20,6%" in figure and "20.6%" not in figure


# --- bad chart blocks ---------------------------------------------------------------------------------

def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def _line(path: Path, needle: str) -> int:
    text = path.read_bytes().decode("utf-8", errors="replace")
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


DATA = "content/data/inflation.csv"
BAD_CHARTS = {
    "unknown y column": (lambda r: _replace(r / SOURCE, "y: [inflation, core]", "y: [inflation, cor]"),
                         SOURCE, "y: [inflation, cor]",
                         "the chart's y column 'cor' is not in content/data/inflation.csv"),
    "unknown x column": (lambda r: _replace(r / SOURCE, "x: month", "x: mes"),
                         SOURCE, "x: mes", "the chart's x column 'mes'"),
    "missing data file": (lambda r: _replace(r / SOURCE, "data: inflation.csv", "data: inflacion.csv"),
                          SOURCE, "data: inflacion.csv", "chart data not found: content/data/inflacion.csv"),
    "non-numeric value": (lambda r: _replace(r / DATA, "2024-03,11.0,9.4", "2024-03,n/a,9.4"),
                          DATA, "2024-03,n/a", "'n/a' in column 'inflation' is not a number"),
    "unreadable CSV": (lambda r: (r / DATA).write_bytes((r / DATA).read_bytes().replace(b"2024-05", b"2024-\xff5")),
                       DATA, "5,4.2,3.7", "not UTF-8"),
    "ragged CSV row": (lambda r: _replace(r / DATA, "2024-04,8.8,6.3", "2024-04,8.8"),
                       DATA, "2024-04,8.8", "this row has 2 values; the header has 3 columns"),
    "unknown chart type": (lambda r: _replace(r / SOURCE, "type: line", "type: pie"),
                           SOURCE, "type: pie", "unknown chart type 'pie'"),
    "unknown chart key": (lambda r: _replace(r / SOURCE, "type: line", "kind: line"),
                          SOURCE, "kind: line", "unknown chart key 'kind'"),
    "missing title": (lambda r: _replace(r / SOURCE, "title: Monthly inflation, January to June 2024\n", ""),
                      SOURCE, "```chart", "a chart needs 'title'"),
    "not closed": (lambda r: (r / SOURCE).write_text((r / SOURCE).read_text("utf-8") + "\n```chart\ndata: x.csv\n"),
                   SOURCE, "data: x.csv", "the chart block is not closed"),
    "data outside content/data": (lambda r: _replace(r / SOURCE, "data: inflation.csv", "data: ../site.yaml"),
                                  SOURCE, "data: ../site.yaml", "must be a .csv or .yaml file under content/data/"),
    "data over the size limit": (lambda r: (r / DATA).write_text(
        "month,inflation,core\n" + "2024-01,20.6,20.2\n" * 320_000, "utf-8"),
                                 SOURCE, "data: inflation.csv", "over the limit of 5 MB for chart data"),
    "YAML data not a table": (lambda r: (r / "content/data/reserves.yaml").write_text("change: 3\n", "utf-8"),
                              "content/data/reserves.yaml", "change: 3", "a list of rows"),
}


@pytest.mark.parametrize("name", sorted(BAD_CHARTS))
def test_each_bad_chart_block_stops_the_build_with_file_and_line_and_leaves_the_site(tmp_path, name):
    root = copy_site(tmp_path / "project", "pictures")
    build_fixture(root)
    before = snapshot(root / "site")
    breakage, path, where, message = BAD_CHARTS[name]
    breakage(root)
    with pytest.raises(BuildError) as raised:
        build_fixture(root)
    found = [d for d in raised.value.diagnostics if message in d.message]
    assert found, "\n".join(d.format() for d in raised.value.diagnostics)
    line = _line(root / path, where) if name != "not closed" else _line(root / path, "data: x.csv") - 1
    assert (found[0].location.path, found[0].location.line) == (path, line), found[0].format()
    assert snapshot(root / "site") == before, "a failed build changed site/"


def test_a_chart_data_error_names_the_article_that_draws_it(tmp_path):
    root = copy_site(tmp_path / "project", "pictures")
    BAD_CHARTS["non-numeric value"][0](root)
    with pytest.raises(BuildError) as raised:
        build_fixture(root)
    (problem,) = raised.value.diagnostics
    assert SOURCE in problem.hint


def test_a_fenced_chart_in_a_code_block_is_text(tmp_path):
    root = copy_site(tmp_path / "project", "pictures")
    (root / SOURCE).write_text((root / SOURCE).read_text("utf-8") +
                               "\n~~~~markdown\n```chart\ndata: nowhere.csv\n```\n~~~~\n", "utf-8")
    build_fixture(root)
    page = (root / "site" / ARTICLE).read_text("utf-8")
    assert "data: nowhere.csv" in page and len(_figures(page)) == 2
