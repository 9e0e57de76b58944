"""The front page and the section fronts, tag names, the archive index, draft pages and the share card,
read from built sites: what a reader and a crawler find, whatever the stylesheet does with it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import build_fixture, copy_site
from tests.support.pages import read_page
from tests.support.sites import built_site, html_files, shipped_site

ARTICLE_LINK = re.compile(r'<a href="((?:/es)?/articles/[^"#]+)"')


def _main(path: Path) -> str:
    html = path.read_text("utf-8")
    return html[html.index("<main"): html.index("</main>")]


def _published(site: Path, prefix: str = "") -> set[str]:
    """Every listed article of an edition, from its archive's month pages."""
    found: set[str] = set()
    for month in (site / prefix / "archive").glob("*/*/index.html"):
        found.update(re.findall(r'class="card-title"><a href="([^"]+)"', month.read_text("utf-8")))
    return found


@pytest.fixture(scope="module")
def basic() -> Path:
    return built_site("basic")


@pytest.mark.parametrize("name, prefix", [("basic", ""), ("newsroom", ""), ("shipped", ""), ("shipped", "es/")])
def test_the_home_page_links_each_article_once_and_a_small_site_shows_them_all(name, prefix):
    site = shipped_site() if name == "shipped" else built_site(name)
    links = ARTICLE_LINK.findall(_main(site / prefix / "index.html"))
    assert links and len(links) == len(set(links)), links
    if name != "newsroom":  # a small site: lead, start here, latest and the sections hold every article
        assert set(links) == _published(site, prefix)


def test_the_lead_is_the_newest_featured_article_and_start_here_the_one_site_yaml_names(basic):
    main = _main(basic / "index.html")
    assert main.count('class="card card-lead"') == 1
    lead = re.search(r'<section class="front-lead".*?</section>', main, re.S)[0]
    assert ARTICLE_LINK.findall(lead) == ["/articles/el-ajuste-fiscal-de-milei-ano-uno/"]   # featured, not newest
    start = re.search(r'<section class="start-here".*?</section>', main, re.S)[0]
    assert ARTICLE_LINK.findall(start) == ["/articles/deuda-y-fmi/"]
    latest = re.search(r'<section class="latest".*?</section>', main, re.S)[0]
    assert ARTICLE_LINK.findall(latest) == ["/articles/china-russia-and-the-region/"]      # home_latest: 1


def test_without_a_featured_article_the_newest_leads_and_each_section_takes_what_is_left(tmp_path):
    root = copy_site(tmp_path / "project")
    article = root / "content" / "articles" / "ajuste-fiscal.md"
    article.write_text(article.read_text("utf-8").replace("featured: true\n", ""), "utf-8")
    build_fixture(root)
    main = _main(root / "site" / "index.html")
    lead = re.search(r'<section class="front-lead".*?</section>', main, re.S)[0]
    assert ARTICLE_LINK.findall(lead) == ["/articles/china-russia-and-the-region/"]
    sections = dict(re.findall(r'<section class="front-section" aria-labelledby="topic-([a-z-]+)">(.*?)</section>',
                               main, re.S))
    assert list(sections) == ["economy", "debt-imf", "diplomacy", "regional"]
    assert ARTICLE_LINK.findall(sections["economy"]) == ["/articles/el-ajuste-fiscal-de-milei-ano-uno/"]
    assert ARTICLE_LINK.findall(sections["regional"]) == []   # its one article is the lead
    assert '<a href="/topics/regional/">Regional dynamics: 1 article</a>' in sections["regional"]


def test_the_shipped_editions_lead_with_the_featured_article_and_its_translation():
    site = shipped_site()
    for prefix, lead, start in (("", "/articles/ajuste-and-privatizacion/", "/articles/start-here/"),
                                ("es/", "/es/articles/ajuste-y-privatizacion/", "/es/articles/para-empezar/")):
        main = _main(site / prefix / "index.html")
        assert ARTICLE_LINK.findall(re.search(r'<section class="front-lead".*?</section>', main, re.S)[0]) == [lead]
        assert ARTICLE_LINK.findall(re.search(r'<section class="start-here".*?</section>', main, re.S)[0]) == [start]


