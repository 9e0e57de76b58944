"""Benchmark milei-watch builds on a deterministic synthetic corpus, as whole processes.

    python benchmarks/bench_build.py               # N = 1,000 and 10,000
    python benchmarks/bench_build.py --sizes 1000  # one size
    python benchmarks/bench_build.py --large       # adds N = 100,000
    python benchmarks/bench_build.py --languages 2 # each article also in Spanish: 2 × N in two editions
    python benchmarks/bench_build.py --sizes 1000 --images 200  # 200 of the articles with a lead image
    python benchmarks/bench_build.py --bytecode    # compiled modules cached, as when installed

For each N it measures the median of --runs runs (at least 3) of: a clean build,
a no-op rebuild, one article's body edited (one from the middle of the corpus,
then the newest, which every feed carries), one article retitled, one article
added inside the corpus's dates, one added after every other (as a newsroom publishes), and one
template edited; with the peak resident memory of the main
process. With --images, the corpus also has that many lead images (generated JPEGs with
camera metadata), and the benchmark adds one image edited, a clean build of the same corpus
without the images, and the clean-build cost per image. Every run is `python -m milei_watch
build` in a fresh process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOPICS = ("economy", "debt-imf", "diplomacy", "regional")
WORDS = ("argentina milei peso inflation austerity reform budget deficit investment energy lithium "
         "technology creditors bond restructuring treasury washington ministerial embassy diplomacy "
         "region venezuela cuba brazil china russia mercosur unions protest confidence markets "
         "exports imports tariff subsidy privatisation state company governance policy rhetoric "
         "analysis report source evidence forecast risk scenario government congress province").split()
TAGS = tuple(f"tag-{i:02d}" for i in range(40))
# The Spanish versions' bodies say the same in other words, as a translation does: with the English
# bodies they would share every HTML cache entry (and Markdown pass) with them, which no real
# translated site does.
SPANISH = dict(zip(WORDS, (
    "argentina milei peso inflación austeridad reforma presupuesto déficit inversión energía litio "
    "tecnología acreedores bono reestructuración tesoro washington ministerial embajada diplomacia "
    "región venezuela cuba brasil china rusia mercosur sindicatos protesta confianza mercados "
    "exportaciones importaciones arancel subsidio privatización estado empresa gobernanza política "
    "retórica análisis informe fuente evidencia pronóstico riesgo escenario gobierno congreso provincia").split(),
    strict=True))

# The command as `milei-watch build` and `python -m milei_watch build` run it (cli.run: the process
# ends with os._exit once the streams are flushed, its objects never torn down), with the peak memory
# of the main build process alone (RUSAGE_SELF, not its workers) written out just before it ends.
_RUNNER = (
    "import os, resource, sys\n"
    "from milei_watch import cli\n"
    "main_process, end = os.getpid(), os._exit\n"
    "def report_then_end(code):\n"
    "    if os.getpid() == main_process:  # not a forked child or render worker ending\n"
    "        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "        sys.stderr.write(f'\\nPEAK_KIB {peak}\\n')\n"
    "        sys.stderr.flush()\n"
    "    end(code)\n"
    "os._exit = report_then_end\n"
    "cli.run()\n"
)


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(4, 6)):
        text = sentence(rng, rng.randint(10, 18))
        roll = rng.random()
        if roll < 0.25:
            word = rng.choice(WORDS)
            text = text.replace(f" {word} ", f" *{word}* ", 1)
        elif roll < 0.4:
            word = rng.choice(WORDS)
            text = text.replace(f" {word} ", f" [{word}](https://example.org/{word}) ", 1)
        elif roll < 0.5:
            word = rng.choice(WORDS)
            text = text.replace(f" {word} ", f" **{word}** ", 1)
        parts.append(text)
    return " ".join(parts)


def article(rng: random.Random, index: int, start: dt.datetime) -> str:
    """About 700 words: headings, paragraphs, a list, links and emphasis."""
    day = start + dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
    topics = rng.sample(TOPICS, rng.randint(1, 2))
    tags = rng.sample(TAGS, rng.randint(2, 4))
    title = f"Synthetic analysis {index:06d}: {sentence(rng, 5)[:-1]}"
    body = []
    for section in range(3):
        body.append(f"## {sentence(rng, 4)[:-1]} {section + 1}")
        body.append(paragraph(rng))
        body.append(paragraph(rng))
        if section == 1:
            body.extend(f"- {sentence(rng, 8)}" for _ in range(4))
            body.append("")
    body.append(paragraph(rng))
    meta = [
        "---",
        f'title: "{title}"',
        f"date: {day.isoformat()}",
        f"topics: [{', '.join(topics)}]",
        f'summary: "{sentence(rng, 20)}"',
        f"tags: [{', '.join(tags)}]",
        "sources:",
        "  - publisher: Synthetic Wire",
        "---",
    ]
    return "\n".join(meta) + "\n" + "\n\n".join(body) + "\n"


def make_corpus(root: Path, count: int, seed: int = 20231210, languages: int = 1, images: int = 0) -> None:
    """A project folder with `count` deterministic articles and the repository's templates; with two
    languages, each article also has a Spanish version (2 × count articles); with `images`, that many
    articles, spread through the corpus, have a lead image of their own."""
    import yaml

    rng = random.Random(seed)
    start = dt.datetime(2023, 11, 1, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    (root / "content" / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "templates", root / "templates")
    settings = yaml.safe_load((REPO / "content" / "site.yaml").read_text("utf-8"))
    settings["search"] = False
    settings.pop("languages", None)
    if languages == 2:
        settings["languages"] = [{
            "code": "es", "locale": "es_AR", "title": "Sintético", "description": "Un corpus sintético.",
            "topics": [{"slug": t["slug"], "name": f"Tema {t['slug']}", "description": "Descripción."}
                       for t in settings["topics"]]}]
    (root / "content" / "site.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False),
                                                "utf-8")
    for index in range(count):
        path = root / "content" / "articles" / f"synthetic-{index:06d}.md"
        text = article(rng, index, start)
        if languages == 2:
            # after the title and date lines, which the edit scenarios rewrite by position
            text = text.replace("\ntopics:", f"\ntranslation_key: k{index}\ntopics:", 1)
            spanish = text.replace('title: "Synthetic analysis', 'title: "Análisis sintético', 1).replace(
                "\ntopics:", "\nlang: es\ntopics:", 1)
            meta, _sep, body = spanish.partition("\n---\n")
            spanish = meta + "\n---\n" + re.sub(r"[A-Za-z]+", _in_spanish, body)
            (path.parent / f"sintetico-{index:06d}.md").write_text(spanish, "utf-8")
        path.write_text(text, "utf-8")
    add_images(root, count, images)


def _in_spanish(word: re.Match) -> str:
    english = word[0]
    spanish = SPANISH.get(english.lower())
    if spanish is None:
        return english
    return spanish.capitalize() if english[0].isupper() else spanish


IMAGE_SIZE = (1600, 1067)  # a common upload limit of newsroom systems: every size the build makes


def bench_image(index: int, version: int = 0) -> bytes:
    """A deterministic picture with a photograph's texture (noise over shapes and a gradient), as a
    camera's JPEG: EXIF with a GPS position, which the build strips. Never a photograph."""
    import io

    from PIL import Image, ImageDraw

    rng = random.Random(index * 1009 + version)
    width, height = IMAGE_SIZE
    base = Image.linear_gradient("L").resize((width, height))
    picture = Image.merge("RGB", (base, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                                  Image.new("L", (width, height), rng.randrange(256))))
    pen = ImageDraw.Draw(picture)
    for _ in range(30):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(40, 300)
        pen.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    picture = Image.blend(picture, noise, 0.25)
    exif = Image.Exif()
    exif[0x010F] = "Benchmark Camera"
    exif[0x8825] = {1: "S", 2: (34.0, 36.0, 29.0), 3: "W", 4: (58.0, 22.0, 19.0)}
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def add_images(root: Path, count: int, images: int) -> None:
    """Give `images` articles, spread evenly through the corpus, a lead image each."""
    if not images:
        return
    folder = root / "content" / "images"
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(images):
        (folder / f"picture-{index:04d}.jpg").write_bytes(bench_image(index))
        path = root / "content" / "articles" / f"synthetic-{index * count // images:06d}.md"
        lead = f'---\nimage:\n  src: picture-{index:04d}.jpg\n  alt: "Synthetic picture {index}"\n'
        path.write_text(path.read_text("utf-8").replace("---\n", lead, 1), "utf-8")


