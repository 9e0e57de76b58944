"""Live reload in a real browser: an edit shows up by itself, a mistake shows as an error page, a fix recovers."""

from __future__ import annotations

import pytest

from tests.conftest import FIXED_NOW, copy_site

RELOAD_TIMEOUT_MS = 3000  # the promise to editors: saved text is on screen within three seconds
MARK = b"milei_watch"


@pytest.fixture
def dev(tmp_path):
    """`serve` in-process on a free port for a fresh copy of the basic fixture."""
    from milei_watch.config import load_config
    from milei_watch.serve import DevServer

    root = copy_site(tmp_path / "project")
    server = DevServer(load_config(root), "127.0.0.1", 0, now=FIXED_NOW).start()
    yield server
    server.stop()


def _no_reload_script_on_disk(out_dir) -> None:
    for path in out_dir.rglob("*"):
        if path.is_file():
            assert MARK not in path.read_bytes(), f"{path} carries the dev server's reload script"


def test_edit_break_and_fix_reload_the_open_page(dev, page):
    from playwright.sync_api import expect

    article = dev.config.content_dir / "articles" / "china-russia.md"
    original = article.read_text("utf-8")
    page.goto(dev.url + "articles/china-russia-and-the-region/")
    expect(page.locator("h1")).to_have_text("China, Russia and the region")
    body = page.locator(".article .body")
    expect(body).to_contain_text("A contrast with leftist neighbours.")

    # An edit to the Markdown body shows without a manual reload.
    edited = original.replace("A contrast with leftist neighbours.", "Un contraste con los vecinos: ñandú.")
    article.write_text(edited, "utf-8")
    expect(body).to_contain_text("Un contraste con los vecinos: ñandú.", timeout=RELOAD_TIMEOUT_MS)

    # Broken front matter: the same tab shows the diagnostics, escaped, and the last good site stays on disk.
    on_disk = (dev.config.output_dir / "articles" / "china-russia-and-the-region" / "index.html").read_bytes()
    article.write_text(edited.replace("topics: [regional]", "topics: [regional"), "utf-8")
    errors = page.locator("#milei-watch-errors")
    expect(errors).to_contain_text("content/articles/china-russia.md:", timeout=RELOAD_TIMEOUT_MS)
    expect(errors).to_contain_text("error: invalid YAML")
    expect(page).to_have_title("Build failed · milei-watch")
    assert (dev.config.output_dir / "articles" / "china-russia-and-the-region" / "index.html").read_bytes() == on_disk

    # Fixed: the page recovers by itself, with the text as now written.
    article.write_text(edited.replace("A contrast", "Recovered"), "utf-8")
    expect(page.locator("h1")).to_have_text("China, Russia and the region", timeout=RELOAD_TIMEOUT_MS)
    expect(page.locator(".article .body")).to_contain_text("Un contraste con los vecinos: ñandú.")
    expect(page).to_have_title("China, Russia and the region · Fixture Watch")

    _no_reload_script_on_disk(dev.config.output_dir)


def test_template_edit_reloads_every_open_tab(dev, page):
    from playwright.sync_api import expect

    other = page.context.new_page()
    page.goto(dev.url)
    other.goto(dev.url + "about/")
    template = dev.config.templates_dir / "base.html"
    template.write_text(template.read_text("utf-8").replace("</footer>", "<p id=\"edited\">Editado</p></footer>", 1),
                        "utf-8")
    for tab in (page, other):
        expect(tab.locator("#edited")).to_have_text("Editado", timeout=RELOAD_TIMEOUT_MS)
    _no_reload_script_on_disk(dev.config.output_dir)
