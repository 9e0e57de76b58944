"""The parts of pictures and charts that need no build: addresses, the files a body may show, nice
axis values, the cache's round trip of a lead image, and Markdown without figures left as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from milei_watch import assets, figures, markup, model, state, svg

DOC = "content/articles/x.md"


@pytest.mark.parametrize("address, expected", [
    ("../images/a.jpg", "content/images/a.jpg"),
    ("../images/sub/b%20c.png", "content/images/sub/b c.png"),
    ("../images/a.jpg?v=2#top", "content/images/a.jpg"),
    ("../../content/images/a.jpg", "content/images/a.jpg"),
    ("images/a.jpg", None),                        # articles/images/a.jpg: not the images folder
    ("/images/a.jpg", None),                       # the site's own address, not a content file
    ("https://example.org/images/a.jpg", None),
    ("../images/../pages/about.md", None),
    ("", None),
])
def test_a_body_names_a_content_image_by_its_path_from_the_markdown_file(address, expected):
    assert assets.local_image(DOC, address) == expected


def test_a_lead_image_and_chart_data_are_named_inside_their_folders():
    assert assets.lead_image("a.jpg") == "content/images/a.jpg"
    assert assets.lead_image("2026/a.jpg") == "content/images/2026/a.jpg"
    for bad in ("../a.jpg", "/etc/passwd", "https://example.org/a.jpg", "c:/a.jpg", "."):
        assert assets.lead_image(bad) is None, bad
    assert assets.data_file("inflation.csv") == "content/data/inflation.csv"
    assert assets.data_file("series/x.yml") == "content/data/series/x.yml"
    for bad in ("../site.yaml", "x.txt", "/x.csv"):
        assert assets.data_file(bad) is None, bad


def test_the_files_a_body_may_show_are_found_however_they_are_written():
    body = """![a](../images/one.jpg "title") and ![b](<../images/two words.png>)

[ref]: ../images/three.webp
<img src="../images/four.gif" alt="raw">
Prose mentioning ../images/five.jpg. ![c](https://example.org/images/remote.jpg)

```chart
data: "inflation.csv"  # quoted
```

~~~
data: not-a-chart.csv
~~~
"""
    found = assets.references(DOC, body)
    assert found == tuple(sorted(found))
    assert {"content/data/inflation.csv", "content/images/five.jpg", "content/images/four.gif",
            "content/images/one.jpg", "content/images/three.webp", "content/images/two words.png"} <= set(found)
    assert not [rel for rel in found if "remote" in rel or "not-a-chart" in rel]
    assert assets.references(DOC, "Plain words about charts and images.") == ()


def test_a_chart_block_inside_another_code_block_is_text():
    lines = ["~~~~", "```chart", "data: x.csv", "```", "~~~~", "```chart", "data: y.csv", "```"]
    assert assets.chart_blocks(lines) == [(5, 7)]
    assert assets.chart_blocks(["```chart", "data: x.csv"]) == [(0, 2)], "not closed: to the end"


def test_axis_values_are_round_and_exact():
    assert svg.ticks(0.3, 20.6) == [Decimal(v) for v in ("0", "5", "10", "15", "20", "25")]
    assert svg.ticks(-0.8, 3.1)[0] <= Decimal("-0.8") and svg.ticks(-0.8, 3.1)[-1] >= Decimal("3.1")
    assert [str(t) for t in svg.ticks(0.1, 0.3)] == ["0.1", "0.15", "0.2", "0.25", "0.3"]
    assert svg.ticks(5, 5)[0] < 5 < svg.ticks(5, 5)[-1], "one value still gets an axis around it"


def test_numbers_keep_their_decimals_in_the_readers_locale():
    assert figures.number(Decimal("20.60"), "en") == "20.60"
    assert figures.number(Decimal("20.60"), "es_AR") == "20,60"
    assert figures.number(Decimal("1234567"), "es_AR") == "1.234.567"


def test_a_lead_image_survives_the_build_cache():
    image = model.LeadImage("a.jpg", "What it shows", "A caption", "A credit", 9)
    article = model.Article(
        source=DOC, slug="x", title="X", date=dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc), updated=None,
        topics=("economy",), summary="", tags=(), tag_names=(), author="desk", draft=False, kind="analysis",
        sources=(), takeaways=(), events=(), corrections=(), expires=None, digest="d", meta_digest="m",
        body_digest="b", image=image, body_assets=("content/images/b.png",))
    row = state._encode_article(article)
    assert state.decode_article(row, dt.timezone.utc) == article


def test_markdown_without_figures_is_what_it_was():
    """Without a figures object (ingest, tests of the policy) a chart block is code and an image an <img>."""
    html = markup.Renderer().render("![a](../images/a.jpg)\n\n```chart\ndata: x.csv\n```\n")
    assert '<img alt="a" src="../images/a.jpg">' in html
    assert '<code class="language-chart">data: x.csv' in html


def test_a_chart_draws_as_many_series_as_the_palette_has_colours():
    assert figures.MAX_SERIES == len(svg.PALETTE)
