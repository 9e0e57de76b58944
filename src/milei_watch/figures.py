"""What pages show besides text: a body's local images as responsive pictures and its ```chart blocks
drawn from content/data/; the lead image each article names; and the image files all of that needs.
Every mistake is a diagnostic at its line: in the article, or in the data file when the data is wrong.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, Callable, NamedTuple, TYPE_CHECKING

from . import assets, images, schema, yamlload
from .errors import Diagnostic, Location, did_you_mean
from .model import Article, Page
from .schema import Field, ListOf, OneOf, Record, Text
from .sources import hash_bytes

if TYPE_CHECKING:
    from decimal import Decimal

# The drawing code (svg), csv and decimal are imported where a chart or timeline is drawn: a build
# that only lists images, or renders a body without charts, never needs them.
MAX_ROWS = 1000                  # a chart of more points than this is not one a reader can read
MAX_SERIES = 6                   # one colour each: svg.PALETTE's length (test_figures checks)
# How wide a picture is shown, for the browser to choose a size from srcset: the article column (40rem).
BODY_SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"
CHART_EXAMPLE = "```chart\ndata: inflation.csv\ntype: line\nx: month\ny: inflation\ntitle: …\nsource: INDEC\n```"


class Problem(NamedTuple):
    """A mistake found while drawing a body's figures: at a line of the body, or of `path` (a data file)."""

    line: int
    message: str
    hint: str = ""
    path: str = ""


class Labels(NamedTuple):
    """The interface words a chart shows, in the body's language (templates/_graphics.html)."""

    source: str = "Source:"
    data: str = "The data"
    summary: str = "From {first} to {last}; lowest {lowest}, highest {highest}."
    locale: str = "en"


def number(value: Decimal, locale: str) -> str:
    """A number in the reader's locale with the decimals it was written with ('20.60' → '20,60' in es)."""
    from babel.numbers import format_decimal

    decimals = max(0, -value.as_tuple().exponent) if isinstance(value.as_tuple().exponent, int) else 0
    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale=locale)


_CHART = Record({
    "data": Field(Text(blank=False), required=True, example="inflation.csv"),
    "type": Field(OneOf(("line", "bar"), "chart type"), default="line"),
    "x": Field(Text(blank=False, numbers=True), required=True, example="month"),
    "y": Field(ListOf(Text(blank=False, numbers=True), single=True), required=True, example="inflation"),
    "title": Field(Text(blank=False, numbers=True), required=True, example="Monthly inflation"),
    "source": Field(Text(blank=False, numbers=True), required=True, example="INDEC"),
    "unit": Field(Text(numbers=True), default=""),
    "x_label": Field(Text(numbers=True), default=""),
    "y_label": Field(Text(numbers=True), default=""),
    "description": Field(Text(numbers=True), default=""),
}, unknown="unknown chart key {key}", missing="a chart needs {key}",
    missing_hint="add '{name}: {example}' to the chart block")


