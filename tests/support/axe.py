"""Run axe-core accessibility checks in a Playwright page."""

from __future__ import annotations

from typing import Any, Callable

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


def audit_pages(page: Any, base_url: str, paths: list[str], width: int,
                check: Callable[[str], None] | None = None) -> list[str]:
    """Every path at `width` in the light and dark schemes: the serious axe violations and any
    horizontal overflow, as lines to report (empty when all is well). `check` runs on each page first."""
    page.set_viewport_size({"width": width, "height": 900})
    found = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for path in paths:
            page.goto(base_url + path)
            if check is not None:
                check(path)
            violations = run_axe(page)
            if violations:
                found.append(f"/{path} at {width}px, {scheme}:\n{describe(violations)}")
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
            if scroll > inner:
                found.append(f"/{path}: {scroll}px wide in a {inner}px window")
    return found
