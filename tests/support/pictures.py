"""Test images made with Pillow: abstract drawings (never photographs) that carry the metadata a
camera writes, GPS position and serial number included, so that tests can prove the build strips it.

`python -m tests.support.pictures DIR` writes the images of the pictures fixture site into DIR; the
tests also call these functions to make images of their own (edited, broken, too large).
"""

from __future__ import annotations

import io
import struct
import sys
import zlib
from pathlib import Path

# Where the drawings say they were taken: the Plaza de Mayo, Buenos Aires (34°36'29"S, 58°22'19"W).
GPS = {1: "S", 2: (34.0, 36.0, 29.0), 3: "W", 4: (58.0, 22.0, 19.0)}
SERIAL = "MW-TEST-SERIAL-0042"
MAKE, MODEL = "Fixture Camera Co.", "FX-1"
_GPS_IFD, _EXIF_IFD = 0x8825, 0x8769
_ORIENTATION, _SERIAL_TAG = 0x0112, 0xA431


def camera_exif(orientation: int = 1):
    """EXIF as a camera writes it: make, model, orientation, the body's serial number and a GPS position."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = MAKE
    exif[0x0110] = MODEL
    exif[_ORIENTATION] = orientation
    exif[_GPS_IFD] = GPS
    exif.get_ifd(_EXIF_IFD)[_SERIAL_TAG] = SERIAL
    return exif


def drawing(width: int, height: int, seed: int = 1, alpha: bool = False):
    """A deterministic abstract picture: a diagonal gradient with overlapping translucent discs."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((width, height)).rotate(30, expand=False)
    image = Image.merge("RGB", (base, base.point(lambda v: 255 - v), Image.new("L", (width, height), 120 + seed % 100)))
    if alpha:
        image = image.convert("RGBA")
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    for _ in range(24):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(max(8, width // 20), max(16, width // 5))
        pen.ellipse((x - r, y - r, x + r, y + r),
                    fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256), 150))
    image = Image.alpha_composite(image.convert("RGBA"), layer)
    if alpha:  # a transparent frame around the drawing
        mask = Image.new("L", (width, height), 0)
        ImageDraw.Draw(mask).rounded_rectangle((width // 10, height // 10, width * 9 // 10, height * 9 // 10),
                                               radius=min(width, height) // 8, fill=255)
        image.putalpha(mask)
        return image
    return image.convert("RGB")


def jpeg(width: int, height: int, *, seed: int = 1, orientation: int = 1, quality: int = 85) -> bytes:
    """A JPEG with camera EXIF (GPS, serial number). With orientation 6 or 8 the pixels are stored
    turned a quarter, as a phone held upright stores them: the picture is width × height upright."""
    from PIL import Image

    image = drawing(width, height, seed)
    if orientation == 6:
        image = image.transpose(Image.Transpose.ROTATE_90)
    elif orientation == 8:
        image = image.transpose(Image.Transpose.ROTATE_270)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, exif=camera_exif(orientation), comment=b"fixture comment")
    return buffer.getvalue()


def png(width: int, height: int, *, seed: int = 2, alpha: bool = True) -> bytes:
    """A PNG with an alpha channel, EXIF (GPS) and a text chunk."""
    from PIL import Image, PngImagePlugin

    image = drawing(width, height, seed, alpha=alpha)
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Fixture Photographer")
    info.add_text("Location", "Plaza de Mayo")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info, exif=camera_exif())
    assert isinstance(image, Image.Image)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG that claims `width` × `height` pixels and holds almost none: enough for
    Pillow to read its size (a decompression bomb, or an image over the build's limit) without
    the test making the image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


FIXTURE_IMAGES = {
    # upright 1,800 × 1,200, stored turned (EXIF orientation 6): every size, and the share crop
    "congress-at-night.jpg": lambda: jpeg(1800, 1200, seed=3, orientation=6),
    # 900 × 600 with transparency: a PNG fallback
    "reserves-sketch.png": lambda: png(900, 600, seed=4),
    # 300 × 400: smaller than every size, never enlarged
    "small-portrait.jpg": lambda: jpeg(300, 400, seed=5),
}


def write_fixture_images(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in FIXTURE_IMAGES.items():
        (folder / name).write_bytes(make())


if __name__ == "__main__":
    write_fixture_images(Path(sys.argv[1]))
