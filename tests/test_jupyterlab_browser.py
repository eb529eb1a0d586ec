"""JupyterLab 4 in a real browser: a student opens the built notebook and runs it.

The test starts the venv's ``jupyter lab`` on 127.0.0.1 (a free port, a random
token, no browser) with every per-user Jupyter, IPython and matplotlib folder
in a temporary directory, so nothing of the machine's own settings leaks in.
It copies the notebooks written by ``autograder.build.build`` into the
server's root, opens them in headless Chromium (Debian's ``chromium``, driven
by Playwright's Python package through ``executable_path``; never a
downloaded browser), runs every cell from the Run menu, waits until every
code cell has run and the kernel is idle, and reads what the page shows:

- the untouched student notebook says "not implemented yet" and shows no
  error output;
- the answer key's notebook shows its public checks passing, never "not
  implemented yet", and no error output.

A screenshot of each run is saved under pytest's tmp path (its path is
printed). The server is shut down through its REST API whatever happens
(killed if it does not stop), and the test fails if any process it started
(server, kernel, browser) is left behind.

Skipped, with the reason, only when ``chromium`` is not on PATH (.ci/run
installs it).
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright

from autograder import build

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium")
JUPYTER = Path(sys.executable).with_name("jupyter")
NOTEBOOK = build.NOTEBOOK_NAME
RAISES = "raises.ipynb"       # one cell that raises: the error detector must see it
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-default-apps", "--disable-sync", "--no-first-run",
                  "--metrics-recording-only", "--mute-audio"]
# JupyterLab user settings: every cell in the DOM (so the page can be read
# whole), and no request to the internet for news or updates.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}
SERVER_START_S = 180          # generous: the machine is shared and busy
KERNEL_READY_MS = 180_000
RUN_ALL_MS = 600_000
NOT_YET = "not implemented yet"
PASSED = re.compile(r"\b(\d+) of (\d+) public cases? passed")
ERROR_OUTPUT = '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'

if CHROMIUM is None:
    pytest.skip("Debian's chromium is not on PATH (apt-get install chromium; .ci/run does)",
                allow_module_level=True)


# ---------------------------------------------------------------------------
# The notebooks and the server

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{(lang, variant): folder} of the built notebooks (not executed)."""
    out = tmp_path_factory.mktemp("built")
    build.build(out, langs=("en", "zh"), execute=False, releases=())
    return {(lang, variant): out / lang / variant
            for lang in ("en", "zh") for variant in build.VARIANTS}


def _free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _isolated_env(home):
    """The environment for jupyter lab: every per-user folder under home."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTER", "IPYTHON", "PYTHON", "MPL"))}
    folders = {"HOME": "home", "JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
               "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
               "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces", "IPYTHONDIR": "ipython",
               "MPLCONFIGDIR": "matplotlib", "XDG_CONFIG_HOME": "xdg-config",
               "XDG_CACHE_HOME": "xdg-cache", "XDG_DATA_HOME": "xdg-data"}
    for key, name in folders.items():
        (home / name).mkdir(parents=True, exist_ok=True)
        env[key] = str(home / name)
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _write_lab_settings(settings_dir):
    """JupyterLab user settings (LAB_SETTINGS) into a fresh settings folder."""
    for name, values in LAB_SETTINGS.items():
        path = Path(settings_dir) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


class LabServer:
    """A running ``jupyter lab``: its base URL, token, root folder and process."""

    def __init__(self, base, token, root, process, marker, log):
        self.base, self.token, self.root = base, token, root
        self.process, self.marker, self.log = process, marker, log

    def api(self, method, path):
        """One authenticated REST call; returns the decoded JSON (or None)."""
        request = urllib.request.Request(self.base + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def url(self, relpath):
        """relpath opened in a workspace of its own (no tab of an earlier test comes back)."""
        workspace = re.sub(r"[^A-Za-z0-9]+", "-", relpath)
        return f"{self.base}lab/workspaces/{workspace}/tree/{relpath}?token={self.token}"

    def log_tail(self, lines=40):
        """The server log's last lines, for failure messages."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _wait_until_up(server):
    """Poll /api/status until the server answers; fail with its log if it dies."""
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"jupyter lab exited with {server.process.returncode}:\n"
                        f"{server.log_tail()}")
        with contextlib.suppress(OSError):
            server.api("GET", "api/status")
            return
        time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer within {SERVER_START_S} s:\n{server.log_tail()}")


def _assert_token_required(server):
    """The server refuses an API call that carries no token."""
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server.base + "api/sessions", timeout=30)
    assert refused.value.code == 403, refused.value


