"""The report (HTML and Markdown), checked in headless Chromium, and `rates explain`.

The browser test speaks the DevTools protocol over a pipe (--remote-debugging-pipe: JSON
messages separated by NUL on file descriptors 3 and 4), so it needs no websocket package and
opens no port.  It skips, saying why, where Chromium is not installed.
"""

import dataclasses
import fcntl
import json
import math
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from figures import forest, layout, report
from rates import registry
from rates.cli import lesson, main

FAST = "handbook-gd-strongly-convex"


@pytest.fixture(scope="module")
def written(synthetic_verdicts, synthetic_figures):
    """The report of every registered claim (synthetic verdicts), beside their figures."""
    verdicts = list(synthetic_verdicts.values())
    html_path, md_path = report.write(verdicts, synthetic_figures)
    return synthetic_figures, html_path, md_path, verdicts


@pytest.mark.slow
def test_html_has_a_row_and_a_figure_per_claim_and_nothing_remote(written):
    out, html_path, _, verdicts = written
    page = html_path.read_text()
    for v in verdicts:
        assert f'<tr id="{v.claim.id}" class="claim-row">' in page
        assert f'<img src="{v.claim.id}.png"' in page and (out / f"{v.claim.id}.png").exists()
        if v.claim.paper.arxiv:  # a paper without one (Polyak 1964) is cited by its venue
            assert f"arxiv.org/abs/{v.claim.paper.arxiv}" in page
        assert layout._num(v.measured) in page
    # no network resource: no script, no external style sheet, every src relative
    assert "<script" not in page and "<link" not in page
    assert all(not re.match(r"[a-z]+:", src) for src in re.findall(r'src="([^"]*)"', page))


@pytest.mark.slow
def test_markdown_table_has_every_claim(written):
    _, _, md_path, verdicts = written
    rows = [line for line in md_path.read_text().splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| paper | claim | stated | measured (CI) | verdict | control")
    body = rows[1:]
    assert len(body) == len(verdicts)
    for v, line in zip(verdicts, body, strict=True):
        assert f"`{v.claim.id}`" in line and f'src="{v.claim.id}.png"' in line
        assert line.count(" | ") == 7  # pipes in the claims' texts are escaped


@pytest.mark.slow
def test_figures_elsewhere_are_linked_relatively(tmp_path, synthetic_verdicts,
                                                synthetic_figures):
    v = synthetic_verdicts[FAST]
    (tmp_path / "figs").symlink_to(synthetic_figures)
    html_path, _ = report.write([v], tmp_path / "site", figures_dir=tmp_path / "figs")
    assert f'src="../figs/{FAST}.png"' in html_path.read_text()


@pytest.mark.slow
def test_report_command_writes_page_table_and_figures(tmp_path, capsys):
    assert main(["report", FAST, "--out", str(tmp_path)]) == 0
    assert f"wrote {tmp_path / 'report.html'}" in capsys.readouterr().out.replace("\n", "")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"{FAST}.png", "data", "forest.svg", "report.html", "report.md"])
    assert "holds" in (tmp_path / "report.md").read_text()
    # each figure links to its data: the trace as a CSV table and the verdict record beside it
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [f"{FAST}.csv",
                                                                     f"{FAST}.json"]
    page = (tmp_path / "report.html").read_text()
    assert f'href="data/{FAST}.csv"' in page and f'href="data/{FAST}.json"' in page
    header = (tmp_path / "data" / f"{FAST}.csv").read_text().splitlines()[0]
    assert header == "claim,seed,role,run,x,value,statistic,fit,bound,in_window"


# --- the page in a real browser -----------------------------------------------------------------

