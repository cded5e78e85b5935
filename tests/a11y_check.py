"""Accessibility checks of an HTML file in headless Chromium, offline: axe-core and real key presses.

axe-core comes from the npm registry at set-up (``make a11y-tools``, or ``make setup`` where npm is
there) into the project's ignored folder ``.cache/axe-core``; Chromium is Debian's ``chromium``.
Nothing is fetched while checking. :class:`Page` opens the file in Chromium and drives it over the
DevTools protocol (``--remote-debugging-pipe``: JSON messages ending in a NUL byte on the file
descriptors 3 and 4): it evaluates JavaScript and sends trusted key presses (Tab, Enter, Space),
as a keyboard user would. :func:`axe_violations` loads ``axe.min.js`` into the page and runs

    axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                       rules: {<EXTRA_RULES>: {enabled: true}}})

Also a command line tool:  ``python tests/a11y_check.py report.html [more.html ...]``
prints every violation and exits 1 when there is one.
"""

import fcntl
import json
import os
import select
import signal
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AXE_JS = ROOT / ".cache" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# best-practice rules checked as well: the ones behind the WCAG criteria on structure (1.3.1, 2.4.1, 2.4.6)
EXTRA_RULES = ["heading-order", "empty-heading", "page-has-heading-one", "empty-table-header", "scope-attr-valid",
               "landmark-one-main", "region", "skip-link"]
KEYS = {"Tab": ("Tab", 9, ""), "Enter": ("Enter", 13, "\r"), " ": ("Space", 32, " ")}


def chromium():
    """The Chromium executable, or ``None``."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing_tools(axe=True):
    """Why the check cannot run here (``""`` when it can): which tool is missing and how to get it.

    ``axe=False``: only Chromium is needed.
    """
    missing = []
    if not chromium():
        missing.append("chromium (Debian package 'chromium')")
    if axe and not AXE_JS.is_file():
        missing.append("axe-core ({})".format(AXE_JS.relative_to(ROOT)))
    if not missing:
        return ""
    return "the accessibility check needs {}: run `make a11y-tools`".format(" and ".join(missing))


class Page:
    """An HTML file open in headless Chromium, driven over the DevTools protocol; use as a context manager."""

    def __init__(self, html_path, timeout=240):
        self.timeout = timeout
        self.folder = tempfile.TemporaryDirectory(prefix="a11y-")
        commands, self._to_browser = os.pipe()
        self._from_browser, replies = os.pipe()
        # Chromium reads the protocol from descriptor 3 and writes to 4; bash puts the pipes there (numbers of
        # 10 and above first, so that no redirection overwrites the other pipe; no preexec_fn, QGIS has threads)
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (commands, replies)]
        for fd in (commands, replies):
            os.close(fd)
        commands, replies = ends
        self._log = open(os.path.join(self.folder.name, "chromium.log"), "w+b")
        self.process = subprocess.Popen(
            ["/bin/bash", "-c", 'exec "$@" 3<&{0} 4>&{1} {0}<&- {1}>&-'.format(commands, replies), "bash",
             chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--remote-debugging-pipe", "--user-data-dir=" + os.path.join(self.folder.name, "profile"),
             "--window-size=1200,900", "about:blank"],
            pass_fds=(commands, replies), stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            start_new_session=True)  # its own process group: the helper processes Chromium starts end with it
        os.close(commands)
        os.close(replies)
        self._buffer, self._id, self.session = b"", 0, None
        try:
            url = Path(html_path).resolve().as_uri()
            target = self.send("Target.createTarget", url=url)["targetId"]
            self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            deadline = time.monotonic() + timeout
            # the new tab starts on about:blank, which is "complete" at once: wait for the file itself
            while self.js("location.href === {} && document.readyState".format(json.dumps(url))) != "complete":
                if time.monotonic() > deadline:
                    raise RuntimeError("{} did not finish loading".format(html_path))
                time.sleep(0.05)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _message(self, deadline):
        while b"\0" not in self._buffer:
            if not select.select([self._from_browser], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise RuntimeError("Chromium did not answer within {} s".format(self.timeout))
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                self._log.seek(0)
                raise RuntimeError("Chromium ended:\n" + self._log.read()[-2000:].decode(errors="replace"))
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method, **params):
        """Send one DevTools command (to the page once attached) and return its result."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self._id:   # events and other replies are not needed
                if "error" in reply:
                    raise RuntimeError("{}: {}".format(method, reply["error"]))
                return reply["result"]

    def js(self, expression):
        """The (JSON) value of the JavaScript ``expression`` in the page; promises are awaited."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError("JavaScript failed: {}".format(result["exceptionDetails"]))
        return result["result"].get("value")

    def press(self, key):
        """Press and release ``key`` ("Tab", "Enter" or " ") as a keyboard does (trusted events)."""
        code, number, text = KEYS[key]
        self.send("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, windowsVirtualKeyCode=number,
                  **({"text": text} if text else {}))
        self.send("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=number)

    def close(self):
        """End Chromium with every process it started (they may still write into the profile) and remove it."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                continue
            deadline = time.monotonic() + 10  # the group's other members
            while time.monotonic() < deadline:
                try:
                    os.killpg(self.process.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                continue
            break
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()
        self.folder.cleanup()


def axe_violations(html_path):
    """The axe-core violations of the page ``html_path``: the WCAG 2.0/2.1 A and AA rules and :data:`EXTRA_RULES`.

    Each violation is axe's dict (``id``, ``impact``, ``help``, ``helpUrl``, ``nodes`` with
    ``target`` and ``failureSummary``).
    """
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "rules": {r: {"enabled": True} for r in EXTRA_RULES},
               "resultTypes": ["violations"]}
    with Page(html_path) as page:
        page.js(AXE_JS.read_text(encoding="utf-8"))
        return page.js("axe.run(document, {}).then(function (result) {{ return result.violations; }})".format(
            json.dumps(options)))


def describe(violations, per_rule=10):
    """One block per violation: id, impact, help, then the first ``per_rule`` elements it concerns (target, why)."""
    lines = []
    for violation in violations:
        lines.append("{id} ({impact}): {help} <{helpUrl}>".format(**violation))
        for node in violation["nodes"][:per_rule]:
            lines.append("    {}".format(" ".join(str(t) for t in node["target"])))
            summary = " ".join((node.get("failureSummary") or "").split())
            if summary:
                lines.append("        {}".format(summary[:300]))
        if len(violation["nodes"]) > per_rule:
            lines.append("    ... and {} more".format(len(violation["nodes"]) - per_rule))
    return "\n".join(lines)


def main(paths):
    """Check every file in ``paths``; print the violations; 0 when there are none, 1 otherwise."""
    reason = missing_tools()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        violations = axe_violations(path)
        count = sum(len(v["nodes"]) for v in violations)
        print("{}: {} rule(s) violated, {} element(s)".format(path, len(violations), count))
        if violations:
            print(describe(violations))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
