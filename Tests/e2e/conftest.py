"""Fixtures shared by the e2e drivers: one server per test module, Chromium instances that are
always quit, and an aiortc event loop on a side thread."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


@pytest.fixture(scope="module")
def server():
    yield from common.started_server()


@pytest.fixture
def chromium():
    """Factory: chromium("name") → a new headless Chromium; all are quit after the test."""
    drivers = []

    def make(name: str = "chromium"):
        driver = common.new_chromium(name)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        common.quit_chromium(driver)


@pytest.fixture
def aio():
    common.require_aiortc()
    loop = common.AsyncLoop()
    yield loop
    loop.close()
