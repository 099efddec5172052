"""Headless Chromium driven over the DevTools protocol, for the black-box
tests: open a page as a logged-in user (the session cookie of an
``OdooClient``), wait until it shows what it should, read its text, click,
type and take a screenshot. Debian's /usr/bin/chromium; nothing of Odoo."""

import base64
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests
import websocket

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
WIDTH, HEIGHT = 1280, 800


class BrowserError(AssertionError):
    pass


class Browser:
    def __init__(self, width=WIDTH, height=HEIGHT):
        self.profile = tempfile.mkdtemp(prefix="mph-chromium-")
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--lang=nl-NL",
                f"--window-size={width},{height}",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port = self._devtools_port()
            tab = requests.put(f"http://127.0.0.1:{port}/json/new?about:blank", timeout=10).json()
            self.ws = websocket.create_connection(tab["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
            self._id = 0
            self.send("Page.enable")
            self.send("Network.enable")
            self.send(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
        except BaseException:
            self.close()
            raise

    def _devtools_port(self):
        marker = Path(self.profile) / "DevToolsActivePort"
        deadline = time.time() + 30
        while time.time() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            if self.proc.poll() is not None:
                raise BrowserError("chromium stopped while starting")
            time.sleep(0.1)
        raise BrowserError("chromium did not open its DevTools port")

    def send(self, method, **params):
        self._id += 1
        call_id = self._id
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})

    def close(self):
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------

    def login_as(self, client):
        """Use the session of an authenticated OdooClient."""
        self.send("Network.clearBrowserCookies")
        session_id = client.session.cookies.get("session_id")
        if session_id:
            self.send("Network.setCookie", name="session_id", value=session_id, url=client.base_url, path="/")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url, ready, timeout=60):
        """Go to ``url`` and wait until the JavaScript expression ``ready`` is
        true (the page shows its data, not a spinner)."""
        self.send("Page.navigate", url=url)
        self.wait(ready, timeout=timeout)

    def wait(self, condition, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.evaluate(f"!!({condition})"):
                    return
            except BrowserError:
                pass  # the page is still loading
            time.sleep(0.2)
        raise BrowserError(f"timed out waiting for {condition} on {self.evaluate('location.href')}")

    def text(self):
        return self.evaluate("document.body ? document.body.innerText : ''")

    def url(self):
        return self.evaluate("location.href")

    def fill(self, selector, value):
        self.evaluate(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            f" el.focus(); el.value = {json.dumps(value)};"
            " el.dispatchEvent(new Event('input', {bubbles: true}));"
            " el.dispatchEvent(new Event('change', {bubbles: true})); })()"
        )

    def click(self, selector):
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def screenshot(self, path, settle=0.5):
        """A PNG of the visible window."""
        time.sleep(settle)  # let transitions end
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
