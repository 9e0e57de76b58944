"""Pictures (issue 16, acceptance 1): lead and body images become responsive <picture> elements with
WebP sizes and a fallback, width and height; no output image keeps its metadata; an edited image is
drawn again and an untouched one is not; each kind of bad image stops the build with its file and
line and leaves site/ as it was; after any sequence of image edits an incremental build equals a
clean one.

The fixture site `pictures` carries drawings made by tests/support/pictures.py, with camera EXIF
(a GPS position, a serial number) that the build must never publish.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from milei_watch import images
from milei_watch.errors import BuildError
from tests.conftest import FIXED_NOW, build_fixture, copy_site, snapshot
from tests.support import pictures

ARTICLE = "articles/prices-reserves-and-pictures/index.html"
SMALL = "articles/a-small-picture-never-enlarged/index.html"
LEAD = "content/articles/prices-and-pictures.md"
METADATA_KEYS = {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "Author", "Location", "dpi"}


class _Pictures(HTMLParser):
    """Every <picture> of a page: its <source> elements and its <img>, as attribute dictionaries."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []
        self.meta: dict[str, str] = {}
        self._open: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "picture":
            self._open = {"sources": [], "img": None}
        elif tag == "source" and self._open is not None:
            self._open["sources"].append(values)
        elif tag == "img" and self._open is not None:
            self._open["img"] = values
        elif tag == "meta" and values.get("property", "").startswith("og:image"):
            self.meta[values["property"]] = values.get("content", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "picture" and self._open is not None:
            self.found.append(self._open)
            self._open = None


def _pictures(page: Path) -> _Pictures:
    reader = _Pictures()
    reader.feed(page.read_text("utf-8"))
    return reader


def _srcset(value: str) -> list[tuple[str, int]]:
    return [(item.split()[0], int(item.split()[1][:-1])) for item in value.split(",")]


def _site_file(site: Path, url: str) -> Path:
    assert url.startswith("/images/"), url
    return site / url.lstrip("/")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_site(tmp_path_factory.mktemp("pictures") / "project", "pictures")
    build_fixture(root)
    return root / "site"


def test_lead_and_body_images_are_pictures_with_webp_sizes_a_fallback_and_dimensions(built):
    found = _pictures(built / ARTICLE).found
    assert len(found) == 2, "the lead image and the body image"
    for picture in found:
        (source,) = picture["sources"]
        img = picture["img"]
        assert source["type"] == "image/webp" and source["sizes"]
        sizes = _srcset(source["srcset"])
        assert [w for _url, w in sizes] == sorted(w for _url, w in sizes) and len(sizes) >= 2
        for url, width in sizes:
            with Image.open(_site_file(built, url)) as file:
                assert file.format == "WEBP" and file.width == width
        fallback = _site_file(built, img["src"])
        with Image.open(fallback) as file:
            assert file.format in ("JPEG", "PNG")
            assert (file.width, file.height) == (int(img["width"]), int(img["height"]))
        assert img["alt"]
    lead, body = found
    assert lead["img"].get("fetchpriority") == "high" and "loading" not in lead["img"]
    assert body["img"].get("loading") == "lazy" and "fetchpriority" not in body["img"]
    assert lead["img"]["src"].endswith(".jpg"), "an opaque picture falls back to JPEG"
    assert body["img"]["src"].endswith(".png"), "a picture with transparency falls back to PNG"


def test_an_image_hosted_elsewhere_stays_as_written(built):
    page = (built / "articles" / "plain-text-only" / "index.html").read_text("utf-8")
    assert '<img alt="A remote chart" src="https://pictures.example.org/remote.png">' in page


def test_the_lead_image_is_the_share_image_cropped_to_1200_by_630(built):
    meta = _pictures(built / ARTICLE).meta
    url = meta["og:image"]
    assert url.startswith("https://pictures.example.org/images/") and url.endswith("-share.jpg")
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    with Image.open(built / url.removeprefix("https://pictures.example.org/")) as file:
        assert file.size == (1200, 630) and file.format == "JPEG"
    page = (built / ARTICLE).read_text("utf-8")
    assert '"image": "https://pictures.example.org/images/' in page or \
        '"image":"https://pictures.example.org/images/' in page, "JSON-LD names the same picture"


def test_orientation_is_applied_and_small_images_are_never_enlarged(built):
    lead = _pictures(built / ARTICLE).found[0]
    # Stored 1,200 × 1,800 with EXIF orientation 6: upright it is 1,800 × 1,200, landscape.
    assert int(lead["img"]["width"]) > int(lead["img"]["height"])
    assert max(w for _url, w in _srcset(lead["sources"][0]["srcset"])) == images.WIDTHS[-1]
    (small,) = _pictures(built / SMALL).found
    assert _srcset(small["sources"][0]["srcset"]) == [(small["sources"][0]["srcset"].split()[0], 300)]
    assert (small["img"]["width"], small["img"]["height"]) == ("300", "400")


def test_the_fixture_images_carry_gps_and_a_serial_number():
    """The premise of the next test: what the build must strip is really there."""
    folder = Path(__file__).resolve().parents[1] / "fixtures" / "sites" / "pictures" / "content" / "images"
    for name in pictures.FIXTURE_IMAGES:
        with Image.open(folder / name) as file:
            exif = file.getexif()
            assert exif.get_ifd(0x8825), f"{name} has no GPS position"
            assert exif.get_ifd(0x8769).get(0xA431) == pictures.SERIAL, name


def test_no_output_image_carries_metadata(built):
    files = sorted((built / "images").iterdir())
    assert len(files) >= 10
    for path in files:
        data = path.read_bytes()
        assert pictures.SERIAL.encode() not in data and pictures.MAKE.encode() not in data, path.name
        assert b"Exif" not in data and b"Plaza de Mayo" not in data and b"fixture comment" not in data, path.name
        with Image.open(path) as file:
            assert len(file.getexif()) == 0, f"{path.name} has EXIF"
            assert not METADATA_KEYS & set(file.info), f"{path.name} keeps {METADATA_KEYS & set(file.info)}"


def test_feeds_carry_pictures_with_absolute_addresses(built):
    feed = (built / "feed.xml").read_text("utf-8")
    assert "srcset=&#34;https://pictures.example.org/images/" in feed or \
        "srcset=&quot;https://pictures.example.org/images/" in feed
    assert "srcset=&#34;/images/" not in feed and "srcset=&quot;/images/" not in feed


def test_two_clean_builds_are_byte_identical(tmp_path):
    first = copy_site(tmp_path / "one", "pictures")
    second = copy_site(tmp_path / "two", "pictures")
    build_fixture(first, full=True)
    build_fixture(second, full=True)
    assert snapshot(first / "site") == snapshot(second / "site")


# --- incremental: an image is drawn when its bytes change, and only then ------------------------------

def _image_files(report) -> list[str]:
    return sorted(rel for rel in report.written if rel.startswith("images/"))


def test_an_edited_image_is_drawn_again_and_an_untouched_one_is_not(tmp_path):
    root = copy_site(tmp_path / "project", "pictures")
    first = build_fixture(root)
    assert first.images == 13  # 6 of the lead (5 sizes and the share crop), 4 of the body image, 3 of the small one
    site = root / "site"
    lead_files = {p.name: p.stat().st_ino for p in (site / "images").iterdir() if p.name.startswith(
        images.output(_digest(root, "congress-at-night.jpg"), "")[len("images/"):])}

    again = build_fixture(root)
    assert again.images == 0 and again.written == ()

    time.sleep(0.01)
    os.utime(root / "content" / "images" / "reserves-sketch.png")  # touched, bytes unchanged
    touched = build_fixture(root)
    assert touched.images == 0 and touched.written == ()

    (root / "content" / "images" / "reserves-sketch.png").write_bytes(pictures.png(900, 600, seed=11))
    edited = build_fixture(root)
    new_digest = _digest(root, "reserves-sketch.png")
    assert edited.images == 4, "the edited image's three WebP sizes and its PNG fallback, nothing else"
    assert _image_files(edited) == sorted(images.output(new_digest, v) for v in ("480.webp", "800.webp",
                                                                                 "900.webp", "900.png"))
    assert ARTICLE in edited.written
    assert SMALL not in edited.written
    assert len([rel for rel in edited.removed if rel.startswith("images/")]) == 4, "the old files are gone"
    after = {p.name: p.stat().st_ino for p in (site / "images").iterdir() if p.name in lead_files}
    assert after == lead_files, "the lead image's files are the same files, never rewritten"


def _digest(root: Path, name: str) -> str:
    from milei_watch.sources import hash_bytes

    return hash_bytes((root / "content" / "images" / name).read_bytes())


# --- bad images: a clear error with the file and line, and site/ untouched --------------------------

def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").split("\n"), 1) if needle in line)


BAD_IMAGES = {
    "missing file": (lambda r: _replace(r / LEAD, "src: congress-at-night.jpg", "src: congress-at-noon.jpg"),
                     LEAD, "src: congress-at-noon.jpg", "image not found: content/images/congress-at-noon.jpg"),
    "missing alt": (lambda r: _replace(r / LEAD, "  alt: An abstract drawing of overlapping coloured discs on a "
                                                 "blue gradient\n", ""),
                    LEAD, "image:", "the image needs 'alt'"),
    "empty alt in a body": (lambda r: _replace(r / LEAD, "![A sketch of bars rising and falling, in a rounded frame]",
                                               "![]"),
                            LEAD, "](../images/reserves-sketch.png", "has no description (alt text)"),
    "missing body image": (lambda r: _replace(r / LEAD, "../images/reserves-sketch.png", "../images/reserve.png"),
                           LEAD, "../images/reserve.png", "image not found: content/images/reserve.png"),
    "raw HTML image": (lambda r: _replace(r / LEAD, "A sketch of the reserves", '<img src="../images/small-portrait'
                                          '.jpg" alt="x">\n\nA sketch of the reserves'),
                       LEAD, '<img src="../images/small-portrait.jpg"', "is written as HTML"),
    "not an image": (lambda r: (r / "content" / "images" / "congress-at-night.jpg").write_bytes(
        b"%PDF-1.4 this is not a picture\n" * 40), LEAD, "src: congress-at-night.jpg", "is not an image"),
    "decompression bomb": (lambda r: (r / "content" / "images" / "congress-at-night.jpg").write_bytes(
        pictures.png_header(20_000, 20_000)), LEAD, "src: congress-at-night.jpg", "decompression bomb"),
    "too many pixels": (lambda r: (r / "content" / "images" / "congress-at-night.jpg").write_bytes(
        pictures.png_header(9_000, 5_000)), LEAD, "src: congress-at-night.jpg", "over the limit of 40 megapixels"),
    "too many bytes": (lambda r: (r / "content" / "images" / "congress-at-night.jpg").write_bytes(
        pictures.jpeg(300, 200) + b"\0" * (images.MAX_BYTES + 1)), LEAD, "src: congress-at-night.jpg",
        "over the limit of 10 MB"),
    "src outside content/images": (lambda r: _replace(r / LEAD, "src: congress-at-night.jpg",
                                                      "src: ../pages/about.md"),
                                   LEAD, "src: ../pages/about.md", "is not a file under content/images/"),
}


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_each_bad_image_stops_the_build_with_file_and_line_and_leaves_the_site(tmp_path, name):
    root = copy_site(tmp_path / "project", "pictures")
    build_fixture(root)
    before = snapshot(root / "site")
    breakage, path, where, message = BAD_IMAGES[name]
    breakage(root)
    with pytest.raises(BuildError) as raised:
        build_fixture(root)
    line = _line_of(root / path, where)
    matching = [d for d in raised.value.diagnostics if message in d.message]
    assert matching, "\n".join(d.format() for d in raised.value.diagnostics)
    assert (matching[0].location.path, matching[0].location.line) == (path, line), matching[0].format()
    assert snapshot(root / "site") == before, "a failed build changed site/"


def test_a_truncated_image_names_its_file_and_leaves_the_site(tmp_path):
    root = copy_site(tmp_path / "project", "pictures")
    build_fixture(root)
    before = snapshot(root / "site")
    photo = root / "content" / "images" / "small-portrait.jpg"
    photo.write_bytes(pictures.jpeg(640, 480, seed=9)[:4000])  # its header is whole, its pixels are not
    with pytest.raises(BuildError) as raised:
        build_fixture(root)
    assert any(d.location.path == "content/images/small-portrait.jpg" and "cannot be decoded" in d.message
               for d in raised.value.diagnostics), raised.value
    assert snapshot(root / "site") == before


# --- a sequence of image edits: incremental equals clean after each ------------------------------------

def _clean(root: Path, scratch: Path) -> dict[str, bytes]:
    fresh = scratch / "clean"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    shutil.copytree(root / "content", fresh / "content")
    shutil.copytree(root / "templates", fresh / "templates")
    build_fixture(fresh, full=True)
    return snapshot(fresh / "site")


PLAIN = "content/articles/plain-text.md"
SMALL_SOURCE = "content/articles/small-picture.md"
STEPS = [
    ("a lead image added", lambda r: _replace(r / PLAIN, "events:", "image:\n  src: small-portrait.jpg\n"
                                                                    "  alt: The small drawing again\nevents:")),
    ("an image's bytes edited", lambda r: (r / "content/images/small-portrait.jpg").write_bytes(
        pictures.jpeg(320, 400, seed=21))),
    ("an image touched", lambda r: os.utime(r / "content/images/small-portrait.jpg")),
    ("a body image added", lambda r: (r / PLAIN).write_text((r / PLAIN).read_text("utf-8") +
                                                            "\n![The sketch again](../images/reserves-sketch.png)\n")),
    ("a body image's bytes edited", lambda r: (r / "content/images/reserves-sketch.png").write_bytes(
        pictures.png(700, 500, seed=22))),
    ("a body edited beside a picture", lambda r: (r / LEAD).write_text((r / LEAD).read_text("utf-8") +
                                                                       "\nOne more sentence.\n")),
    ("chart data edited", lambda r: _replace(r / "content/data/inflation.csv", "2024-06,4.6,3.7", "2024-06,4.1,3.5")),
    ("alt text edited", lambda r: _replace(r / SMALL_SOURCE, "alt: A small abstract drawing of discs",
                                           "alt: A small drawing of coloured discs")),
    ("an image renamed", lambda r: (
        (r / "content/images/small-portrait.jpg").rename(r / "content/images/portrait.jpg"),
        _replace(r / SMALL_SOURCE, "src: small-portrait.jpg", "src: portrait.jpg"),
        _replace(r / PLAIN, "src: small-portrait.jpg", "src: portrait.jpg"))),
    ("a lead image removed", lambda r: _replace(r / PLAIN, "image:\n  src: portrait.jpg\n"
                                                           "  alt: The small drawing again\n", "")),
    ("an unused image added", lambda r: (r / "content/images/spare.jpg").write_bytes(pictures.jpeg(640, 400, seed=23))),
    ("an image the lead points at swapped",
     lambda r: _replace(r / SMALL_SOURCE, "src: portrait.jpg", "src: spare.jpg")),
]


UNSEEN = ("an image touched", "an image renamed", "an unused image added")


def test_incremental_build_equals_clean_build_after_each_image_edit(tmp_path):
    root = copy_site(tmp_path / "project", "pictures")
    old = time.time() - 3600  # checked out an hour ago: stats are trusted
    for path in (root / "content").rglob("*"):
        os.utime(path, (old, old))
    build_fixture(root)
    for name, edit in STEPS:
        edit(root)
        report = build_fixture(root, now=FIXED_NOW)
        incremental = snapshot(root / "site")
        clean = _clean(root, tmp_path)
        assert sorted(incremental) == sorted(clean), f"after {name}: different files"
        differ = [rel for rel in clean if clean[rel] != incremental[rel]]
        assert not differ, f"after {name}: {differ} differ from a clean build"
        if name in UNSEEN:  # the site shows an image by its bytes, never by its file's name or time
            assert report.images == 0 and not report.written, f"after {name}: the site changed"
        else:
            assert report.written or report.removed, f"after {name}: nothing changed"


def test_a_body_edit_in_an_article_with_pictures_takes_the_narrow_path(tmp_path):
    root = copy_site(tmp_path / "project", "pictures")
    old = time.time() - 3600
    for path in (root / "content").rglob("*"):
        os.utime(path, (old, old))
    build_fixture(root)
    (root / LEAD).write_text((root / LEAD).read_text("utf-8") + "\nA sentence added later.\n", "utf-8")
    report = build_fixture(root)
    assert report.mode == "bodies" and report.images == 0
    assert ARTICLE in report.written
    assert snapshot(root / "site") == _clean(root, tmp_path)


def test_image_limits_are_what_the_readme_says():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    assert f"{images.MAX_BYTES // 1048576} MB" in readme and f"{images.MAX_PIXELS // 1_000_000} megapixels" in readme


def test_an_image_file_is_the_same_bytes_from_any_process():
    data = pictures.jpeg(1000, 700, seed=31, orientation=8)
    facts = images.check(data, "d" * 32)
    assert isinstance(facts, images.Facts) and (facts.width, facts.height) == (1000, 700)
    outputs = [images.render(data, facts.digest, "800.webp", images.Decoded()) for _ in range(2)]
    assert outputs[0] == outputs[1]
    with Image.open(io.BytesIO(outputs[0])) as file:
        assert file.size == (800, 560)
