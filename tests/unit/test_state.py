"""The build cache: validated articles survive a save and load unchanged, and damage means a clean build."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from milei_watch import model, sources, state
from milei_watch.config import load_config
from tests.conftest import FIXED_NOW, copy_site


def _validated(root: Path):
    config = load_config(root)
    authors, _problems, _digest = model.load_authors(model.read_authors_file(config))
    docs, problems, files = sources.read_all(root, config.content_dir, {}, 0)
    site, more = model.build_site(config, docs, authors, now=FIXED_NOW, drafts=True, future=True)
    assert not [p for p in problems + more if p.is_error]
    return config, site, files


def test_articles_round_trip_through_the_cache_with_dates_sources_events_and_corrections(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "project", "newsroom")
    config, site, files = _validated(root)
    articles = {a.source: a for a in site.all_articles}
    assert any(a.corrections for a in articles.values()) and any(a.events for a in articles.values())
    assert any(a.expires for a in articles.values()) and any(s.date for a in articles.values() for s in a.sources)
    saved = state.BuildState(scan_started_ns=1, files={rel: (stamp, doc) for rel, (stamp, doc) in files.items()},
                             articles=articles, validation_key="v")
    state.save(config.cache_dir, config.output_dir, saved)
    loaded, reason = state.load(config.cache_dir, config.output_dir, config.tz)
    assert reason == "" and loaded is not None
    assert loaded.articles == articles
    for source, article in articles.items():
        again = loaded.articles[source]
        for name in ("date", "updated", "expires"):
            before, after = getattr(article, name), getattr(again, name)
            assert (before is None) == (after is None)
            if before is not None:
                assert after.isoformat() == before.isoformat()
    assert {rel: doc.digest for rel, (_s, doc) in loaded.files.items()} == \
        {rel: doc.digest for rel, (_s, doc) in files.items()}


def _shard_files(config) -> dict[str, tuple[int, int, bytes]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted((config.cache_dir / "articles").iterdir())}


def _saved(tmp_path: Path):
    """The basic fixture's state, saved once; its config, files and articles, and its shard files."""
    config, site, files = _validated(copy_site(tmp_path / "project"))
    articles = {a.source: a for a in site.all_articles}
    state.save(config.cache_dir, config.output_dir, state.BuildState(files=dict(files), articles=articles))
    return config, files, articles, _shard_files(config)


def test_a_cache_whose_shards_and_state_disagree_is_not_trusted(tmp_path: Path) -> None:
    config, files, articles, before = _saved(tmp_path)
    assert len(before) == state.SHARDS
    token = state.save(config.cache_dir, config.output_dir, state.BuildState(files=dict(files), articles=articles))
    shard = next(name for name, (_i, _m, data) in before.items() if len(data) > 100)  # one with articles
    (config.cache_dir / "articles" / shard).write_bytes(before[shard][2])  # as if killed between the writes
    loaded, reason = state.load(config.cache_dir, config.output_dir, config.tz)
    assert loaded is None and reason == "build cache is unreadable; building everything"
    assert state.load_article_rows(config.cache_dir, "any token") is None
    # Read shard by shard, the rows still refuse the stale one, and serve the others.
    rows = state.load_article_rows(config.cache_dir, token)
    stale = next(source for source in articles if f"{state._shard_of(source):02d}.marshal" == shard)
    with pytest.raises(ValueError):
        rows[stale]
    other = next(source for source in articles if f"{state._shard_of(source):02d}.marshal" != shard)
    assert state.decode_article(rows[other], config.tz) == articles[other]


def test_a_save_after_one_article_changed_writes_its_shard_alone(tmp_path: Path) -> None:
    config, _files, articles, before = _saved(tmp_path)
    loaded, _reason = state.load(config.cache_dir, config.output_dir, config.tz)
    changed = next(iter(articles))
    edited = loaded.articles[changed]._replace(title="A new title")
    token = state.save(config.cache_dir, config.output_dir, dataclasses.replace(
        loaded, articles={**loaded.articles, changed: edited}))
    after = _shard_files(config)
    rewritten = sorted(name for name in after if after[name][:2] != before[name][:2])
    assert rewritten == [f"{state._shard_of(changed):02d}.marshal"]
    again, reason = state.load(config.cache_dir, config.output_dir, config.tz)
    assert reason == "" and again.articles == {**articles, changed: edited}
    rows = state.load_article_rows(config.cache_dir, token)
    assert rows is not None
    assert {source: state.decode_article(rows[source], config.tz) for source in articles} == \
        {**articles, changed: edited}


def test_a_source_cited_through_another_survives_the_cache(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "project")
    (root / "content" / "articles" / "via.md").write_text(
        "---\ntitle: Citado\ndate: 2026-01-12\ntopics: [economy]\nsummary: S\nsources:\n"
        "  - publisher: Fixture Wire\n    via: Example Gazette\n    date: 2026-01-11\n---\nCuerpo.\n", "utf-8")
    config, site, files = _validated(root)
    articles = {a.source: a for a in site.all_articles}
    state.save(config.cache_dir, config.output_dir, state.BuildState(files=dict(files), articles=articles))
    loaded, _reason = state.load(config.cache_dir, config.output_dir, config.tz)
    assert loaded is not None
    [ref] = loaded.articles["content/articles/via.md"].sources
    assert (ref.publisher, ref.via) == ("Fixture Wire", "Example Gazette")


def test_a_featured_article_stays_featured_through_the_cache(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "project")
    path = root / "content" / "articles" / "deuda-y-fmi.md"
    path.write_text(path.read_text("utf-8").replace("kind: explainer\n", "kind: explainer\nfeatured: true\n"), "utf-8")
    config, site, files = _validated(root)
    articles = {a.source: a for a in site.all_articles}
    assert articles["content/articles/deuda-y-fmi.md"].featured
    state.save(config.cache_dir, config.output_dir, state.BuildState(files=dict(files), articles=articles))
    loaded, _reason = state.load(config.cache_dir, config.output_dir, config.tz)
    assert loaded is not None and loaded.articles == articles
    assert sorted(a.slug for a in loaded.articles.values() if a.featured) == ["deuda-y-fmi", "el-ajuste-fiscal-de-milei-ano-uno"]


def test_a_cached_body_is_written_over_in_place_never_truncated_on_open_nor_through_a_link(tmp_path: Path,
                                                                                              monkeypatch) -> None:
    """On ext4, a file truncated when it is opened makes its close wait for the new data to reach
    the disk: a site whose versions share a body paid that on every page of the second edition."""
    import os

    cache = tmp_path / "cache"
    state.write_html(cache, "body-key", "<p>" + "a long body " * 200 + "</p>", 400)
    flags_seen = []
    real_open = os.open

    def recording_open(path, flags, *args, **kwargs):
        flags_seen.append(flags)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    state.write_html(cache, "body-key", "<p>short</p>", 1)
    monkeypatch.undo()
    assert flags_seen and not any(flags & os.O_TRUNC for flags in flags_seen)
    assert state.read_html(cache, "body-key") == ("<p>short</p>", 1)  # cut to its new length
    outside = tmp_path / "outside.txt"
    outside.write_text("not the cache's")
    entry = state._html_path(cache, "linked-key")
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.symlink_to(outside)
    state.write_html(cache, "linked-key", "<p>x</p>", 1)  # refused: the cache is an optimisation
    assert outside.read_text() == "not the cache's"
