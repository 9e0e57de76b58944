"""The theme: the project's own templates/ over the theme bundled in the package, file by file.

The package carries a complete theme (`milei_watch/theme/`, built from the repository's `templates/`,
which is its only source: in the repository the package folder is a symbolic link to it). A site needs
no `templates/` folder at all; a file it does have there (`templates/page.html`,
`templates/static/style.css`, `templates/locale/es/LC_MESSAGES/messages.po`) replaces the bundled file of
the same name and nothing else, as themes work in Hugo and Zola. `milei-watch theme copy NAME` copies a
bundled file out to be changed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from . import links, output
from .config import SiteConfig
from .errors import BuildError, Diagnostic, Location, closest

# In an installed package, a folder of files; in the repository, a link to templates/.
BUNDLED = Path(__file__).with_name("theme")
STATIC = "static"


class UnknownThemeFile(Exception):
    """A name given to `theme copy` that is no file of the bundled theme."""


def folders(config: SiteConfig) -> tuple[Path, ...]:
    """Where a template is looked up, first match wins: the project's templates/ (when there is one),
    then the bundled theme."""
    found = [config.templates_dir] if config.templates_dir.is_dir() else []
    return tuple(found + [BUNDLED])


def bundled_files() -> dict[str, Path]:
    """Every file of the bundled theme by its name under the theme (`page.html`, `static/style.css`).

    The package's own files, trusted as its code is; hidden files (an editor's, in a checkout) are left out."""
    found: dict[str, Path] = {}
    base = os.path.realpath(BUNDLED)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        under = os.path.relpath(dirpath, base)
        for name in filenames:
            if not name.startswith("."):
                rel = name if under == "." else f"{under}/{name}".replace(os.sep, "/")
                found[rel] = BUNDLED / rel
    return dict(sorted(found.items()))


def template_files(config: SiteConfig) -> list[tuple[str, Path]]:
    """Every template as (name under the theme, file), the project's own where it has one, sorted by
    name; the static/ folder is not one (see `static_files`).

    Raises BuildError naming every link in templates/ that `links.follow` refuses, or when there is no
    theme at all (a package installed without its theme)."""
    bundled = {rel: path for rel, path in bundled_files().items() if not rel.startswith(STATIC + "/")}
    own: dict[str, Path] = {}
    if config.templates_dir.is_dir():
        bounds = links.Bounds.of(config.root, config.output_dir)
        files, refused = links.walk(config.root, config.templates_dir.relative_to(config.root).as_posix(), bounds,
                                    skip=frozenset({STATIC}))
        if refused:
            raise BuildError(refused)
        own = {name: Path(path) for path, name in files}
    if not bundled and not own:
        raise BuildError([Diagnostic(Location("templates/"), f"no theme: no templates folder at {config.templates_dir} "
                                     f"and no theme bundled with the package at {BUNDLED}",
                                     "reinstall milei-watch, or put the theme's templates in templates/")])
    return sorted({**bundled, **own}.items())


def static_files(config: SiteConfig) -> list[tuple[str, Path]]:
    """Every static file as (output path, file), the project's templates/static/ over the bundled ones,
    sorted. Raises BuildError naming every link in templates/static/ the build refuses."""
    bundled = {rel: path for rel, path in bundled_files().items() if rel.startswith(STATIC + "/")}
    own = dict(output.static_files(config.static_dir, root=config.root, out_dir=config.output_dir))
    return sorted({**bundled, **own}.items())


def folder_with(config: SiteConfig, name: str) -> Path:
    """The theme folder that provides `name` (the project's templates/, else the bundled theme); the
    first folder when neither has it. For readers of a theme file by its folder, such as i18n."""
    options = folders(config)
    return next((folder for folder in options if (folder / name).is_file()), options[0])


def is_bundled(config: SiteConfig, path: Path) -> bool:
    """Whether a template file comes from the bundled theme rather than the project's templates/."""
    return not Path(path).is_relative_to(config.templates_dir) and Path(path).is_relative_to(BUNDLED)


def own_files(templates_dir: Path) -> list[str]:
    """The names of the files a project's templates/ holds (each overriding or adding to the theme), sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(templates_dir):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        under = os.path.relpath(dirpath, templates_dir)
        found += [name if under == "." else f"{under}/{name}".replace(os.sep, "/")
                  for name in filenames if not name.startswith(".")]
    return sorted(found)


def copy_out(templates_dir: Path, name: str) -> Path:
    """Copy the bundled theme's `name` into a project's templates/ to be changed there; return the copy.

    Raises UnknownThemeFile for a name the theme does not have, FileExistsError rather than overwrite."""
    files = bundled_files()
    rel = name.removeprefix("./").removeprefix("templates/")
    if rel not in files:
        close = closest(rel, files)
        hint = f"did you mean '{close}'?" if close else "'milei-watch theme list' names every file of the theme"
        raise UnknownThemeFile(f"the bundled theme has no file '{name}'; {hint}")
    target = templates_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(files[rel], "rb") as source, open(target, "xb") as copy:  # "x": never replace the project's file
        shutil.copyfileobj(source, copy)
    return target