class BodyFigures:
    """Draws the figures of one body for `markup.Renderer.convert`, collecting its mistakes.

    `refs` are the files the body was found to reference when it was read (Article.body_assets): a
    page's key covers exactly those, so a figure drawn from any other file would go stale unseen,
    and is refused."""

    def __init__(self, doc_rel: str, refs: tuple[str, ...], registry: assets.Registry, root: str,
                 labels: Labels, read: Callable[[str], bytes]) -> None:
        self.doc_rel = doc_rel
        self.refs = frozenset(refs)
        self.registry = registry
        self.root = root                 # the site's root path, where images/ is
        self.labels = labels
        self.read = read                 # a data file's bytes by its path from the project root
        self.problems: list[Problem] = []
        self.charts = 0

    def local(self, address: str) -> str | None:
        """The file under content/images/ an image address names, or None for any other address."""
        return assets.local_image(self.doc_rel, address)

    def picture(self, address: str, alt: str, title: str, line: int) -> str | None:
        """A local image as a `<picture>`, or None (and a problem) when it cannot be shown."""
        rel = self.local(address)
        if rel is None:
            return None
        if not alt.strip():
            self.problems.append(Problem(line, f"the image '{address}' has no description (alt text)",
                                         "describe what it shows for readers who cannot see it: "
                                         "![What the picture shows](…)"))
            return None
        facts = self._image(rel, address, line)
        if facts is None:
            return None
        return images.picture(facts, alt.strip(), self.root, BODY_SIZES, title=title)

    def _image(self, rel: str, address: str, line: int) -> images.Facts | None:
        asset = self.registry.files.get(rel)
        if rel not in self.refs:
            self.problems.append(Problem(line, f"the image address '{address}' is written in a way the build "
                                         "cannot follow", "write it plainly, as ![Description](../images/name.jpg)"))
        elif asset is None:
            self.problems.append(Problem(line, f"image not found: {rel}", _missing_hint(rel, self.registry)))
        elif asset.facts is None:
            self.problems.append(Problem(line, f"{rel} {asset.problem}", "replace the file"))
        return asset.facts if asset is not None and rel in self.refs else None

    def raw_image(self, address: str, line: int) -> None:
        """An <img> of raw HTML pointing into content/images/: never processed, so refused."""
        self.problems.append(Problem(line, f"the image '{address}' is written as HTML, which the build does "
                                     "not process", "write it in Markdown: ![Description](" + address + ")"))

    # --- charts ----------------------------------------------------------------------------------------

    def unclosed_chart(self, line: int) -> None:
        self.problems.append(Problem(line, "the chart block is not closed", "end it with a line of ``` alone"))

    def chart(self, spec: str, line: int) -> str | None:
        """A ```chart block (its lines from body line `line`) as a figure: the SVG and a table of its data."""
        self.charts += 1
        try:
            document = yamlload.load(spec, first_line=line)
        except yamlload.YamlProblem as exc:
            self.problems.append(Problem(exc.line, f"chart block: {exc.describe()}", exc.hint))
            return None
        if not isinstance(document.value, dict):
            self.problems.append(Problem(line - 1, "a chart block holds 'key: value' lines",
                                         "write it as:\n" + CHART_EXAMPLE))
            return None
        values, found = schema.check(document, _CHART, self.doc_rel)
        # a key the block lacks is reported at the document's own line, 1: the block's is its fence
        self.problems += [Problem(d.location.line if d.location.line >= line else line - 1, d.message, d.hint)
                          for d in found]
        if found:
            return None
        data_rel = assets.data_file(values["data"])
        at = document.line(("data",))
        if data_rel is None:
            self.problems.append(Problem(at, f"chart data must be a .csv or .yaml file under content/data/, not "
                                         f"{yamlload.quote(values['data'])}", "write data: inflation.csv"))
            return None
        if data_rel not in self.refs:
            self.problems.append(Problem(at, "write the chart's data: as a plain file name",
                                         "for example data: inflation.csv"))
            return None
        if data_rel not in self.registry.files:
            self.problems.append(Problem(at, f"chart data not found: {data_rel}",
                                         _missing_hint(data_rel, self.registry)))
            return None
        if self.registry.files[data_rel].problem:
            self.problems.append(Problem(at, f"{data_rel} {self.registry.files[data_rel].problem}",
                                         "chart a summary of the data"))
            return None
        table = self._table(data_rel, values, document)
        if table is None:
            return None
        return self._figure(values, table)

    def _table(self, data_rel: str, values: dict[str, Any], document: yamlload.Document) -> _Table | None:
        """The data file's columns the chart uses, checked; None (with problems) when it is unusable."""
        try:
            raw = self.read(data_rel)
        except OSError as exc:
            self.problems.append(Problem(document.line(("data",)), f"cannot read {data_rel}: {exc.strerror}"))
            return None
        if raw is None:
            self.problems.append(Problem(0, "the file changed while the site was being built",
                                         "build again to include the change", data_rel))
            return None
        rows = read_rows(raw, data_rel)
        if isinstance(rows, Problem):
            self.problems.append(rows)
            return None
        header, records = rows
        wanted = [("x", 0, values["x"])] + [("y", index, name) for index, name in values["y"]]
        missing = False
        for key, index, name in wanted:
            if name not in header:
                where = document.line((key, index) if key == "y" and isinstance(document.value.get("y"), list)
                                      else (key,))
                self.problems.append(Problem(where, f"the chart's {key} column '{name}' is not in {data_rel}",
                                             did_you_mean(name, header, "columns")))
                missing = True
        if missing:
            return None
        if len(values["y"]) > MAX_SERIES:
            self.problems.append(Problem(document.line(("y",)), f"a chart draws at most {MAX_SERIES} y columns",
                                         "make two charts"))
            return None
        if not records:
            self.problems.append(Problem(1, f"{data_rel} has no rows of data", "add rows under the header", data_rel))
            return None
        if len(records) > MAX_ROWS:
            self.problems.append(Problem(records[MAX_ROWS][0], f"{data_rel} has {len(records)} rows; a chart draws "
                                         f"at most {MAX_ROWS}", "chart a summary of the data", data_rel))
            return None
        categories = tuple(_as_text(record[values["x"]]) for _line, record in records)
        columns = []
        for _index, name in values["y"]:
            column = []
            for line, record in records:
                value = _as_number(record[name])
                if value is None:
                    self.problems.append(Problem(line, f"{yamlload.quote(_as_text(record[name]))} in column '{name}' "
                                                 "is not a number", "write numbers like 20.6 or -3, "
                                                 "without units or thousands separators", data_rel))
                    break
                column.append(value)
            else:
                columns.append((name, tuple(column)))
        if len(columns) < len(values["y"]):
            return None
        return _Table(categories, tuple(columns))

    def _figure(self, values: dict[str, Any], table: _Table) -> str:
        from . import svg

        labels = self.labels
        unit = values["unit"]
        locale = labels.locale
        series = tuple(svg.Series(name, tuple(float(v) for v in column),
                                  tuple(_with_unit(number(v, locale), unit) for v in column), index)
                       for index, (name, column) in enumerate(table.columns))
        first_series = table.columns[0][1]
        low = min(range(len(first_series)), key=lambda i: (first_series[i], i))
        high = max(range(len(first_series)), key=lambda i: (first_series[i], -i))
        summary = (labels.summary.replace("{first}", table.categories[0]).replace("{last}", table.categories[-1])
                   .replace("{lowest}", f"{series[0].shown[low]} ({table.categories[low]})")
                   .replace("{highest}", f"{series[0].shown[high]} ({table.categories[high]})"))
        source = f"{labels.source} {values['source']}"
        description = " ".join(part for part in (values["description"], summary, source + ".") if part)
        y_label = values["y_label"] or (", ".join(name for _i, name in values["y"]) + (f" ({unit})" if unit else ""))
        spec = svg.Chart(values["type"], table.categories, series, values["title"], description,
                         values["x_label"] or values["x"], y_label, source)
        ident = f"chart-{self.charts}"
        drawing = svg.chart(spec, ident, lambda v: number(v, locale))
        head = "".join(f'<th scope="col">{_esc(name)}{_esc(f" ({unit})") if unit else ""}</th>'
                       for name, _column in table.columns)
        body = "".join(f'<tr><th scope="row">{_esc(category)}</th>'
                       + "".join(f"<td>{_esc(s.shown[i])}</td>" for s in series) + "</tr>"
                       for i, category in enumerate(table.categories))
        return (f'<figure class="graphic chart" id="{ident}" aria-labelledby="{ident}-caption">'
                f'<figcaption id="{ident}-caption">{_esc(values["title"])}</figcaption>'
                f'<div data-pagefind-ignore>{drawing}</div>'
                f"<details><summary>{_esc(labels.data)}</summary>"
                f'<table><caption>{_esc(values["title"])}</caption><thead><tr><th scope="col">'
                f'{_esc(values["x_label"] or values["x"])}</th>{head}</tr></thead><tbody>{body}</tbody></table>'
                f"<p>{_esc(source)}</p></details></figure>")