def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class DevTools:
    """A minimal DevTools-protocol client over --remote-debugging-pipe."""

    def __init__(self, binary: str, profile: Path, timeout: float = 30.0):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def fds_3_and_4():  # the browser reads commands on fd 3 and writes replies on fd 4
            a = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--disable-extensions", "--remote-debugging-pipe",
             f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=fds_3_and_4, close_fds=False, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.timeout = timeout
        self.events: list[dict] = []
        self._buffer = b""
        self._id = 0

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._receive(deadline))

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (OSError, EOFError, TimeoutError, RuntimeError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def load_in_chromium(url: str, profile: Path, expression: str) -> tuple[object, list[str],
                                                                          list[str]]:
    """Open ``url``; return the value of ``expression``, the console errors, the requests."""
    binary = chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    browser = DevTools(binary, profile)
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            browser.call(f"{domain}.enable", session=session)
        browser.call("Page.navigate", {"url": url}, session=session)
        browser.wait_for("Page.loadEventFired")
        value = browser.call("Runtime.evaluate", {"expression": expression,
                                                  "returnByValue": True},
                             session=session)["result"]["value"]
    finally:
        browser.close()
    errors, requests = [], []
    for e in browser.events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(json.dumps(params.get("args")))
        elif method == "Runtime.exceptionThrown":
            errors.append(json.dumps(params.get("exceptionDetails")))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            errors.append(params["entry"]["text"] + " " + params["entry"].get("url", ""))
        elif method == "Network.requestWillBeSent":
            requests.append(params["request"]["url"])
    return json.loads(value), errors, requests


PAGE_FACTS = """JSON.stringify({
  rows: [...document.querySelectorAll('tr.claim-row')].map(r => r.id),
  images: [...document.images].map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]),
  forest: [...document.querySelectorAll('figure.forest svg a')].map(
    a => a.getAttribute('href') || a.getAttribute('xlink:href')),
  forestBox: (s => s ? [s.getBoundingClientRect().width, s.getBoundingClientRect().height]
                     : null)(document.querySelector('figure.forest svg')),
  forestFirst: (document.querySelector('figure.forest') || {compareDocumentPosition: () => 0})
    .compareDocumentPosition(document.querySelector('table') || document.body) &
    Node.DOCUMENT_POSITION_FOLLOWING,
  targets: [...document.querySelectorAll('figure.forest svg a')].every(
    a => document.getElementById(
      (a.getAttribute('href') || a.getAttribute('xlink:href')).slice(1)) !== null),
  data: [...document.querySelectorAll('a.data')].map(a => a.getAttribute('href'))
})"""


@pytest.mark.slow
def test_the_page_in_headless_chromium(written, tmp_path):
    out, html_path, _, verdicts = written
    facts, errors, requests = load_in_chromium(html_path.resolve().as_uri(), tmp_path / "profile",
                                               PAGE_FACTS)
    assert facts["rows"] == [v.claim.id for v in verdicts]
    assert [src for src, _, _ in facts["images"]] == [f"{v.claim.id}.png" for v in verdicts]
    assert all(complete and width == 750 for _, complete, width in facts["images"]), facts
    # the forest plot opens the page: a row link per claim, each to a row that exists
    assert facts["forestFirst"] and facts["targets"]
    assert {h[1:] for h in facts["forest"]} == {v.claim.id for v in verdicts}
    width, height = facts["forestBox"]
    assert width > 300 and height > 10 * len(verdicts)
    assert facts["data"] == [f"data/{v.claim.id}.{kind}" for v in verdicts
                             for kind in ("csv", "json")]
    assert errors == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests


def test_the_browser_check_can_fail(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><table><tr class="claim-row" id="x"></tr>'
                    '</table><img src="missing.png"><script>console.error("boom")</script>'
                    "</body></html>")
    facts, errors, _ = load_in_chromium(page.as_uri(), tmp_path / "profile", PAGE_FACTS)
    assert facts["images"] == [["missing.png", True, 0]]
    assert any("boom" in e for e in errors) and any("missing.png" in e for e in errors)


# --- the forest plot ----------------------------------------------------------------------------

def test_the_forest_normalises_each_claim_to_its_accepted_interval(synthetic_verdicts):
    by_law = {}
    for v in synthetic_verdicts.values():
        by_law.setdefault((v.claim.law, v.claim.mode, v.claim.tolerance.outside), v)
    for (law, mode, outside), v in by_law.items():
        placed = forest.place(v, v.outcome)
        lo, hi = placed.accepted
        finite = [x for x in (lo, hi) if math.isfinite(x)]
        if len(finite) == 2:  # a two-sided interval is [-1, 1]; a one-sided one ends at -1 or 1
            assert (lo, hi) == pytest.approx((-1.0, 1.0)), (law, mode)
        elif v.claim.tolerance.below > 0 and v.claim.tolerance.above > 0:
            assert finite and abs(finite[0]) == pytest.approx(1.0), (law, mode)
        assert placed.outside == outside
        holds = v.outcome.verdict == "holds"
        if outside:  # the CI must avoid [lo, hi]
            assert holds == (placed.hi < lo or placed.lo > hi), (law, mode)
        else:
            assert holds == (lo <= placed.lo and placed.hi <= hi), (law, mode)
            control = forest.place(v, v.control)
            assert not (lo <= control.lo and control.hi <= hi), (law, mode)


def test_a_geometric_rate_is_normalised_in_minus_log_rho(make_verdict):
    v = make_verdict(registry.get("polyak-heavy-ball"))
    rho, stated = v.measured, v.stated
    a, b = v.outcome.accepted  # relative 1% of -ln rho on both sides
    width = -math.log(a) - -math.log(stated)
    u = forest.place(v, v.outcome).u
    assert u == pytest.approx((-math.log(rho) + math.log(stated)) / width)
    slower = forest.place(v, v.control)  # GD's factor is larger: slower, to the left
    assert slower.u < -1


def test_the_forest_marks_a_diverged_control_and_links_every_row(synthetic_verdicts):
    v = synthetic_verdicts[FAST]
    diverged = dataclasses.replace(v.control, measurement=dataclasses.replace(
        v.control.measurement, diverged_at=12, fit=None))
    odd = dataclasses.replace(v, control=diverged)
    assert forest.place(odd, diverged).note == "diverged at step 12"
    svg = forest.svg([odd, *synthetic_verdicts.values()])
    assert "diverged at step 12" in svg
    links = set(re.findall(r'<a xlink:href="#([^"]+)"', svg))
    assert links == set(synthetic_verdicts)
    assert forest.svg([odd]) == forest.svg([odd])  # no date, salted ids: reproducible
    element = forest.inline(svg)
    assert element.startswith("<svg") and 'width="' not in element.split(">", 1)[0]


# --- rates explain ----------------------------------------------------------------------------

def test_explain_prints_theorem_lesson_setup_and_what_to_look_for(capsys):
    assert main(["explain", "handbook-sgd-switching"]) == 0
    out = capsys.readouterr().out
    for text in ("THE THEOREM", "THE LESSON", "THE SETUP", "THE FIGURE", "Theorem 5.9",
                 "What to look for", "[1, Theorem 5.9]", "schedule = 'switching'",
                 "rates figures handbook-sgd-switching"):
        assert text in out, text


def test_the_lesson_field_comes_first_then_the_module_docstring():
    claim = registry.get(FAST)
    assert lesson(claim).startswith("Gradient descent and SGD")  # paper_checks/handbook.py
    taught = dataclasses.replace(claim, lesson="\n    Watch the slope.\n")
    assert lesson(taught) == "Watch the slope."


def test_explain_unknown_claim_is_a_usage_error(capsys):
    assert main(["explain", "handbook-gd-convx"]) == 2
    assert "did you mean handbook-gd-convex" in capsys.readouterr().err.replace("\n", "")
