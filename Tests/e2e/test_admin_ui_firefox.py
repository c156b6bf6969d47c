"""The admin web UI in Firefox (issue 9: "works in Chromium and Firefox"): every page renders from
the server's own files behind Basic auth, the live events socket connects, a session created
through the UI appears, and the pages raise no script errors. Firefox ESR from Debian is driven
over its own Marionette protocol (`marionette_driver`), since Debian ships no geckodriver."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest

import common
from test_admin_ui import ARTIFACTS, PAGES, admin_base, admin_password

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")


@pytest.fixture(scope="module")
def server():
    yield from common.started_server({"MARIONETTE_PROVIDERS_DEFAULT": "local"})


@pytest.fixture
def firefox():
    """A headless Firefox with a fresh profile, and a Marionette client session on it."""
    if not FIREFOX:
        message = "Firefox is not installed (scripts/install-deps.sh installs firefox-esr)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        from marionette_driver.marionette import Marionette
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("marionette_driver is missing (Tests/e2e/requirements.txt)")
        pytest.skip("marionette_driver is missing")
    profile = Path(tempfile.mkdtemp(prefix="marionette-firefox-"))
    port = common.free_port()
    (profile / "user.js").write_text("\n".join([
        f'user_pref("marionette.port", {port});',
        # Credentials in the URL once, without Firefox's "are you sure" prompt.
        'user_pref("network.http.phishy-userpass-length", 255);',
        # Page console output (and uncaught errors) on Firefox's stdout, for the error check.
        'user_pref("devtools.console.stdout.content", true);',
        'user_pref("browser.shell.checkDefaultBrowser", false);',
        'user_pref("datareporting.policy.dataSubmissionEnabled", false);',
        'user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);',
        'user_pref("app.update.enabled", false);',
        # Nothing fetched from Mozilla's servers (offline here; their loaders log errors otherwise),
        # as in Mozilla's own test profiles.
        'user_pref("services.settings.server", "data:,#remote-settings-dummy/v1");',
        'user_pref("browser.region.network.url", "");',
        'user_pref("browser.safebrowsing.provider.mozilla.updateURL", "");',
        'user_pref("extensions.update.enabled", false);',
        'user_pref("network.connectivity-service.enabled", false);',
        'user_pref("network.captive-portal-service.enabled", false);',
    ]) + "\n")
    console = profile / "console.log"
    with open(console, "wb") as sink:
        process = subprocess.Popen(
            [FIREFOX, "--headless", "--marionette", "--no-remote", "--profile", str(profile), "about:blank"],
            stdout=sink, stderr=subprocess.STDOUT, env=dict(os.environ, MOZ_HEADLESS="1"))
    client = None
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("Firefox did not open its Marionette port:\n" + console.read_text(errors="replace")[-2000:])
            time.sleep(0.2)
        client = Marionette(host="127.0.0.1", port=port)
        client.start_session()
        client.set_window_rect(width=1440, height=900)
        yield client, console
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.delete_session()
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)


# Scripts run in Marionette's sandbox, which sees the page's DOM but not its own globals:
# those are read through `window.wrappedJSObject`.
def wait_js(client, script: str, what: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            last = client.execute_script(script)
            if last:
                return last
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def screenshot(client, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):
        (ARTIFACTS / f"firefox-{name}.png").write_bytes(client.screenshot(format="binary"))


def script_errors(console: Path, origin: str) -> list[str]:
    """Uncaught errors and console errors of our pages, from Firefox's console output."""
    lines = console.read_text(errors="replace").splitlines()
    # Uncaught errors name their script's URL; `console.error` lines carry only the message (and
    # only pages write to this console, through devtools.console.stdout.content).
    # Firefox's own Remote Settings loader also logs there when it cannot reach Mozilla (offline).
    return [line for line in lines
            if (("JavaScript error" in line and origin in line) or line.startswith("console.error:"))
            and "favicon" not in line and not line.startswith("console.error: RSLoader:")]


def test_every_page_renders_in_firefox(server, firefox) -> None:
    client, console = firefox
    base = admin_base(server)
    password = urllib.parse.quote(admin_password(server), safe="")
    client.navigate(f"http://admin:{password}@127.0.0.1:{server.admin_port}/")
    client.navigate(base + "/")
    wait_js(client, "return document.querySelector('#dashboard-cards .card') !== null", "the dashboard")
    wait_js(client, "return window.wrappedJSObject.marionetteAdmin && window.wrappedJSObject.marionetteAdmin.isLive()", "the live events socket")
    for page in PAGES:
        name = page or "dashboard"
        client.execute_script("window.wrappedJSObject.marionetteAdmin.navigate(arguments[0])", script_args=["/" + page])
        wait_js(client,
                f"return document.querySelector('#app').dataset.page === '{name}' && "
                "document.querySelector('#app h1') !== null && "
                "!document.querySelector('#app').innerText.includes('Loading…')", f"the {name} page")
        time.sleep(0.3)
        screenshot(client, f"page-{name}")
        body = client.execute_script("return document.querySelector('#app').innerText")
        assert body.strip(), f"{name}: blank page in Firefox"
        assert "Something went wrong" not in body, f"{name}: {body[:500]}"
        has_error = client.execute_script("return document.querySelector('#app .error-box') !== null")
        assert not has_error, f"{name}: {body[:500]}"
    # A page loaded directly (index.html fallback) renders too.
    client.navigate(base + "/sessions")
    wait_js(client, "return document.querySelector('#app').dataset.page === 'sessions'", "sessions by URL")
    errors = script_errors(console, f"127.0.0.1:{server.admin_port}")
    assert not errors, "script errors in Firefox:\n" + "\n".join(errors)


def test_a_session_created_in_firefox_appears_live(server, firefox) -> None:
    client, console = firefox
    password = urllib.parse.quote(admin_password(server), safe="")
    client.navigate(f"http://admin:{password}@127.0.0.1:{server.admin_port}/")
    client.navigate(admin_base(server) + "/sessions")
    wait_js(client, "return window.wrappedJSObject.marionetteAdmin && window.wrappedJSObject.marionetteAdmin.isLive()", "the live events socket")
    # Created through the API: the list hears of it from the events socket, without a reload.
    created = server.api("POST", "/api/v1/sessions", {"agent": "command", "name": "firefox-live"})
    assert created.status == 201, created.body[:300]
    session_id = created.json()["id"]
    wait_js(client, f"return document.querySelector('#app').innerText.includes('{session_id}')",
            "the new session in the list")
    screenshot(client, "session-live")
    errors = script_errors(console, f"127.0.0.1:{server.admin_port}")
    assert not errors, "script errors in Firefox:\n" + "\n".join(errors)