class _Table(NamedTuple):
    categories: tuple[str, ...]
    columns: tuple[tuple[str, tuple[Decimal, ...]], ...]


def _esc(text: str) -> str:
    import html

    return html.escape(str(text), quote=True)


def _with_unit(shown: str, unit: str) -> str:
    if not unit:
        return shown
    return f"{shown}{unit}" if unit in ("%", "‰") else f"{shown} {unit}"


def _missing_hint(rel: str, registry: assets.Registry) -> str:
    folder = rel.rsplit("/", 1)[0] + "/"
    names = [name[len(folder):] for name in registry.files if name.startswith(folder)]
    return did_you_mean(rel[len(folder):], names, "files") if names else f"put the file in {folder}"


# --- data files ----------------------------------------------------------------------------------------

Rows = tuple[list[str], list[tuple[int, dict[str, Any]]]]


def read_rows(raw: bytes, rel: str) -> Rows | Problem:
    """A CSV or YAML data file as (column names, [(file line, {column: value})]), or its first mistake."""
    if rel.endswith(".csv"):
        return _csv_rows(raw, rel)
    try:
        document = yamlload.read(raw)
    except yamlload.YamlProblem as exc:
        return Problem(exc.line, exc.describe(), exc.hint, rel)
    value = document.value
    if not isinstance(value, list) or not value or not all(isinstance(row, dict) for row in value):
        return Problem(1, "chart data in YAML is a list of rows, each a mapping of column to value",
                       "write '- {month: 2024-01, inflation: 20.6}' lines", rel)
    header = [str(key) for key in value[0]]
    rows = []
    for index, row in enumerate(value):
        line = document.line((index,))
        keys = [str(key) for key in row]
        if keys != header:
            return Problem(line, f"this row has the columns {', '.join(keys)}, not {', '.join(header)}",
                           "give every row the same columns, in the same order", rel)
        rows.append((line, {str(key): cell for key, cell in row.items()}))
    return header, rows