def edit_image(root: Path, step: int) -> None:
    """New bytes for one image (the first): the build draws its files again, and no other image's."""
    (root / "content" / "images" / "picture-0000.jpg").write_bytes(bench_image(0, version=step + 1))


def run_build(root: Path, *extra: str) -> tuple[float, int, str]:
    """One whole-process build: wall seconds, peak KiB of the main process, summary line (with the
    CPU seconds of the build and its workers, user and system, to show where a slow run went)."""
    os.sync()  # the previous run's output is written back now, not during this one
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _RUNNER, "build", "--root", str(root), *extra],
                            capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stdout}\n{result.stderr}")
    peak = int(result.stderr.rsplit("PEAK_KIB", 1)[1].split()[0])
    cpu = f"[cpu {after.ru_utime - before.ru_utime:.1f} s user, {after.ru_stime - before.ru_stime:.1f} s system]"
    return seconds, peak, f"{result.stdout.strip().splitlines()[0]} {cpu}"


def _articles(root: Path) -> list[Path]:
    return sorted((root / "content" / "articles").glob("synthetic-*.md"))


def middle_article(root: Path, offset: int = 0) -> Path:
    """An article from the middle of the corpus: typically in no feed, on one page of listings."""
    articles = _articles(root)
    return articles[len(articles) // 2 + offset]


def _published(path: Path) -> dt.datetime:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("date: "):
                return dt.datetime.fromisoformat(line[6:].strip())
    raise ValueError(f"{path} has no date")


def newest_article(root: Path) -> Path:
    """The most recent article: in the site feed and its topics' and tags' feeds, the worst body edit."""
    return max(_articles(root), key=_published)


def _append(path: Path, step: int) -> None:
    path.write_text(path.read_text("utf-8") + f"\nAn added sentence, edit number {step}.\n", "utf-8")


def edit_body(root: Path, step: int) -> None:
    _append(middle_article(root), step)


def edit_newest_body(root: Path, step: int) -> None:
    _append(newest_article(root), step)


def retitle(root: Path, step: int) -> None:
    path = middle_article(root, 1)
    lines = path.read_text("utf-8").split("\n")
    lines[1] = f'title: "Retitled synthetic analysis, version {step}"'
    path.write_text("\n".join(lines), "utf-8")


def add_article(root: Path, step: int) -> None:
    rng = random.Random(step)
    text = article(rng, 900000 + step, dt.datetime(2023, 11, 1, tzinfo=dt.timezone.utc))
    (root / "content" / "articles" / f"added-{step}.md").write_text(text, "utf-8")


def add_newest_article(root: Path, step: int) -> None:
    """A new article dated after every other, as a newsroom publishes: it moves every page of its
    topics' and tags' listings, which list the newest first."""
    after = _published(newest_article(root)) + dt.timedelta(hours=step + 1)
    text = article(random.Random(1000 + step), 950000 + step, dt.datetime(2023, 11, 1, tzinfo=dt.timezone.utc))
    text = re.sub(r"(?m)^date: .*$", f"date: {after.isoformat()}", text, count=1)
    (root / "content" / "articles" / f"newest-{step}.md").write_text(text, "utf-8")


def edit_template(root: Path, step: int) -> None:
    path = root / "templates" / "article.html"
    path.write_text(path.read_text("utf-8") + f"{{# template edit {step} #}}\n", "utf-8")


SCENARIOS = (
    ("one article's body edited", edit_body),
    ("newest article's body edited", edit_newest_body),
    ("one article retitled", retitle),
    ("one article added", add_article),
    ("newest article added", add_newest_article),
    ("one template edited", edit_template),
)


def measure(count: int, runs: int, jobs: str | None, work: Path, languages: int = 1, images: int = 0,
            ) -> list[tuple[str, float, float, str]]:
    """Every scenario at one corpus size, in a corpus generated under `work`."""
    rows = []
    root = work / "project"
    started = time.perf_counter()
    make_corpus(root, count, languages=languages, images=images)
    print(f"  corpus of {count} articles{f' and {images} images' if images else ''} generated in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    extra = ("--jobs", jobs) if jobs else ()

    clean = _clean_builds(root, work / "trash", runs, extra)
    rows.append(_row("clean build", clean))
    samples = [run_build(root, *extra) for _ in range(runs)]
    rows.append(_row("no-op rebuild", samples))
    for name, change in SCENARIOS + ((("one image edited", edit_image),) if images else ()):
        samples = []
        for step in range(runs):
            change(root, step)
            samples.append(run_build(root, *extra))
        rows.append(_row(name, samples))
    if images:
        # The same corpus without its images, built clean: the difference is what the images cost.
        plain = work / "plain"
        make_corpus(plain, count, languages=languages)
        without = _clean_builds(plain, work / "trash-plain", runs, extra)
        rows.append(_row("clean build without the images", without))
        per_image = (statistics.median(s[0] for s in clean) - statistics.median(s[0] for s in without)) / images
        print(f"  {'clean-build cost per image':<28} {per_image:7.3f} s", flush=True)
        rows.append(("clean-build cost per image", per_image, 0.0, ""))
    return rows


def _clean_builds(root: Path, trash: Path, runs: int, extra: tuple[str, ...]) -> list[tuple[float, int, str]]:
    samples = []
    for run in range(runs):
        # Set the previous output aside rather than deleting it: ext4 skips the inodes of
        # files deleted in the last minute when it allocates new ones, and scanning past tens
        # of thousands of them would bill the file system's bookkeeping to the build.
        for name in ("site", ".milei_watch"):
            if (root / name).exists():
                (trash / str(run)).mkdir(parents=True, exist_ok=True)
                (root / name).rename(trash / str(run) / name)
        samples.append(run_build(root, *extra))
    return samples


def _row(name: str, samples: list[tuple[float, int, str]]) -> tuple[str, float, float, str]:
    seconds = statistics.median(s[0] for s in samples)
    median_run = sorted(samples)[len(samples) // 2]
    peak = median_run[1] / 1024  # the memory of the run whose time is reported
    summary = median_run[2]
    spread = ", ".join(f"{s[0]:.2f}" for s in samples)
    print(f"  {name:<28} {seconds:7.2f} s  {peak:7.0f} MiB  {summary}  (runs: {spread} s)", flush=True)
    return name, seconds, peak, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--large", action="store_true", help="also measure N = 100,000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", help="passed to build --jobs (default: CPU count)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus")
    parser.add_argument("--images", type=int, default=0,
                        help="give this many articles a lead image (generated); adds the image scenarios")
    parser.add_argument("--languages", type=int, choices=(1, 2), default=1,
                        help="2: every article also in Spanish, a site of 2 × N articles in two editions")
    parser.add_argument("--bytecode", action="store_true",
                        help="let the builds cache compiled modules, as an installed package has them")
    args = parser.parse_args()
    if args.runs < 3:
        parser.error("--runs must be at least 3 for a median")
    if min(args.sizes) < 10:
        parser.error("--sizes must be at least 10 articles")
    sizes = args.sizes + ([100000] if args.large else [])
    if args.bytecode:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    modules = "cached" if args.bytecode or not sys.flags.dont_write_bytecode else "compiled by every build"
    print(f"milei-watch benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, runs={args.runs}, "
          f"compiled modules {modules}")
    table = {}
    # Every corpus is deleted only at the end: deleting one just before measuring the next would
    # bill ext4's recently-freed-inode bookkeeping to the next clean builds.
    works = []
    try:
        for count in sizes:
            print(f"N = {count:,}" + (" in two languages (2 × N articles)" if args.languages == 2 else ""))
            works.append(Path(tempfile.mkdtemp(prefix=f"milei-bench-{count}-")))
            table[count] = measure(count, args.runs, args.jobs, works[-1], args.languages, min(args.images, count))
    finally:
        for work in works:
            if args.keep:
                print(f"corpus kept at {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    print()
    names = [row[0] for row in next(iter(table.values()))]
    header = "| measure | " + " | ".join(f"N = {n:,}" for n in sizes) + " |"
    print(header)
    print("|" + " --- |" * (len(sizes) + 1))
    for i, name in enumerate(names):
        cells = [f"{table[n][i][1]:.2f} s, {table[n][i][2]:.0f} MiB" if table[n][i][2] else f"{table[n][i][1]:.3f} s"
                 for n in sizes]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
