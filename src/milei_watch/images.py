"""Raster images with Pillow: checked on the way in, then drawn as responsive WebP sizes with one JPEG
or PNG fallback and a 1200×630 share crop, metadata stripped and orientation applied, byte for byte
the same for the same bytes; and the `<picture>` element that offers them.

Pillow is imported only when an image is looked at, so a site without images never loads it. Every
output is named by the source's content digest (`images/<digest>-800.webp`), so an edited image gets
new names, an unchanged one keeps its files, and two articles showing one image share them.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import warnings
from pathlib import Path
from typing import NamedTuple


# The widths offered to browsers (srcset), never above the source's own width: the article column is
# 40rem, so 800 serves it at 1x and 1600 at 2x; 480 serves phones.
WIDTHS = (480, 800, 1200, 1600)
FALLBACK_WIDTH = 1200              # the one JPEG or PNG, for browsers without WebP
SHARE_SIZE = (1200, 630)           # og:image, as Facebook, LinkedIn and Slack crop it
# Limits, checked before any pixel is decoded (README.md, "Pictures").
MAX_BYTES = 10 * 1024 * 1024       # a web picture needs far less; a bigger file is an unreduced original
MAX_PIXELS = 40_000_000            # 40 megapixels: a 7,700 × 5,200 photograph, decoded into 120 MB
# Pillow's own decompression-bomb limit (Image.MAX_IMAGE_PIXELS, about 89 megapixels) is kept as it is,
# and its warning is an error too; MAX_PIXELS is lower, so an image between the two gets our message.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")   # the decoders Pillow may use on a content file
# Fixed encoder settings: the same bytes in give the same bytes out.
WEBP = {"quality": 80, "method": 4}
JPEG = {"quality": 82, "optimize": True, "progressive": True}
PNG = {"optimize": False, "compress_level": 9}
RESAMPLE_GAP = 3.0                 # Pillow's reducing_gap: a fast first reduction, then Lanczos

JOB = "@image"                     # the PageJob template of an image output (render.Renderer.render)
FOLDER = "images/"                 # under the site's root, shared by every edition
_NAME_DIGITS = 16                  # of the content digest, in output names
_ORIENTATION = 0x0112
_TURNED = (5, 6, 7, 8)             # EXIF orientations that swap width and height


class Facts(NamedTuple):
    """What the build needs to know of a usable image: its content digest and its size as shown."""

    digest: str
    width: int                     # after the EXIF orientation is applied
    height: int
    alpha: bool                    # has transparency: the fallback is PNG rather than JPEG


def check(data: bytes, digest: str) -> Facts | str:
    """The facts of an image file's bytes (whose content digest is `digest`), or why it cannot be used,
    from its header alone."""
    if len(data) > MAX_BYTES:
        return (f"is {len(data) / 1048576:.1f} MB, over the limit of {MAX_BYTES // 1048576} MB for an image; "
                "save it smaller (2,000 pixels wide is plenty)")
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                return (f"has {width:,} × {height:,} pixels, over the limit of {MAX_PIXELS // 1_000_000} "
                        "megapixels; save it smaller")
            orientation = image.getexif().get(_ORIENTATION)
            alpha = _has_alpha(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return (f"is a decompression bomb: it claims more pixels than Pillow will decode "
                f"({Image.MAX_IMAGE_PIXELS:,})")
    except UnidentifiedImageError:
        return "is not an image the build can read (JPEG, PNG, WebP or GIF)"
    except (OSError, ValueError, SyntaxError) as exc:
        return f"cannot be read as an image: {exc}"
    if orientation in _TURNED:
        width, height = height, width
    return Facts(digest, width, height, alpha)


def _has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


# --- the outputs of one image --------------------------------------------------------------------------

def widths(facts: Facts) -> tuple[int, ...]:
    """The WebP widths offered: each of WIDTHS below the image's width, then its width (at most the largest)."""
    top = min(facts.width, WIDTHS[-1])
    return tuple(w for w in WIDTHS if w < top) + (top,)


def fallback(facts: Facts) -> tuple[int, str]:
    """The fallback's width and file type."""
    return min(facts.width, FALLBACK_WIDTH), "png" if facts.alpha else "jpg"


def height_at(facts: Facts, width: int) -> int:
    return max(1, round(facts.height * width / facts.width))


def variants(facts: Facts, share: bool) -> tuple[str, ...]:
    """Every file made of an image, by variant name ('800.webp', '1200.jpg', 'share.jpg')."""
    width, kind = fallback(facts)
    names = tuple(f"{w}.webp" for w in widths(facts)) + (f"{width}.{kind}",)
    return names + ("share.jpg",) if share else names


def output(digest: str, variant: str) -> str:
    """An image file's path under the site: images/<digest>-<variant>."""
    return f"{FOLDER}{digest[:_NAME_DIGITS]}-{variant}"


def share_size(facts: Facts) -> tuple[int, int]:
    """The size of the share crop: SHARE_SIZE, or smaller at the same shape when the image is (never enlarged)."""
    ratio = SHARE_SIZE[0] / SHARE_SIZE[1]
    width = min(facts.width, round(facts.height * ratio))
    if width >= SHARE_SIZE[0]:
        return SHARE_SIZE
    return width, max(1, round(width / ratio))


