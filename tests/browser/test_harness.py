"""Prove the test harness works: vnu, served pages in Chromium, axe."""

from __future__ import annotations

from pathlib import Path

from tests.support.axe import describe, run_axe
from tests.support.server import serve_directory
from tests.support.vnu import validate_css, validate_html

VALID = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Harness</title></head>'
    "<body><main><h1>Milei watch</h1><p>Hello.</p></main></body></html>"
)
INVALID = "<!DOCTYPE html><html><head><title>x</title></head><body><div><span></div><blink>x</blink></body></html>"
IMG_NO_ALT = VALID.replace("<p>Hello.</p>", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">')


def write(path: Path, text: str) -> Path:
    """Write text to path and return it."""
    path.write_text(text, encoding="utf-8")
    return path


def test_vnu_accepts_valid_and_reports_invalid(tmp_path):
    good = write(tmp_path / "good.html", VALID)
    bad = write(tmp_path / "bad.html", INVALID)
    assert validate_html([good]) == []
    errors = validate_html([good, bad])
    assert errors and all(e.startswith(f"{bad}:1:") for e in errors), errors
    assert any("span" in e for e in errors)


def test_vnu_css(tmp_path):
    assert validate_css([write(tmp_path / "ok.css", "a { color: red; }\n")]) == []
    assert "colr" in " ".join(validate_css([write(tmp_path / "bad.css", "a { colr: red; }\n")]))


def test_chromium_reads_served_heading(tmp_path, page, screenshots_dir):
    write(tmp_path / "index.html", VALID)
    with serve_directory(tmp_path) as base_url:
        response = page.goto(base_url)
        assert response is not None and response.status == 200
        assert page.locator("h1").inner_text() == "Milei watch"
        page.screenshot(path=str(screenshots_dir / "harness.png"))
    assert (screenshots_dir / "harness.png").stat().st_size > 0


def test_axe_flags_missing_alt_only(tmp_path, page):
    write(tmp_path / "clean.html", VALID)
    write(tmp_path / "img.html", IMG_NO_ALT)
    with serve_directory(tmp_path) as base_url:
        page.goto(base_url + "clean.html")
        assert run_axe(page) == [], describe(run_axe(page))
        page.goto(base_url + "img.html")
        violations = run_axe(page)
    assert "image-alt" in {v["id"] for v in violations}, describe(violations)