def _processes_mentioning(marker):
    """Pids of live processes whose command line or environment holds marker."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            blob = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
            if marker.encode() in blob and (entry / "stat").read_text().split(") ")[-1][0] != "Z":
                found.append(int(entry.name))
    return found


def _reap(marker, wait_s):
    """Wait up to wait_s for every process mentioning marker to end; kill the rest.

    Returns the pids that had to be killed."""
    deadline = time.monotonic() + wait_s
    while _processes_mentioning(marker) and time.monotonic() < deadline:
        time.sleep(0.5)
    strays = _processes_mentioning(marker)
    for pid in strays:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return strays


def _stop(server):
    """Shut the server down through its API (kernels included); kill what is left.

    Returns the pids that were still running after a clean shutdown was asked for."""
    with contextlib.suppress(OSError, urllib.error.URLError):
        server.api("POST", "api/shutdown")
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.process.wait(timeout=60)
    strays = _reap(server.marker, wait_s=30)
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=30)
    return strays


@pytest.fixture(scope="module")
def lab(tmp_path_factory, built):
    """A jupyter lab serving a root that holds a copy of every built notebook folder."""
    home = tmp_path_factory.mktemp("jupyter-home")
    root = tmp_path_factory.mktemp("lab-root")
    for (lang, variant), folder in built.items():
        shutil.copytree(folder, root / lang / variant)
    raises = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    raises.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                     "language": "python"}
    nbformat.write(raises, root / RAISES)
    env = _isolated_env(home)
    _write_lab_settings(env["JUPYTERLAB_SETTINGS_DIR"])
    env["JUPYTER_TOKEN"] = token = secrets.token_hex(24)   # not on the command line
    port = _free_port()
    log = home / "jupyter-lab.log"
    command = [str(JUPYTER), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        command.append("--allow-root")    # CI containers run as root
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL,
                                   stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    server = LabServer(f"http://127.0.0.1:{port}/", token, root, process, str(home), log)
    try:
        _wait_until_up(server)
        assert process.pid in _processes_mentioning(server.marker)   # the stray check sees it
        _assert_token_required(server)
        yield server
    finally:
        strays = _stop(server)
    assert not strays, f"processes left after jupyter lab's shutdown (killed): {strays}"


# ---------------------------------------------------------------------------
# The browser

@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Debian chromium driven by Playwright (no downloaded browser), with
    its own HOME (its crash-report folder goes there, not to the machine's)."""
    home = tmp_path_factory.mktemp("browser-home")
    env = {**_isolated_env(home), "TMPDIR": str(home)}
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                  args=CHROMIUM_FLAGS, env=env, timeout=120_000)
            try:
                assert _processes_mentioning(str(home)), "the stray check cannot see chromium"
                yield chromium
            finally:
                chromium.close()
    finally:
        strays = _reap(str(home), wait_s=30)
    assert not strays, f"browser processes left after it was closed (killed): {strays}"


@pytest.fixture()
def page(browser):
    """A fresh browser context and page (no cookie or storage from another test)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
PROMPTS = f"{PANEL} .jp-CodeCell .jp-InputArea-prompt"
STATUS = f"{PANEL} .jp-Notebook-ExecutionIndicator"
# Every code cell has run (a number in its prompt, none queued) and the kernel is idle.
ALL_RAN_JS = """([promptSelector, statusSelector, codeCells]) => {
    const prompts = [...document.querySelectorAll(promptSelector)];
    const status = document.querySelector(statusSelector);
    return prompts.length === codeCells
        && prompts.every((p) => /^\\[\\d+\\]:$/.test(p.textContent.trim()))
        && status !== null && status.getAttribute('data-status') === 'idle';
}"""
# Some code cell has started (its prompt is [*] or a number).
STARTED_JS = """(selector) => [...document.querySelectorAll(selector)].some(
    (p) => /^\\[(\\*|\\d+)\\]:$/.test(p.textContent.trim()))"""
KERNEL_IDLE = re.compile(r"\| Idle$")


def _code_cells(path):
    """How many code cells the notebook file holds."""
    return sum(cell["cell_type"] == "code" for cell in json.loads(path.read_text())["cells"])


def _click_run_all(page):
    """Run > Run All Cells, from JupyterLab's menu bar, once the kernel is idle."""
    page.locator("#jp-main-statusbar").get_by_text(KERNEL_IDLE).wait_for(timeout=KERNEL_READY_MS)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def _run_all(page, server, relpath):
    """Open relpath in JupyterLab, run all cells from the Run menu, wait for the end.

    A click that lands before the kernel is attached to the notebook runs nothing
    (JupyterLab only moves the selection): then it is clicked once more."""
    page.goto(server.url(relpath), timeout=180_000)
    page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell", timeout=KERNEL_READY_MS)
    _click_run_all(page)
    try:
        page.wait_for_function(STARTED_JS, arg=PROMPTS, timeout=60_000, polling=500)
    except PlaywrightTimeout:
        _click_run_all(page)
    page.wait_for_function(ALL_RAN_JS, arg=[PROMPTS, STATUS, _code_cells(server.root / relpath)],
                           timeout=RUN_ALL_MS, polling=500)