@functools.cache
def drawing_key(module_file: str) -> str:
    """The code of a module that draws files with Pillow, and Pillow's version (PIL's package
    alone is imported for it, none of its image code): with what it is drawn from, the key of
    every file the module draws."""
    try:
        import PIL

        pillow = PIL.__version__
    except ImportError:
        pillow = ""
    return hashlib.blake2b(Path(module_file).read_bytes() + pillow.encode(), digest_size=8).hexdigest()


def encoder_key() -> str:
    """Part of every image output's key: this module's code (sizes, settings) and Pillow's version.
    An image is drawn again only when its bytes or these change."""
    return drawing_key(__file__)


def output_key(rel: str) -> str:
    """The key of an image output (its name holds the source's digest) in the record of a site tree."""
    return f"image:{encoder_key()}:{rel}"


# --- drawing -------------------------------------------------------------------------------------------

class Decoded:
    """The last image decoded, oriented and converted by this process: an image's outputs are drawn
    one after another, so it is decoded once for all of them."""

    def __init__(self) -> None:
        self.digest = ""
        self.image = None

    def get(self, data: bytes, digest: str):
        if self.digest != digest:
            self.image, self.digest = None, ""  # the old one is freed before the new one is decoded
            self.image, self.digest = _prepare(data), digest
        return self.image


def _prepare(data: bytes):
    """The image as it is seen: decoded, turned upright, in sRGB, RGB or RGBA, without any metadata."""
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=FORMATS)
        image.load()
    alpha = _has_alpha(image)
    image = ImageOps.exif_transpose(image)
    mode = "RGBA" if alpha else "RGB"
    profile = image.info.get("icc_profile")
    image = _to_srgb(image, profile, mode) if profile else image.convert(mode)
    image.info = {}  # EXIF (GPS positions, camera serials), XMP, ICC, comments: none of it is written out
    return image


def _to_srgb(image, profile: bytes, mode: str):
    """Pixels moved from the image's own colour profile into sRGB, which the profile-less outputs are read as."""
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
            image = image.convert(mode)
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
        return converted if converted is not None else image.convert(mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image.convert(mode)  # a damaged profile: the pixels as they are


def render(data: bytes, digest: str, variant: str, decoded: Decoded) -> bytes:
    """One output file of an image (see `variants`). Raises OSError (or ValueError) when the bytes cannot
    be decoded, such as a truncated file whose header looked right."""
    from PIL import Image

    image = decoded.get(data, digest)
    name, _, kind = variant.partition(".")
    if name == "share":
        out = _share_crop(image)
    else:
        width = int(name)
        size = (width, max(1, round(image.height * width / image.width)))
        out = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS,
                                                             reducing_gap=RESAMPLE_GAP)
    out.info = {}
    buffer = io.BytesIO()
    if kind == "webp":
        out.save(buffer, "WEBP", **WEBP)
    elif kind == "png":
        out.save(buffer, "PNG", **PNG)
    else:
        if out.mode == "RGBA":  # a share crop of a transparent image: on white, as most readers show it
            flat = Image.new("RGB", out.size, (255, 255, 255))
            flat.paste(out, mask=out.getchannel("A"))
            out = flat
        out.save(buffer, "JPEG", **JPEG)
    return buffer.getvalue()


def _share_crop(image):
    """The middle of the image at SHARE_SIZE's shape, reduced to SHARE_SIZE (never enlarged)."""
    from PIL import Image

    ratio = SHARE_SIZE[0] / SHARE_SIZE[1]
    width, height = image.size
    if width / height > ratio:
        crop = round(height * ratio)
        box = ((width - crop) // 2, 0, (width - crop) // 2 + crop, height)
    else:
        crop = round(width / ratio)
        box = (0, (height - crop) // 2, width, (height - crop) // 2 + crop)
    part = image.crop(box)
    if part.width > SHARE_SIZE[0]:
        part = part.resize(SHARE_SIZE, Image.Resampling.LANCZOS, reducing_gap=RESAMPLE_GAP)
    return part


# --- markup --------------------------------------------------------------------------------------------

def picture(facts: Facts, alt: str, root: str, sizes: str, *, lead: bool = False, title: str = "") -> str:
    """A `<picture>`: the WebP sizes for browsers to choose from, the fallback in the `<img>` with its
    width and height (so the page does not move as it loads), lazy unless it is the page's lead.

    `root` is the site's root path ('/' or '/milei-watch/'), where images/ is."""
    srcset = ", ".join(f"{root}{output(facts.digest, f'{w}.webp')} {w}w" for w in widths(facts))
    width, kind = fallback(facts)
    loading = ' fetchpriority="high"' if lead else ' loading="lazy"'
    titled = f' title="{html.escape(title)}"' if title else ""
    return (f'<picture><source type="image/webp" srcset="{srcset}" sizes="{html.escape(sizes)}">'
            f'<img src="{root}{output(facts.digest, f"{width}.{kind}")}" width="{width}" '
            f'height="{height_at(facts, width)}" alt="{html.escape(alt)}"{titled}{loading} decoding="async">'
            "</picture>")
