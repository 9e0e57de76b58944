"""Checks of the GitHub Actions workflow that tests, builds and deploys the site."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.tools import require_actionlint, require_module  # noqa: E402

WORKFLOW = ROOT / ".github" / "workflows" / "site.yml"
# One representative file per input that must invalidate the build cache.
CACHE_INPUTS = ["pyproject.toml", "src/milei_watch/cli.py", "templates/base.html", "content/site.yaml"]


@pytest.fixture(scope="module")
def workflow() -> dict:
    """The parsed workflow."""
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_actionlint_clean():
    proc = subprocess.run([*require_actionlint(), str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_matches_github_workflow_schema():
    require_module("check_jsonschema")
    cmd = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _glob_regex(pattern: str) -> re.Pattern:
    """Regex for a hashFiles() glob: '**/' spans directories, '**' anything, '*' one path segment."""
    out = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    return re.compile(out + "$")


def _render(template: str, changed: str | None) -> str:
    """Evaluate the ${{ }} expressions of a cache key with a fake hashFiles; `changed` is the edited file."""

    def hash_files(args: str) -> str:
        patterns = re.findall(r"'([^']*)'", args)
        touched = changed is not None and any(_glob_regex(p).match(changed) for p in patterns)
        return hashlib.sha256(f"{patterns}{touched}".encode()).hexdigest()

    def expression(match: re.Match) -> str:
        expr = match.group(1).strip()
        if expr == "runner.os":
            return "Linux"
        call = re.fullmatch(r"hashFiles\((.*)\)", expr)
        assert call, f"unexpected expression in cache key: {expr}"
        return hash_files(call.group(1))

    return re.sub(r"\$\{\{(.*?)\}\}", expression, template)


def test_cache_key_changes_with_package_and_templates(workflow):
    steps = [s for s in workflow["jobs"]["build"]["steps"] if str(s.get("uses", "")).startswith("actions/cache")]
    assert len(steps) == 1, "expected one actions/cache step in the build job"
    cache = steps[0]["with"]
    cached = {line.strip().rstrip("/") for line in cache["path"].splitlines() if line.strip()}
    assert cached == {".milei_watch", "!.milei_watch/trees", "site"}, \
        "the build cache and the previous site make CI's rebuild incremental; the idle copy of the site is not kept"
    key = cache["key"]
    assert "runner.os" in key
    restore_keys = [line.strip() for line in str(cache.get("restore-keys") or "").splitlines() if line.strip()]
    old_key = _render(key, None)
    for changed in CACHE_INPUTS:
        assert _render(key, changed) != old_key, f"cache key does not change when {changed} changes"
        for restore in restore_keys:
            assert not old_key.startswith(_render(restore, changed)), (
                f"restore-key {restore!r} would restore a stale cache after {changed} changes"
            )


def test_deploys_only_from_main(workflow):
    assert set(workflow.get("on") or workflow[True]) >= {"push", "pull_request", "schedule", "workflow_dispatch"}
    assert workflow["permissions"] == {"contents": "read"}
    assert "concurrency" not in workflow  # a workflow-wide group would queue pull requests behind deploys
    build = workflow["jobs"]["build"]
    assert "github.ref" in build["concurrency"]["group"]
    assert build["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    upload = [s for s in workflow["jobs"]["build"]["steps"] if "upload-pages-artifact" in str(s.get("uses"))]
    assert upload and upload[0]["with"]["path"] == "site"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "refs/heads/main" in deploy["if"] and "pull_request" in deploy["if"]
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in deploy["steps"])


def test_runs_the_browser_and_validator_tests_rather_than_skipping_them(workflow):
    build = workflow["jobs"]["build"]
    assert build["env"]["MILEI_WATCH_REQUIRE_TOOLS"] == "1"
    chromium = build["env"]["MILEI_WATCH_CHROMIUM"]
    assert chromium.startswith("/usr/bin/")
    steps = build["steps"]
    runs = " ".join(str(step.get("run", "")) for step in steps)
    assert "npm ci" in runs and "python -m pytest" in runs
    assert any(str(step.get("uses", "")).startswith("actions/setup-node@") for step in steps)


def test_daily_rebuild_runs_just_after_midnight_in_the_site_timezone(workflow):
    import datetime as dt
    from zoneinfo import ZoneInfo

    [schedule] = (workflow.get("on") or workflow[True])["schedule"]
    minute, hour, *every_day = schedule["cron"].split()
    assert every_day == ["*", "*", "*"]
    timezone = yaml.safe_load((ROOT / "content" / "site.yaml").read_text("utf-8"))["timezone"]
    local = dt.datetime(2026, 3, 2, int(hour), int(minute), tzinfo=dt.timezone.utc).astimezone(ZoneInfo(timezone))
    assert (local.hour, local.minute) < (1, 0), local


def test_ci_script_runs_the_readme_commands_word_for_word():
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text("utf-8"), re.S)
    install_and_build, install_and_test = blocks[0].strip(), blocks[1].strip()
    assert install_and_build == "python3 -m pip install . && milei-watch build"
    assert install_and_test.endswith("python3 -m pytest")
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    assert install_and_test in script.splitlines()
    assert "export MILEI_WATCH_REQUIRE_TOOLS=1" in script.splitlines()
    commands = [line.strip() for line in script.splitlines()]
    assert commands.index("apt-get update") < next(i for i, c in enumerate(commands) if c.startswith("apt-get install"))