@contextlib.contextmanager
def _explained(page, tmp_path, name):
    """On any failure, save a screenshot and say what the notebook's prompts showed."""
    try:
        yield
    except Exception:
        path = tmp_path / f"{name}-failed.png"
        with contextlib.suppress(Exception):
            page.screenshot(path=str(path))
            print(f"screenshot of the failure: {path}")
            print("prompts:", page.locator(PROMPTS).all_inner_texts())
            print("status:", page.locator(STATUS).first.get_attribute("data-status", timeout=5000))
        raise


def _screenshot(page, tmp_path, name, anchor):
    """Scroll anchor into view, save a screenshot, print where it went."""
    anchor.scroll_into_view_if_needed(timeout=30_000)
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return path


def _check_questions(path):
    """Question ids of the notebook's public-check cells, in order."""
    cells = json.loads(path.read_text())["cells"]
    return [cell["metadata"]["rnngrade"]["question"] for cell in cells
            if cell["metadata"].get("rnngrade", {}).get("role") == "check"]


def _check_output(page, qid):
    """The output (a locator) of the code cell that runs check(qid, globals())."""
    cell = page.locator(f"{PANEL} .jp-CodeCell").filter(has_text=f'check("{qid}", globals())')
    return cell.locator(".jp-OutputArea-output")


def _outputs_text(page):
    """Everything the notebook's outputs show, as one text."""
    return "\n".join(page.locator(f"{PANEL} .jp-OutputArea-output").all_inner_texts())


def _error_outputs(page):
    """Texts of the error outputs (tracebacks, stderr) the page shows."""
    return page.locator(f"{PANEL} {ERROR_OUTPUT}").all_inner_texts()


def _close_sessions(server):
    """Shut down the kernels this test started (the server stays up)."""
    for session in server.api("GET", "api/sessions"):
        server.api("DELETE", f"api/sessions/{session['id']}")


@pytest.fixture()
def run_notebook(lab, page, tmp_path):
    """run_notebook(relpath): open it in JupyterLab and run all cells; kernels
    are shut down after the test."""
    def run(relpath):
        with _explained(page, tmp_path, relpath.replace("/", "-")):
            _run_all(page, lab, relpath)
        return lab.root / relpath

    try:
        yield run
    finally:
        _close_sessions(lab)


def _public_check_outputs(page, tmp_path, path, name, shown):
    """{question id: text under its public-check cell} of the notebook at path,
    run in the page: every check cell has exactly one visible output; the
    output of the check number ``shown`` is screenshotted as ``name``."""
    questions = _check_questions(path)
    assert questions, f"{path} has no public-check cell"
    _screenshot(page, tmp_path, name, _check_output(page, questions[shown]))
    outputs = {}
    for qid in questions:
        output = _check_output(page, qid)
        assert output.count() == 1 and output.is_visible(), f"no output under check {qid}"
        outputs[qid] = output.inner_text()
    return outputs


# ---------------------------------------------------------------------------
# The tests

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_untouched_student_notebook_says_not_implemented_yet(run_notebook, page, tmp_path, lang):
    outputs = _public_check_outputs(page, tmp_path, run_notebook(f"{lang}/student/{NOTEBOOK}"),
                                    f"student-{lang}", shown=0)
    for qid, text in outputs.items():
        assert NOT_YET in text, f"check {qid}: {text!r}"
    passed = [count for count in PASSED.findall(_outputs_text(page)) if count[0] == count[1]]
    assert passed == [], "a stub passed public cases"
    assert _error_outputs(page) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_answer_key_notebook_passes_its_public_checks(run_notebook, page, tmp_path, lang):
    outputs = _public_check_outputs(page, tmp_path, run_notebook(f"{lang}/solution/{NOTEBOOK}"),
                                    f"solution-{lang}", shown=1)
    for qid, text in outputs.items():
        assert f"All public cases of {qid} passed" in text, text
    text = _outputs_text(page)
    counts = PASSED.findall(text)
    assert counts and all(earned == total for earned, total in counts), counts
    assert NOT_YET not in text
    assert _error_outputs(page) == []


def test_an_error_cell_is_seen(run_notebook, page):
    """The error-output selector the tests above rely on finds a real traceback."""
    run_notebook(RAISES)
    errors = _error_outputs(page)
    assert len(errors) == 1 and "ZeroDivisionError" in errors[0], errors
