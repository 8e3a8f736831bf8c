"""A report page opened from disk in Debian's chromium with the network refused.

Playwright drives /usr/bin/chromium; no browser is ever downloaded.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which("chromium") is None,
    reason="Debian's chromium is not installed (.ci/run installs it)",
)


@dataclass
class OfflinePage:
    """The open page, the console errors it logged and the requests it tried to make."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@contextmanager
def offline_page(html: Path) -> Iterator[OfflinePage]:
    """``html`` loaded in chromium, refusing every request but the file itself."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            opened = OfflinePage(page)
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith("file:")
                    else (opened.requests.append(route.request.url), route.abort())[1]
                ),
            )
            page.on(
                "console", lambda m: opened.errors.append(m.text) if m.type == "error" else None
            )
            page.on("pageerror", lambda e: opened.errors.append(str(e)))
            page.goto(html.as_uri())
            page.wait_for_load_state("load")
            yield opened
        finally:
            browser.close()