def _csv_rows(raw: bytes, rel: str) -> Rows | Problem:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Problem(line, "the file is not UTF-8 text", "save it as UTF-8 (CSV UTF-8)", rel)
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            cells = [cell.strip() for cell in cells]
            if header is None:
                header = cells
                if len(set(header)) != len(header) or not all(header):
                    return Problem(line, "the header row needs a distinct, non-empty name for every column",
                                   "name each column once, e.g. month,inflation", rel)
                continue
            if len(cells) != len(header):
                return Problem(line, f"this row has {len(cells)} values; the header has {len(header)} columns",
                               "give every row one value per column; quote values that contain commas", rel)
            rows.append((line, dict(zip(header, cells))))
    except csv.Error as exc:
        return Problem(reader.line_num, f"cannot read the CSV: {exc}", "check the quotes on this line", rel)
    if header is None:
        return Problem(1, "the file is empty", "write a header row, then one row per point", rel)
    return header, rows


def _as_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    return str(value)


def _as_number(value: Any) -> Decimal | None:
    """A value as an exact decimal (keeping the decimals it was written with), or None when it is none."""
    from decimal import Decimal, InvalidOperation

    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    text = str(value).strip().replace("\u2212", "-")
    try:
        number_value = Decimal(text)
    except InvalidOperation:
        return None
    return number_value if number_value.is_finite() and text.lower() not in ("nan", "inf", "infinity") else None


# --- lead images and the image files ---------------------------------------------------------------------

def lead_problems(articles: tuple[Article, ...], registry: assets.Registry) -> list[Diagnostic]:
    """Each article's lead image that is missing or cannot be used, at the line of its `src:`."""
    problems = []
    for article in articles:
        image = article.image
        if image is None:
            continue
        rel = assets.lead_image(image.src)
        asset = registry.files.get(rel) if rel else None
        if asset is None:
            problems.append(Diagnostic(Location(article.source, image.line), f"image not found: {rel}",
                                       _missing_hint(rel or assets.IMAGES, registry)))
        elif asset.facts is None:
            problems.append(Diagnostic(Location(article.source, image.line), f"{rel} {asset.problem}",
                                       "replace the file, or point 'src:' at another"))
    return problems


def image_outputs(docs: tuple[Article | Page, ...], registry: assets.Registry) -> list[tuple[str, dict[str, Any]]]:
    """The image files the documents need, as (output path, context): every size of each lead image
    (with its share crop) and of each image a body may show, once each, in a fixed order."""
    wanted: dict[str, bool] = {}  # source path → whether a share crop is needed
    for doc in docs:
        image = getattr(doc, "image", None)
        if image is not None:
            rel = assets.lead_image(image.src)
            if rel:
                wanted[rel] = True
        for rel in doc.body_assets:
            if rel.startswith(assets.IMAGES):
                wanted.setdefault(rel, False)
    jobs: dict[str, dict[str, Any]] = {}
    for rel in sorted(wanted):
        asset = registry.files.get(rel)
        if asset is None or asset.facts is None:
            continue  # reported where it is shown, or never shown (an address in a code block)
        for variant in images.variants(asset.facts, wanted[rel]):
            output = images.output(asset.digest, variant)
            jobs.setdefault(output, {"source": rel, "digest": asset.digest, "variant": variant})
    return list(jobs.items())


