"""The admin web UI (issue 9 item 1; api.md §13.1) driven like a person with Chromium: log in with
the generated admin password, create an API key (raw key shown once), create a session and a task
and watch its log arrive live, approve a permission request asked by the Claude test double, open
a tunnel, watch a testsrc stream in the embedded viewer, visit every page; and, with PostgreSQL
stopped under a running server, the UI shows the error instead of a blank page.

Screenshots of every page go to $MARIONETTE_TEST_ARTIFACTS/admin-ui (default Tests/e2e/artifacts/admin-ui)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import os
import shutil
import threading
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

import common

CLAUDE_DOUBLE = common.REPO_ROOT / "Tests" / "Doubles" / "claude" / "claude"
ARTIFACTS = Path(os.environ.get("MARIONETTE_TEST_ARTIFACTS", common.HERE / "artifacts")) / "admin-ui"
PAGES = ["", "sessions", "permissions", "tunnels", "streams", "runners", "keys", "agent-configs", "providers", "webhooks", "audit",
         "status"]


@pytest.fixture(scope="module")
def server():
    # Local runners (real agents) and the Claude Code double as the claude CLI.
    yield from common.started_server({
        "MARIONETTE_PROVIDERS_DEFAULT": "local",
        "MARIONETTE_CLAUDE_BIN": str(CLAUDE_DOUBLE),
        "MARIONETTE_HEARTBEAT_INTERVAL": "1s",
        # The webhook receiver of the test listens on loopback.
        "MARIONETTE_WEBHOOKS_ALLOW_PRIVATE": "true",
    })


def admin_base(server: common.Server) -> str:
    return f"http://127.0.0.1:{server.admin_port}"


def admin_password(server: common.Server) -> str:
    # Neither MARIONETTE_UI_USERNAME nor _PASSWORD set: the server generated one for user "admin".
    path = Path(server.data_dir) / "admin-password"
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return path.read_text().strip()


def log_in(driver, server: common.Server) -> None:
    """Basic auth the way a person's browser keeps it: credentials once in the URL, then the
    browser's auth cache answers for every later request of the origin (fetch and WebSocket too)."""
    password = urllib.parse.quote(admin_password(server), safe="")
    driver.get(f"http://admin:{password}@127.0.0.1:{server.admin_port}/")
    driver.get(admin_base(server) + "/")
    wait_for(driver, "return document.querySelector('#dashboard-cards .card') !== null", "the dashboard to render")


def wait_for(driver, script: str, what: str, timeout: float = 20):
    return common.wait_js(driver, script, lambda v: bool(v), timeout, what)


def go(driver, path: str, ready: str, what: str, timeout: float = 20) -> None:
    driver.execute_script("window.marionetteAdmin.navigate(arguments[0])", path)
    wait_for(driver, ready, what, timeout)


def screenshot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def text(driver, selector: str) -> str:
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", selector)


def click(driver, selector: str) -> None:
    driver.execute_script("document.querySelector(arguments[0]).click()", selector)


def fill_dialog(driver, values: dict[str, str | bool]) -> None:
    """Fills the open dialog's fields by name and presses its primary button."""
    wait_for(driver, "return document.querySelector('dialog[open]') !== null", "a dialog")
    for name, value in values.items():
        driver.execute_script(
            """const el = document.querySelector(`dialog[open] [name="${arguments[0]}"]`);
               if (el.type === 'checkbox') el.checked = arguments[1]; else el.value = arguments[1];
               el.dispatchEvent(new Event('change'));""", name, value)
    click(driver, "dialog[open] button.primary")
    wait_for(driver, "return document.querySelector('dialog[open]') === null", "the dialog to close")


