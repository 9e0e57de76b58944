"""Run axe-core accessibility checks in a Playwright page."""

from __future__ import annotations

from typing import Any

from .tools import require_axe

SEVERE = ("serious", "critical")


def run_axe(page: Any, impacts: tuple[str, ...] = SEVERE) -> list[dict]:
    """Inject axe.min.js into page, run axe.run() and return violations with the given impacts."""
    page.add_script_tag(path=str(require_axe()))
    violations = page.evaluate("async () => (await axe.run()).violations")
    return [v for v in violations if v.get("impact") in impacts]


def describe(violations: list[dict]) -> str:
    """One line per violation: rule id, impact and the first offending selectors."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in violations
    )