def share_image(image, registry: assets.Registry) -> tuple[str, int, int] | None:
    """The share crop of a lead image: its path under the site, width and height; None when unusable."""
    rel = assets.lead_image(image.src)
    asset = registry.files.get(rel) if rel else None
    if asset is None or asset.facts is None:
        return None
    width, height = images.share_size(asset.facts)
    return images.output(asset.digest, "share.jpg"), width, height


def lead_facts(image, registry: assets.Registry) -> images.Facts | None:
    rel = assets.lead_image(image.src)
    asset = registry.files.get(rel) if rel else None
    return asset.facts if asset is not None else None


def data_read(root: Path, registry: assets.Registry) -> Callable[[str], bytes | None]:
    """Reads a data file for a chart: its bytes, or None when they are not what the registry digested
    (the file changed during the build, which must not mix two versions into one site)."""
    def read(rel: str) -> bytes | None:
        data = (root / rel).read_bytes()
        asset = registry.files.get(rel)
        return data if asset is not None and hash_bytes(data) == asset.digest else None

    return read


# --- the drawings of whole pages: the timeline and the archive's coverage ---------------------------------

def _month_label(year: int, month: int, locale: str) -> str:
    from babel.dates import format_date

    return format_date(dt.date(year, month, 1), "MMM y", locale=locale)


def _axis(first: dt.date, last: dt.date, locale: str) -> tuple[int, int, tuple[tuple[int, str], ...]]:
    """The time axis of the timeline: its first and last day (as ordinals) with a margin, and its
    ticks (day, label): years over a long span, quarters or months over a short one."""
    span = last.toordinal() - first.toordinal()
    pad = max(10, span // 25)
    start, end = first.toordinal() - pad, last.toordinal() + pad
    ticks = []
    day = dt.date.fromordinal(start)
    months = (1,) if span > 730 else (1, 4, 7, 10) if span > 240 else tuple(range(1, 13))
    year, month = day.year, day.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        moment = dt.date(year, month, 1)
        if moment.toordinal() > end:
            break
        if month in months:
            label = str(year) if months == (1,) else _month_label(year, month, locale)
            ticks.append((moment.toordinal(), label))
    return start, end, tuple(ticks)


def timeline(events, lanes, *, url: Callable[[str], str], day: Callable[[dt.date], str], locale: str,
             title: str, description: str) -> str:
    """The timeline's drawing: `events` (plan.TimelineEntry) on a time axis, one lane per topic of
    `lanes` ((slug, name, colour)) that has any, each event a link to its article."""
    if not events:
        return ""
    from . import svg

    start, end, ticks = _axis(min(e.date for e in events), max(e.date for e in events), locale)
    used = [lane for lane in lanes if any(lane[0] in e.topics for e in events)]
    index = {slug: position for position, (slug, _name, _colour) in enumerate(used)}
    marks = tuple(svg.Mark((e.date.toordinal() - start) / (end - start), index[slug], url(e.article.url),
                           f"{day(e.date)}: {e.title} ({e.article.title})")
                  for e in events for slug in e.topics if slug in index)
    axis = tuple(((at - start) / (end - start), label) for at, label in ticks)
    return svg.timeline(tuple(svg.Lane(name, colour) for _slug, name, colour in used), marks, axis,
                        title=title, description=description, ident="timeline")


def coverage(months, topics, *, locale: str, title: str, description: str, y_label: str) -> str:
    """The archive's drawing: articles per month (plan's `coverage`: (year, month, count per topic)),
    stacked by topic ((name, colour) in the order of the counts)."""
    if not months:
        return ""
    from . import svg

    categories = tuple(_month_label(year, month, locale) for year, month, _counts in months)
    series = tuple(svg.Series(name, tuple(float(counts[i]) for _y, _m, counts in months),
                              tuple(str(counts[i]) for _y, _m, counts in months), colour)
                   for i, (name, colour) in enumerate(topics) if any(counts[i] for _y, _m, counts in months))
    if not series:
        return ""
    spec = svg.Chart("stack", categories, series, title, description, "", y_label, "")
    return svg.chart(spec, "coverage", lambda value: number(value, locale))
