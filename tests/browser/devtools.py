"""Headless Chromium driven over the DevTools protocol through a websocket."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

#: Lists the links and images of a page, resolved by the browser.
_INVENTORY = """JSON.stringify({
  lang: document.documentElement.lang,
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  images: Array.from(document.images).map(i => ({
    src: i.src.slice(0, 60), ok: i.complete && i.naturalWidth > 0})),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  text: document.body.innerText,
})"""


#: Tables wider than the box they are shown in (a cut column on screen or on paper).
_OVERFLOW = """JSON.stringify(Array.from(document.querySelectorAll('table'))
  .filter(t => t.offsetParent !== null)
  .map(t => {
    const box = t.closest('.jp-OutputArea-output') || document.body;
    const style = getComputedStyle(box);
    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return {width: t.scrollWidth, room: room,
            head: t.innerText.trim().split('\\n')[0].slice(0, 60)};
  })
  .filter(t => t.width > t.room + 1))"""


@dataclass
class PageCheck:
    """What a page showed: its language, links, images, errors and text."""

    lang: str
    links: list[str]
    images: list[dict]
    ids: list[str]
    text: str
    errors: list[str] = field(default_factory=list)


class Chromium:
    """A headless Chromium and one DevTools websocket to it."""

    def __init__(self, binary: str, profile: Path):
        import websocket

        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "--window-size=1280,900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        url = self._devtools_url()
        self.socket = websocket.create_connection(url, timeout=120, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def _devtools_url(self) -> str:
        deadline = time.monotonic() + 300  # generous: a loaded machine starts Chromium late
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if line.startswith("DevTools listening on "):
                return line.split(" on ", 1)[1].strip()
            if not line and self.process.poll() is not None:
                break
        raise RuntimeError("Chromium did not open its DevTools port")

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str, seconds: float = 120) -> None:
        self.socket.settimeout(seconds)
        if any(e.get("method") == method and e.get("sessionId") == session for e in self.events):
            return
        while True:
            event = json.loads(self.socket.recv())
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return

    def check(self, path: Path, screenshot: Path) -> PageCheck:
        """Open ``path``, collect what it logs and holds, save a full-page screenshot."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        self.wait_for("Page.loadEventFired", session)
        time.sleep(0.5)
        self.send("Runtime.evaluate", {"expression": "1"}, session=session)  # drain events
        found = self.send(
            "Runtime.evaluate", {"expression": _INVENTORY, "returnByValue": True}, session=session
        )
        page = PageCheck(**json.loads(found["result"]["value"]))
        page.errors = _errors([e for e in self.events if e.get("sessionId") == session])
        shot = self.send(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True},
            session=session,
        )
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        self.send("Target.closeTarget", {"targetId": target})
        return page

    def overflowing(self, path: Path, width: int, media: str = "screen") -> list[dict]:
        """The tables of ``path`` wider than their box in a window ``width`` CSS pixels wide,
        for ``media`` "screen" or "print" (as laid out on paper of that width)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.send("Page.enable", session=session)
        metrics = {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": False}
        self.send("Emulation.setDeviceMetricsOverride", metrics, session=session)
        self.send("Emulation.setEmulatedMedia", {"media": media}, session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        self.wait_for("Page.loadEventFired", session)
        found = self.send(
            "Runtime.evaluate", {"expression": _OVERFLOW, "returnByValue": True}, session=session
        )
        self.send("Target.closeTarget", {"targetId": target})
        return json.loads(found["result"]["value"])

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=30)


def _errors(events: list[dict]) -> list[str]:
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(f"console: {[a.get('value') for a in params.get('args', [])]}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            found.append(f"network: {params.get('errorText')}")
    return found


def broken_links(page: PageCheck, base: Path) -> list[str]:
    """Links of a page that do not resolve: a missing file, a missing anchor, another site."""
    broken = []
    for link in page.links:
        url = urlparse(link)
        if url.scheme == "file":
            if not Path(unquote(url.path)).exists():
                broken.append(link)
            elif url.fragment and Path(unquote(url.path)) == base and url.fragment not in page.ids:
                broken.append(link)
        else:
            broken.append(link)
    return broken