def test_news_shows_its_time_and_only_news_opinion_and_explainers_are_labelled(basic):
    main = _main(basic / "index.html")
    assert '<time datetime="2026-01-25T18:00:00-03:00">25 January 2026, 6:00\u202fPM</time>' in main
    assert '<time datetime="2026-01-10T00:00:00-03:00">10 January 2026</time>' in main   # analysis: the day
    assert "label-analysis" not in main and "label-news" in main and "label-explainer" in main


def test_a_topic_page_is_a_section_front_with_its_timeline_only_when_it_has_events(basic):
    economy = _main(basic / "topics" / "economy" / "index.html")
    assert economy.count('class="card card-lead"') == 1
    preview = re.search(r'<section class="timeline-preview".*?</section>', economy, re.S)[0]
    assert "Milei takes office" in preview and 'href="/topics/economy/timeline/"' in preview
    regional = _main(basic / "topics" / "regional" / "index.html")
    assert "timeline-preview" not in regional and "/topics/regional/timeline/" not in regional
    assert 'class="card card-lead"' in regional


def test_tags_show_their_names_and_keep_their_slugs_in_addresses(basic):
    html = (basic / "articles" / "deuda-y-fmi" / "index.html").read_text("utf-8")
    assert '<a href="/tags/imf/">IMF</a>' in html and '<a href="/tags/austerity/">Austerity</a>' in html
    assert read_page(basic / "tags" / "imf" / "index.html").h1 == ["Tagged “IMF”"]
    assert '<a href="/tags/privatizacion/">Privatización</a>' in (basic / "tags" / "index.html").read_text("utf-8")


def test_the_archive_index_lists_the_articles_under_their_months(basic):
    main = _main(basic / "archive" / "index.html")
    january = re.search(r'<section class="archive-month" aria-labelledby="month-2026-1">.*?</section>', main, re.S)[0]
    assert '<a href="/archive/2026/01/">January 2026</a>' in january
    assert ARTICLE_LINK.findall(january) == ["/articles/meetings-at-the-state-department/", "/articles/deuda-y-fmi/",
                                             "/articles/el-ajuste-fiscal-de-milei-ano-uno/"]


def test_the_article_has_a_contents_rail_notes_apart_from_sources_and_plain_share_links(basic):
    page = basic / "articles" / "el-ajuste-fiscal-de-milei-ano-uno" / "index.html"
    html = page.read_text("utf-8")
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S)[0]
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc) == [("the-plan", "The plan"), ("article-notes", "Notes"),
                                                                 ("sources", "Sources")]
    assert '<h2 id="article-notes">Notes</h2>' in html and '<ol class="source-list">' in html
    share = re.search(r'<ul class="share-links".*?</ul>', html, re.S)[0]
    hosts = re.findall(r'href="(mailto:|https://[^/]+/)', share)
    assert hosts == ["mailto:", "https://wa.me/", "https://x.com/", "https://bsky.app/"]
    assert "El%20ajuste%20fiscal%20de%20Milei" in share and "https%3A//fixture.example.org/articles/" in share
    assert [s for s in read_page(page).scripts if s.get("type") != "application/ld+json"] == []


def test_draft_pages_say_so_and_ask_not_to_be_indexed(tmp_path):
    root = copy_site(tmp_path / "project")
    build_fixture(root, drafts=True)
    draft = read_page(root / "site" / "articles" / "draft-notes" / "index.html")
    assert draft.meta("robots") == ["noindex"]
    assert '<p class="draft-banner" role="note"><strong>Draft — not published</strong>' in \
        (root / "site" / "articles" / "draft-notes" / "index.html").read_text("utf-8")
    published = read_page(root / "site" / "articles" / "deuda-y-fmi" / "index.html")
    assert published.meta("robots") == [] and "draft-banner" not in \
        (root / "site" / "articles" / "deuda-y-fmi" / "index.html").read_text("utf-8")


