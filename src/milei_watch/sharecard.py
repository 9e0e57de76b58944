"""The share card: the 1200×630 PNG a page offers as og:image when it has no picture of its own,
drawn at build time from the wordmark, the site's name and description, and its address.

Drawn with Pillow from the theme's own fonts (FONTS, under templates/static/), so the card speaks
the site's typography; byte for byte the same for the same inputs: no metadata, fixed compression,
Pillow's basic text layout (never the optional Raqm library, which a machine may or may not have)."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

OUTPUT = "share-card.png"           # in each edition's folder: its own title and description
WIDTH, HEIGHT = 1200, 630
# The faces the card is set in, by their path in the built site: the serif for the name, the sans
# for the description and the address.
FONTS = ("static/fonts/source-serif-4-latin-700-normal.woff2", "static/fonts/inter-latin-500-normal.woff2")

_SCALE = 2                          # drawn at twice the size, then reduced: smooth shapes, no antialias needed
_INK = (16, 36, 62)                 # the masthead's navy
_SKY = (116, 172, 223)              # the accent rule and the mark: Argentina's light blue
_WHITE = (255, 255, 255)
_MIST = (214, 226, 240)
_MARGIN = 88


def output_key(context_key: str) -> str:
    """The card's key in the record of a site tree: this module's code, Pillow's version and its
    context (title, description, address, and the fonts' content digests), never the templates
    or the other settings, which it does not use: a template edit does not draw it again."""
    from .images import drawing_key

    return f"card:{drawing_key(__file__)}:{context_key}"


def draw(title: str, description: str, address: str, fonts: tuple[bytes | None, bytes | None]) -> bytes:
    """The card as PNG bytes. A font missing from the theme falls back to Pillow's own."""
    from PIL import Image, ImageDraw, ImageFont

    s = _SCALE
    image = Image.new("RGB", (WIDTH * s, HEIGHT * s), _INK)
    pen = ImageDraw.Draw(image)

    def face(data: bytes | None, size: int):
        if data is None:
            return ImageFont.load_default(size * s)
        return ImageFont.truetype(io.BytesIO(data), size * s, layout_engine=ImageFont.Layout.BASIC)

    pen.rectangle((0, 0, WIDTH * s, 14 * s), fill=_SKY)
    # The wordmark's emblem, as templates/base.html draws it: a rounded square holding a lens.
    x, y, size = _MARGIN, 96, 112
    pen.rounded_rectangle((x * s, y * s, (x + size) * s, (y + size) * s), radius=20 * s, fill=_SKY)
    centre, ring = (x + size / 2) * s, size * 0.30 * s
    pen.ellipse((centre - ring, (y + size / 2) * s - ring, centre + ring, (y + size / 2) * s + ring),
                outline=_INK, width=round(size * 0.09 * s))
    dot = size * 0.11 * s
    pen.ellipse((centre - dot, (y + size / 2) * s - dot, centre + dot, (y + size / 2) * s + dot), fill=_INK)

    width = (WIDTH - 2 * _MARGIN) * s
    top = y + size + 56
    for points in (88, 76, 64, 56):
        name = face(fonts[0], points)
        lines = _wrap(title, name, width, 2)
        if len(lines) == 1 or points == 56:
            break
    for line in lines:
        pen.text((_MARGIN * s, top * s), line, font=name, fill=_WHITE, anchor="lt")
        top += round(points * 1.12)
    body = face(fonts[1], 30)
    top += 22
    for line in _wrap(description, body, width, 6 - 2 * len(lines) if len(lines) > 1 else 3):
        pen.text((_MARGIN * s, top * s), line, font=body, fill=_MIST, anchor="lt")
        top += 42
    host = urlsplit(address).netloc + urlsplit(address).path.rstrip("/")
    pen.text((_MARGIN * s, (HEIGHT - 64) * s), host, font=face(fonts[1], 26), fill=_SKY, anchor="ls")

    card = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    card.save(buffer, "PNG", optimize=False, compress_level=9)
    return buffer.getvalue()


def _wrap(text: str, font, width: float, most: int) -> list[str]:
    """`text` in lines no wider than `width`, at most `most` of them, the last one cut with an ellipsis."""
    words = " ".join(text.split()).split(" ")
    lines: list[str] = []
    current = ""
    for index, word in enumerate(words):
        trial = f"{current} {word}".strip()
        if font.getlength(trial) <= width or not current:
            current = trial
            continue
        lines.append(current)
        current = word
        if len(lines) == most:
            lines[-1] = _cut(lines[-1] + " " + " ".join(words[index:]), font, width)
            return lines
    if current:
        lines.append(current)
    return lines


def _cut(text: str, font, width: float) -> str:
    """`text` shortened at a word to fit `width` with an ellipsis after it."""
    words = text.split(" ")
    while len(words) > 1 and font.getlength(" ".join(words) + "…") > width:
        words.pop()
    return " ".join(words).rstrip(",;:.") + "…"