def wait_session_active(server: common.Server, session_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.api("GET", f"/api/v1/sessions/{session_id}").json().get("status") == "active":
            return
        time.sleep(0.2)
    raise AssertionError(f"session {session_id} never became active:\n{server.log_tail()}")


def no_page_errors(driver) -> None:
    errors = common.severe_errors(driver)
    assert not errors, "console errors:\n" + "\n".join(errors)


# ---------------------------------------------------------------------------------------------


def test_unauthenticated_browser_gets_the_basic_challenge(server) -> None:
    result = common.http("GET", admin_base(server) + "/sessions")
    assert result.status == 401
    assert result.headers.get("www-authenticate") == 'Basic realm="Marionette Admin"'


def test_every_page_renders(server, chromium) -> None:
    driver = chromium("admin-pages")
    log_in(driver, server)
    wait_for(driver, "return window.marionetteAdmin.isLive()", "the live events socket")
    for page in PAGES:
        name = page or "dashboard"
        go(driver, "/" + page, f"return document.querySelector('#app').dataset.page === '{name}' && "
           "document.querySelector('#app h1') !== null && !document.querySelector('#app').innerText.includes('Loading…')",
           f"the {name} page")
        time.sleep(0.3)  # the page's first list request
        screenshot(driver, f"page-{name}")
        body = text(driver, "#app")
        assert body.strip(), f"{name}: blank page"
        assert "Something went wrong" not in body, f"{name}: {body[:500]}"
        has_error = driver.execute_script("return document.querySelector('#app .error-box') !== null")
        assert not has_error, f"{name}: {body[:500]}"
    status = text(driver, "#app")
    for service in ("Database", "Public API", "Admin API", "gRPC", "Metrics", "SFU"):
        assert service in status
    no_page_errors(driver)


def test_agent_config_key_is_write_only(server, chromium) -> None:
    """A managed key typed into the UI is stored (encrypted) and never shown or returned again."""
    driver = chromium("admin-agent-configs")
    log_in(driver, server)
    go(driver, "/agent-configs", "return document.querySelector('#create-agent-config') !== null", "the agent configs page")
    secret = "sk-ant-ui-test-" + "7" * 24
    click(driver, "#create-agent-config")
    fill_dialog(driver, {"name": "ui-team", "agent": "claude", "api_key": secret, "model": "claude-sonnet-4-5",
                         "is_default": True})
    wait_for(driver, "return document.querySelector('#agent-configs-table')?.innerText.includes('ui-team')",
             "the new config in the list")
    screenshot(driver, "agent-config-created")
    assert secret not in driver.page_source
    password = admin_password(server)
    auth = "Basic " + base64.b64encode(f"admin:{password}".encode()).decode()
    listed = common.http("GET", admin_base(server) + "/admin/api/v1/agent-configs", headers={"Authorization": auth})
    assert listed.status == 200, listed.body[:300]
    items = json.loads(listed.body)["items"]
    created = next(item for item in items if item["name"] == "ui-team")
    assert created["agent"] == "claude" and created["is_default"] is True and created["model"] == "claude-sonnet-4-5"
    assert "api_key" not in created and secret.encode() not in listed.body
    no_page_errors(driver)


def test_provider_config_and_profile_from_the_ui(server, chromium) -> None:
    """A provider config and a profile made in the UI reach the API as typed JSON; a field the
    server refuses is shown in the dialog; the built-in profiles are listed but not editable."""
    driver = chromium("admin-providers")
    log_in(driver, server)
    go(driver, "/providers", "return document.querySelector('#create-provider-config') !== null", "the providers page")
    wait_for(driver, "return document.querySelector('#profiles-table')?.innerText.includes('dev-small')", "the built-in profiles")
    assert "built in" in text(driver, "#profiles-table")

    click(driver, "#create-provider-config")
    fill_dialog(driver, {"name": "ui-docker", "provider": "docker", "config": '{"image":"marionette/runner:1"}',
                         "suspend_config": '{"strategy":"pause"}', "is_default": True})
    wait_for(driver, "return document.querySelector('#provider-configs-table')?.innerText.includes('ui-docker')",
             "the new provider config in the list")
    password = admin_password(server)
    auth = "Basic " + base64.b64encode(f"admin:{password}".encode()).decode()
    configs = json.loads(common.http("GET", admin_base(server) + "/admin/api/v1/provider-configs",
                                     headers={"Authorization": auth}).body)["items"]
    config = next(item for item in configs if item["name"] == "ui-docker")
    assert config["provider"] == "docker" and config["config"] == {"image": "marionette/runner:1"}
    assert config["suspend_config"] == {"strategy": "pause"} and config["is_default"] is True

    # A typo in a JSON field: the server's message stays in the open dialog.
    click(driver, "#create-profile")
    wait_for(driver, "return document.querySelector('dialog[open]') !== null", "the profile dialog")
    driver.execute_script(
        """const set = (n, v) => { document.querySelector(`dialog[open] [name="${n}"]`).value = v; };
           set('name', 'ui-web'); set('resources', '{"memory":4096}');""")
    click(driver, "dialog[open] button.primary")
    wait_for(driver, "return document.querySelector('dialog[open] .error-box')?.innerText.includes('memory_mb')",
             "the server's error in the dialog")
    driver.execute_script(
        """const set = (n, v) => { document.querySelector(`dialog[open] [name="${n}"]`).value = v; };
           set('resources', '{"cpus":2,"memory_mb":4096}'); set('tunnels', '[{"type":"http","local_port":5173}]');
           set('provider_config_id', arguments[0]);""", config["id"])
    click(driver, "dialog[open] button.primary")
    wait_for(driver, "return document.querySelector('dialog[open]') === null", "the dialog to close")
    wait_for(driver, "return document.querySelector('#profiles-table')?.innerText.includes('http:5173')", "the new profile")
    screenshot(driver, "providers-created")
    profiles = json.loads(common.http("GET", admin_base(server) + "/admin/api/v1/profiles",
                                      headers={"Authorization": auth}).body)["items"]
    profile = next(item for item in profiles if item["name"] == "ui-web")
    assert profile["resources"] == {"cpus": 2, "memory_mb": 4096} and profile["provider_config_id"] == config["id"]
    assert profile["tunnels"] == [{"type": "http", "local_port": 5173}]
    # The one refused request above is the browser's only complaint.
    errors = [e for e in common.severe_errors(driver) if "/admin/api/v1/profiles - Failed to load resource" not in e
              or "status of 400" not in e]
    assert not errors, "console errors:\n" + "\n".join(errors)


def test_create_api_key_shows_the_raw_key_once(server, chromium) -> None:
    driver = chromium("admin-keys")
    log_in(driver, server)
    go(driver, "/keys", "return document.querySelector('#create-key') !== null", "the keys page")
    click(driver, "#create-key")
    fill_dialog(driver, {"name": "ui-created"})
    wait_for(driver, "return document.querySelector('#key-created .secret-value') !== null", "the raw key")
    raw = text(driver, "#key-created .secret-value").strip()
    assert raw.startswith("mk_"), raw
    screenshot(driver, "key-created")
    # The key works on the public API with the scopes ticked by default (sessions:read, tasks:read).
    assert server.api("GET", "/api/v1/sessions", token=raw).status == 200
    assert server.api("POST", "/api/v1/sessions", {"agent": "command"}, token=raw).status == 403
    # Shown once: after a reload only the prefix is on the page.
    driver.refresh()
    wait_for(driver, "return document.querySelector('#keys-table tbody tr[data-id]') !== null", "the key list")
    assert "ui-created" in text(driver, "#keys-table")
    assert raw not in driver.page_source


def test_create_a_runner_token(server, chromium) -> None:
    driver = chromium("admin-runner-tokens")
    log_in(driver, server)
    go(driver, "/runners", "return document.querySelector('#create-runner-token') !== null", "the runners page")
    click(driver, "#create-runner-token")
    fill_dialog(driver, {"pool_name": "ui-pool"})
    wait_for(driver, "return document.querySelector('#runner-token-created .secret-value') !== null", "the raw runner token")
    raw = text(driver, "#runner-token-created .secret-value").strip()
    assert raw.startswith("rtok_"), raw
    wait_for(driver, "return document.querySelector('#runner-tokens-table').innerText.includes('ui-pool')", "the token in the list")
    screenshot(driver, "runner-token-created")


def test_session_task_and_live_log(server, chromium) -> None:
    driver = chromium("admin-task")
    log_in(driver, server)
    go(driver, "/sessions", "return document.querySelector('#create-session') !== null", "the sessions page")
    click(driver, "#create-session")
    fill_dialog(driver, {"name": "ui-session", "agent": "command"})
    wait_for(driver, "return location.pathname.startsWith('/sessions/sess_') && document.querySelector('#task-prompt') !== null",
             "the new session's page")
    session_id = driver.execute_script("return location.pathname.split('/')[2]")
    # A command that prints for a while, on both streams.
    prompt = "for i in 1 2 3 4 5 6; do echo ui-line-$i; sleep 1; done; echo ui-oops >&2"
    driver.execute_script("document.querySelector('#task-prompt').value = arguments[0]", prompt)
    click(driver, "#create-task")
    wait_for(driver, "return location.pathname.startsWith('/tasks/task_') && document.querySelector('#log') !== null", "the task page")
    task_id = driver.execute_script("return location.pathname.split('/')[2]")
    # The first line shows while the task still runs: the log is live, not loaded at the end.
    wait_for(driver, "return document.querySelector('#log').innerText.includes('ui-line-1')", "the first log line", timeout=90)
    status = server.api("GET", f"/api/v1/tasks/{task_id}").json()["status"]
    assert status == "running", f"the first line arrived only after the task ended ({status})"
    assert "ui-line-6" not in text(driver, "#log")
    screenshot(driver, "task-live-log")
    # stderr in its colour (the echoed command line is a system line that mentions it too).
    wait_for(driver, "return [...document.querySelectorAll('#log .line.stderr')].some(l => l.innerText.includes('ui-oops'))",
             "the stderr line", timeout=60)
    assert driver.execute_script("return [...document.querySelectorAll('#log .line.system')].some(l => l.innerText.includes('/bin/sh'))")
    assert driver.execute_script("return getComputedStyle(document.querySelector('#log .line.stderr')).color") != \
        driver.execute_script("return getComputedStyle(document.querySelector('#log .line.stdout')).color")
    assert not driver.execute_script("return [...document.querySelectorAll('#log .line.stderr')].some(l => l.innerText.includes('ui-line-1'))")
    # Search narrows the lines shown.
    driver.execute_script("const s = document.querySelector('#log-search'); s.value = 'ui-line-3'; s.dispatchEvent(new Event('input'))")
    wait_for(driver, "return [...document.querySelectorAll('#log .line')].filter(l => !l.hidden).length === 1", "the search filter")
    # The task's status on the page follows the events socket to completed.
    wait_for(driver, "return document.querySelector('#task-status').innerText.includes('completed')", "the completed status", timeout=30)
    screenshot(driver, "task-done")
    # The session page lists it.
    go(driver, f"/sessions/{session_id}", f"return document.querySelector('#session-tasks tr[data-id=\"{task_id}\"]') !== null",
       "the task in the session's list")
    screenshot(driver, "session-detail")
    no_page_errors(driver)


def test_approve_a_permission_request(server, chromium) -> None:
    if not os.access(CLAUDE_DOUBLE, os.X_OK):
        common.missing(f"the Claude Code double at {CLAUDE_DOUBLE}")
    created = server.api("POST", "/api/v1/sessions", {"agent": "claude"})
    assert created.status == 201, created.body[:300]
    session_id = created.json()["id"]
    task = server.api("POST", f"/api/v1/sessions/{session_id}/tasks", {"prompt": "bash echo yes > approved.txt\nsay finished"})
    assert task.status == 201, task.body[:300]
    driver = chromium("admin-permissions")
    log_in(driver, server)
    go(driver, "/permissions", "return document.querySelector('#permissions-table') !== null", "the permissions page")
    # The request appears through the events socket (the page does not poll).
    wait_for(driver, "return document.querySelector('#permissions-table button[data-action=approve]') !== null",
             "the pending permission request", timeout=90)
    assert "echo yes > approved.txt" in text(driver, "#permissions-table")
    screenshot(driver, "permission-pending")
    click(driver, "#permissions-table button[data-action=approve]")
    fill_dialog(driver, {"reason": "looks fine"})
    deadline = time.monotonic() + 10
    answered: list = []
    while time.monotonic() < deadline:
        answered = server.api("GET", f"/api/v1/permissions?session_id={session_id}").json()["items"]
        if answered and answered[0]["status"] != "pending":
            break
        time.sleep(0.1)
    assert answered and answered[0]["status"] == "approved", answered
    assert answered[0]["response_reason"] == "looks fine"
    # Approved through the admin origin: recorded as the admin user, not as an API key.
    assert answered[0]["responded_by"] == "admin", answered[0]
    wait_for(driver, "return document.querySelector('#permissions-table button[data-action=approve]') === null",
             "the answered request to leave the pending list")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.api("GET", f"/api/v1/tasks/{task.json()['id']}").json()["status"] != "completed":
        time.sleep(0.2)
    assert server.api("GET", f"/api/v1/tasks/{task.json()['id']}").json()["status"] == "completed"
    screenshot(driver, "permission-approved")


def active_command_session(server: common.Server) -> str:
    created = server.api("POST", "/api/v1/sessions", {"agent": "command"})
    assert created.status == 201, created.body[:300]
    session_id = created.json()["id"]
    # A long task makes the local provider start the session's runner.
    assert server.api("POST", f"/api/v1/sessions/{session_id}/tasks", {"prompt": "sleep 600"}).status == 201
    wait_session_active(server, session_id)
    return session_id


def test_open_and_close_a_tunnel(server, chromium) -> None:
    session_id = active_command_session(server)
    driver = chromium("admin-tunnels")
    log_in(driver, server)
    go(driver, "/tunnels", "return document.querySelector('#open-tunnel') !== null", "the tunnels page")
    click(driver, "#open-tunnel")
    fill_dialog(driver, {"session_id": session_id, "type": "http", "local_port": "8765"})
    wait_for(driver, "return document.querySelector('#tunnel-url') !== null", "the new tunnel's URL")
    url = text(driver, "#tunnel-url").strip()
    assert url.startswith("http"), url
    tunnels = server.api("GET", f"/api/v1/sessions/{session_id}/tunnels").json()["items"]
    assert [t["public_url"] for t in tunnels] == [url]
    wait_for(driver, "return document.querySelector('#tunnels-table button[data-action=close]') !== null", "the tunnel row")
    screenshot(driver, "tunnel-open")
    driver.execute_script("window.confirm = () => true")
    click(driver, "#tunnels-table button[data-action=close]")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and server.api("GET", f"/api/v1/sessions/{session_id}/tunnels").json()["items"]:
        time.sleep(0.1)
    assert server.api("GET", f"/api/v1/sessions/{session_id}/tunnels").json()["items"] == []
    server.api("DELETE", f"/api/v1/sessions/{session_id}")


def test_stream_viewer_embedded(server, chromium) -> None:
    session_id = active_command_session(server)
    stream = server.api("POST", f"/api/v1/sessions/{session_id}/streams", {"type": "testsrc", "width": 640, "height": 480, "fps": 30})
    assert stream.status == 201, stream.body[:300]
    stream_id = stream.json()["id"]
    driver = chromium("admin-stream")
    log_in(driver, server)
    go(driver, f"/streams/{stream_id}", "return document.querySelector('#stream-viewer') !== null", "the embedded viewer")
    frame = driver.find_element("css selector", "#stream-viewer")
    driver.switch_to.frame(frame)
    try:
        common.wait_js(driver, "return window.marionetteViewer ? window.marionetteViewer.framesDecoded() : -1",
                       lambda n: n is not None and n > 10, 40, "the embedded viewer to decode video")
    finally:
        driver.switch_to.default_content()
    wait_for(driver, "return document.querySelector('#stream-state').innerText.includes('active')", "the active state")
    screenshot(driver, "stream-viewer")
    go(driver, f"/streams?session_id={session_id}", f"return document.querySelector('#streams-table tr[data-id=\"{stream_id}\"]') !== null",
       "the stream in the list")
    screenshot(driver, "streams-list")
    server.api("DELETE", f"/api/v1/sessions/{session_id}")


# ---------------------------------------------------------------------------------------------


@pytest.fixture
def postgres():
    """A throwaway PostgreSQL cluster (scripts/pg-cluster.sh); yields (url, stop)."""
    if not shutil.which("initdb") and not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        common.missing("PostgreSQL server binaries (apt-get install postgresql)")
    folder = Path(common.tempfile.mkdtemp(prefix="marionette-ui-pg-"))  # the script hands it to postgres
    script = common.REPO_ROOT / "scripts" / "pg-cluster.sh"
    started = subprocess.run([str(script), "start", str(folder)], capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr[-2000:]
    url = started.stdout.strip().splitlines()[-1]

    def stop() -> None:
        subprocess.run([str(script), "stop", str(folder)], capture_output=True, timeout=60)

    yield url, stop
    stop()


def test_store_failure_is_shown_not_a_blank_page(postgres, chromium) -> None:
    url, stop_postgres = postgres
    servers = common.started_server({"MARIONETTE_DATABASE_URL": url})
    srv = next(servers)
    try:
        driver = chromium("admin-store-failure")
        log_in(driver, srv)
        screenshot(driver, "store-ok-dashboard")
        stop_postgres()
        # A fresh load of the dashboard names the failing database at once (GET /api/status) ...
        driver.refresh()
        wait_for(driver, "return document.querySelector('#dashboard-status .error-box') !== null",
                 "the dashboard's service error", timeout=20)
        errors = text(driver, "#dashboard-status")
        assert "Database is failing" in errors, errors
        screenshot(driver, "store-failed-dashboard")
        # ... and its lists, whose requests the stalled store never answers, give up with a message.
        wait_for(driver, "return document.querySelector('#dashboard-errors .error-box') !== null",
                 "the dashboard's list errors", timeout=45)
        assert "did not answer" in text(driver, "#dashboard-errors") or "HTTP 5" in text(driver, "#dashboard-errors")
        go(driver, "/sessions", "return document.querySelector('#app .error-box') !== null", "the sessions page's error", timeout=45)
        message = text(driver, "#app .error-box")
        assert "Could not load the list" in message, message
        page_text = text(driver, "#app")
        assert "Sessions" in page_text, "the page lost its frame"
        assert "Traceback" not in page_text and ".swift" not in page_text and " at http" not in page_text, page_text
        screenshot(driver, "store-failed-sessions")
        status = common.http("GET", f"http://127.0.0.1:{srv.admin_port}/api/status").json()
        database = next(s for s in status["services"] if s["name"] == "Database")
        assert database["status"] == "error" and database.get("message"), database
    finally:
        with common.contextlib.suppress(StopIteration):
            next(servers)


def test_sessions_list_stays_paged_at_1000_sessions(server, chromium) -> None:
    """Usable at 1,000 sessions: the list asks the server for one page at a time."""
    existing = server.api("GET", "/api/v1/sessions?limit=1").json()["total_count"]
    bulk = max(0, 1000 - existing)
    for index in range(bulk):
        created = server.api("POST", "/api/v1/sessions", {"agent": "command", "name": f"bulk-{index}", "labels": {"bulk": "yes"}})
        assert created.status == 201, created.body[:300]
    driver = chromium("admin-many")
    log_in(driver, server)
    started = time.monotonic()
    go(driver, "/sessions", "return document.querySelectorAll('#sessions-table tbody tr[data-id]').length === 50",
       "the first page of sessions")
    first_page_ms = (time.monotonic() - started) * 1000
    info = text(driver, ".pager")
    assert "of 1" in info and "50 shown" in info, info  # "Page 1 · 50 shown of 10xx"
    first_ids = driver.execute_script("return [...document.querySelectorAll('#sessions-table tbody tr[data-id]')].map(r => r.dataset.id)")
    click(driver, ".pager button:nth-child(2)")  # Next →
    wait_for(driver, "return document.querySelector('.pager').innerText.includes('Page 2')", "the second page")
    second_ids = driver.execute_script("return [...document.querySelectorAll('#sessions-table tbody tr[data-id]')].map(r => r.dataset.id)")
    assert len(second_ids) == 50 and not set(first_ids) & set(second_ids)
    # The label filter narrows on the server.
    driver.execute_script("const l = document.querySelector('#session-labels'); l.value = 'bulk=yes'; l.dispatchEvent(new Event('change'))")
    wait_for(driver, f"return document.querySelector('.pager').innerText.endsWith('of {bulk}')", "the label-filtered count")
    screenshot(driver, "sessions-1000")
    common.report("admin_ui_sessions_first_page_ms_at_1000", round(first_page_ms))


class WebhookReceiver:
    """A loopback HTTP endpoint that answers `status` and keeps what it received."""

    def __init__(self) -> None:
        self.status = 500
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def test_webhook_secret_once_and_delivery_retry(server, chromium) -> None:
    receiver = WebhookReceiver()
    try:
        driver = chromium("admin-webhooks")
        log_in(driver, server)
        go(driver, "/webhooks", "return document.querySelector('#create-webhook') !== null", "the webhooks page")
        click(driver, "#create-webhook")
        fill_dialog(driver, {"name": "ui-hook", "url": receiver.url, "events": "session.created", "max_retries": "0"})
        wait_for(driver, "return document.querySelector('#webhook-created .secret-value') !== null", "the signing secret")
        secret = text(driver, "#webhook-created .secret-value").strip()
        assert len(secret) == 64 and all(c in "0123456789abcdef" for c in secret), secret
        screenshot(driver, "webhook-created")
        admin_auth = {"Authorization": "Basic " + base64.b64encode(f"admin:{admin_password(server)}".encode()).decode()}
        hooks = common.http("GET", admin_base(server) + "/admin/api/v1/webhooks", headers=admin_auth).json()["items"]
        hook_id = next(h["id"] for h in hooks if h["name"] == "ui-hook")
        assert server.api("POST", "/api/v1/sessions", {"agent": "command", "name": "hooked"}).status == 201
        # The receiver answers 500: with no retries left the delivery ends failed/exhausted; the page
        # offers a manual retry.
        driver.execute_script("const i = document.querySelector('#deliveries-webhook'); i.value = arguments[0]; i.dispatchEvent(new Event('change'))", hook_id)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if driver.execute_script("return document.querySelector('#deliveries-table button[data-action=retry]') !== null"):
                break
            driver.execute_script("const i = document.querySelector('#deliveries-webhook'); i.dispatchEvent(new Event('change'))")
            time.sleep(0.5)
        assert driver.execute_script("return document.querySelector('#deliveries-table button[data-action=retry]') !== null"), \
            text(driver, "#deliveries-table")
        assert "HTTP 500" in text(driver, "#deliveries-table")
        screenshot(driver, "webhook-delivery-failed")
        receiver.status = 200
        attempts_before = len(receiver.received)
        click(driver, "#deliveries-table button[data-action=retry]")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(receiver.received) <= attempts_before:
            time.sleep(0.1)
        assert len(receiver.received) > attempts_before, "the retried delivery never arrived"
        headers, body = receiver.received[-1]
        expected = hmac.new(secret.encode(), headers["x-webhook-timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
        assert headers["x-webhook-signature"] == "sha256=" + expected
        deadline = time.monotonic() + 10
        events: list = []
        while time.monotonic() < deadline:
            events = common.http("GET", admin_base(server) + f"/admin/api/v1/webhook-events?webhook_id={hook_id}", headers=admin_auth).json()["items"]
            if events and events[0]["status"] == "delivered":
                break
            time.sleep(0.2)
        assert events and events[0]["status"] == "delivered", events
        common.http("DELETE", admin_base(server) + f"/admin/api/v1/webhooks/{hook_id}", headers=admin_auth)
    finally:
        receiver.close()