# --- The share card ---------------------------------------------------------------------------------------

def test_the_share_card_is_a_1200_by_630_png_with_no_metadata_in_each_edition():
    from PIL import Image

    site = shipped_site()
    for card in (site / "share-card.png", site / "es" / "share-card.png"):
        with Image.open(card) as image:
            assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "RGB")
            assert not {"exif", "icc_profile", "XML:com.adobe.xmp"} & set(image.info)
            assert not getattr(image, "text", {})  # no tEXt, zTXt or iTXt chunks: no dates, no software name
    assert (site / "share-card.png").read_bytes() != (site / "es" / "share-card.png").read_bytes()
    for path in html_files(site):
        image = read_page(path).one_meta("og:image")
        expected = "es/share-card.png" if path.relative_to(site).parts[0] == "es" else "share-card.png"
        assert image == "https://milei-watch.example.org/" + expected, path


def test_the_share_card_is_drawn_again_only_when_what_it_shows_changes(tmp_path, monkeypatch):
    from milei_watch import sharecard

    drawn = []
    draw = sharecard.draw
    monkeypatch.setattr(sharecard, "draw", lambda *args: drawn.append(args[0]) or draw(*args))
    root = copy_site(tmp_path / "project")
    build_fixture(root)
    assert drawn == ["Fixture Watch"]
    card = (root / "site" / "share-card.png").read_bytes()
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("per_page: 2", "per_page: 3"), "utf-8")
    assert "share-card.png" not in build_fixture(root).written          # a setting the card does not show
    base = root / "templates" / "base.html"
    base.write_text(base.read_text("utf-8") + "{# an edit #}\n", "utf-8")
    assert build_fixture(root).rendered > 0 and drawn == ["Fixture Watch"]  # nor a template: not drawn
    config.write_text(config.read_text("utf-8").replace("title: Fixture Watch", "title: Fixture Weekly"), "utf-8")
    assert "share-card.png" in build_fixture(root).written
    renamed = (root / "site" / "share-card.png").read_bytes()
    fonts = root / "templates" / "static" / "fonts"
    shutil.copyfile(fonts / "source-serif-4-latin-400-normal.woff2", fonts / "source-serif-4-latin-700-normal.woff2")
    assert "share-card.png" in build_fixture(root).written              # its font changed
    assert len({card, renamed, (root / "site" / "share-card.png").read_bytes()}) == 3


def test_check_warns_of_a_start_here_that_names_no_article_and_a_build_shows_no_such_slot(tmp_path):
    from milei_watch.check import check
    from milei_watch.config import load_config

    root = copy_site(tmp_path / "project")
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("start_here: deuda-y-fmi", "start_here: deuda-y-fm"), "utf-8")
    warnings = [d.format() for d in check(load_config(root)).diagnostics if d.severity == "warning"]
    assert "content/site.yaml: warning: start_here names no article: 'deuda-y-fm'\n" \
           "    hint: did you mean 'deuda-y-fmi'?" in warnings
    build_fixture(root)
    assert "start-here" not in _main(root / "site" / "index.html")


def test_a_mistake_in_tags_yaml_stops_the_build_at_its_line(tmp_path):
    from milei_watch.errors import BuildError

    root = copy_site(tmp_path / "project")
    (root / "content" / "tags.yaml").write_text("imf: IMF\nState Dept: x\n", "utf-8")
    with pytest.raises(BuildError) as failure:
        build_fixture(root)
    assert [d.format().splitlines()[0] for d in failure.value.diagnostics] == [
        "content/tags.yaml:2: error: 'State Dept' is not a tag slug"]
    assert not (root / "site").exists()
