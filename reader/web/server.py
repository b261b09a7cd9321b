"""The web server behind ``reader serve``: a page, its static files, and one app per websocket.

Safety rules, each enforced for every request before anything else runs:

- With a token (required for any address but loopback), a request must carry it, as
  ``?token=`` or as the cookie the page sets; otherwise 403, and no app process is started.
- Without a token (loopback only), the Host header must name the loopback itself, so a web page
  that rebinds its own DNS name to 127.0.0.1 cannot reach the server.
- A websocket must come from a page of this server (its Origin matches the Host): browsers let
  any web page open a websocket to localhost, and an app session is full access to the database.
- The page loads nothing from anywhere but the server (textual-serve's own page links a font
  stylesheet from a public CDN); the Content-Security-Policy header makes the browser hold to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import os
import secrets
import shlex
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

WEB_FILES = Path(str(files("reader.web")))
TEXTUAL_STATIC = Path(str(files("textual_serve"))) / "static"
PAGE_TEMPLATE = WEB_FILES / "page.html"
MIN_TOKEN_LENGTH = 16
STOP_GRACE = 3.0  # seconds an app gets to quit by itself before its process group is killed
SPARES = 2  # apps started for pages whose websocket has not come yet, at most
SPARE_SECONDS = 20.0  # a spare no websocket has claimed by then is stopped
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",  # xterm.js sets element styles
        "script-src 'self'",
        "frame-ancestors 'none'",  # no other site can frame the page and catch keystrokes
        "base-uri 'none'",
        "form-action 'none'",
    ]
)
LOCAL_NAMES = {"localhost", "localhost.localdomain"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServeError(Exception):
    """A problem that stops the server from starting, said in one sentence for the user."""


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost."""
    name = host.strip("[]").lower()
    if name in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def check_token(token: str) -> str:
    if len(token) < MIN_TOKEN_LENGTH or not token.isprintable() or " " in token:
        raise ServeError(
            f"the token must be at least {MIN_TOKEN_LENGTH} characters without spaces"
            " (leave --token out to get a random one)"
        )
    return token


def app_command(db: str) -> list[str]:
    """The command one browser session runs: this reader on the same database, as given."""
    return [sys.executable, "-m", "reader", "open", f"--db={db}"]


def listen_socket(host: str, port: int) -> socket.socket:
    """A listening socket on exactly ``host`` (no other address), or a ServeError saying why not."""
    bind_host = "127.0.0.1" if host.lower() in LOCAL_NAMES else host.strip("[]")
    try:
        family, _, _, _, address = socket.getaddrinfo(
            bind_host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise ServeError(f"cannot listen on {host!r}: {error.strerror}") from error
    try:
        return socket.create_server(address, family=family, backlog=128)
    except OSError as error:
        if error.errno == 98 or "in use" in str(error):  # EADDRINUSE
            raise ServeError(
                f"port {port} on {host} is already in use (another reader serve?);"
                " stop it or choose another with --port"
            ) from error
        raise ServeError(f"cannot listen on {host} port {port}: {error.strerror}") from error


class AppSession(AppService):
    """One browser session: a ``reader open`` process in its own process group.

    textual-serve starts the command through a shell and, on stop, only asks the app to quit;
    here the command runs without a shell (the --db value is passed as it is, never parsed) and
    a process that does not quit in time is killed with its whole group, so no app outlives the
    server. A session can start before its browser's websocket exists (see ReaderServer's
    spares): until ``attach``, what the app writes is kept and then replayed in order.
    """

    def __init__(self, argv: Sequence[str], download_manager: DownloadManager) -> None:
        super().__init__(
            shlex.join(argv),
            write_bytes=self._to_browser,
            write_str=self._to_browser,
            close=self._close_browser,
            download_manager=download_manager,
        )
        self.argv = list(argv)
        self.websocket: web.WebSocketResponse | None = None
        self.pending: list[bytes | str] = []
        self.ended = False  # the app said goodbye, or its browser went away
        self.claimed = False  # a websocket has taken this session
        self.decided = asyncio.Event()  # a spare is taken, or to be stopped
        self.size = (80, 24)  # the terminal size the app was started with

    @property
    def alive(self) -> bool:
        process = self._process
        return process is not None and process.returncode is None and not self.ended

    async def _to_browser(self, data: bytes | str) -> None:
        if self.websocket is None:
            self.pending.append(data)
        elif isinstance(data, bytes):
            await self.websocket.send_bytes(data)
        else:
            await self.websocket.send_str(data)

    async def _close_browser(self) -> None:
        self.ended = True
        if self.websocket is not None:
            await self.websocket.close()

    async def start(self, width: int, height: int) -> None:
        self.size = (width, height)
        await super().start(width, height)

    async def attach(self, websocket: web.WebSocketResponse) -> None:
        """Give the session its browser: replay what the app wrote so far, in order."""
        while self.pending:  # no await between the last check and the switch: order is kept
            data = self.pending.pop(0)
            if isinstance(data, bytes):
                await websocket.send_bytes(data)
            else:
                await websocket.send_str(data)
        self.websocket = websocket

    async def _open_app_process(self, width: int = 80, height: int = 24):  # type: ignore[no-untyped-def]
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def close(self) -> None:
        """Ask the app to quit; kill its process group if it has not within STOP_GRACE."""
        self.ended = True
        process = self._process
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.stop(), STOP_GRACE)
        if process is None:
            return
        for signal_number in (signal.SIGTERM, signal.SIGKILL):
            if process.returncode is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal_number)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), STOP_GRACE)


@dataclass
class ServeConfig:
    db: str
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None  # None: loopback without a token


class ReaderServer:
    """The aiohttp application: the guard, the page, the static files and the sessions."""

    def __init__(self, config: ServeConfig, port: int) -> None:
        self.config = config
        self.port = port  # the bound port (config.port may be 0)
        self.cookie_name = f"reader_token_{port}"  # cookies are shared between ports
        self.sessions: set[AppSession] = set()  # every app process, spares included
        self.spares: list[AppSession] = []
        self.keepers: set[asyncio.Task[None]] = set()  # spares starting or waiting
        self.last_size = (80, 24)  # the size of the latest browser: the best guess for the next
        self.download_manager = DownloadManager()
        self.page = PAGE_TEMPLATE.read_text(encoding="utf-8")

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        app.add_routes(
            [
                web.get("/", self.handle_page),
                web.get("/ws", self.handle_websocket),
                web.static("/static/textual", TEXTUAL_STATIC),
                web.static("/static/reader", WEB_FILES / "static"),
            ]
        )
        app.on_response_prepare.append(self.add_security_headers)
        return app

    # -- the gate -------------------------------------------------------------------------

    def refusal(self, request: web.Request) -> str | None:
        """Why this request is refused, or None to let it through."""
        if self.config.token is not None:
            offered = request.query.get("token") or request.cookies.get(self.cookie_name) or ""
            if not hmac.compare_digest(offered.encode(), self.config.token.encode()):
                return (
                    "this reader server needs its token: open the address it printed when it"
                    " started (ending in ?token=...)"
                )
        elif not is_loopback(request.url.host or ""):
            return (
                "this reader server answers only to localhost; to serve other machines,"
                " start it with --host and a --token"
            )
        if request.path == "/ws":
            origin = request.headers.get("Origin")
            if origin is not None and origin.split("://", 1)[-1].lower() != request.host.lower():
                return "a session can only be opened from this server's own page"
        return None

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        reason = self.refusal(request)
        if reason is not None:
            return web.Response(status=403, text=f"403 Forbidden: {reason}\n")
        response = await handler(request)
        if self.config.token is not None and request.path == "/" and request.query.get("token"):
            response.set_cookie(  # for the page's own requests: its scripts and its websocket
                self.cookie_name,
                self.config.token,
                httponly=True,
                samesite="Strict",
                path="/",
                secure=request.secure or request.headers.get("X-Forwarded-Proto") == "https",
            )
        return response

    async def add_security_headers(
        self, request: web.Request, response: web.StreamResponse
    ) -> None:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.path == "/":
            response.headers["Cache-Control"] = "no-store"

    # -- the page and the sessions --------------------------------------------------------

    async def handle_page(self, request: web.Request) -> web.Response:
        # The page's websocket follows within a second or so: start its app now, so that
        # Python's start overlaps the page's loading (about a fifth of the wait).
        self.start_spare()
        return web.Response(text=self.page, content_type="text/html", charset="utf-8")

    def start_spare(self) -> None:
        """Start an app for a page about to open its websocket (at most SPARES waiting)."""
        if len(self.keepers) < SPARES:
            self.track(asyncio.create_task(self.keep_spare()), self.keepers)

    async def keep_spare(self) -> None:
        session = AppSession(app_command(self.config.db), self.download_manager)
        self.sessions.add(session)
        try:
            await session.start(*self.last_size)
            self.spares.append(session)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(session.decided.wait(), SPARE_SECONDS)
        finally:
            if not session.claimed:
                with contextlib.suppress(ValueError):
                    self.spares.remove(session)
                await self.stop_session(session)

    def take_spare(self, size: tuple[int, int]) -> AppSession | None:
        """A waiting app of this size. Others are stopped: a resize sent to an app that is
        still starting is lost (Textual), so it would stay at the wrong size."""
        while self.spares:
            session = self.spares.pop(0)
            if session.alive and session.size == size:
                session.claimed = True
            session.decided.set()  # its keeper returns, and stops it unless claimed
            if session.claimed:
                return session
        return None

    async def stop_session(self, session: AppSession) -> None:
        await session.close()
        self.sessions.discard(session)

    @staticmethod
    def track(task: asyncio.Task[None], tasks: set[asyncio.Task[None]]) -> None:
        """Keep a background task referenced until it ends (and cancellable at shutdown)."""
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        size = (
            terminal_size(request.query.get("width"), 80),
            terminal_size(request.query.get("height"), 24),
        )
        self.last_size = size
        session = self.take_spare(size)
        try:
            if session is None:
                session = AppSession(app_command(self.config.db), self.download_manager)
                session.claimed = True
                self.sessions.add(session)
                await session.start(*size)
            await session.attach(websocket)
            await self.relay_browser_messages(websocket, session)
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            if session is not None:
                await session.close()
                self.sessions.discard(session)
            await websocket.close()
        return websocket

    async def relay_browser_messages(
        self, websocket: web.WebSocketResponse, session: AppSession
    ) -> None:
        """Keys, resizes and focus changes from the page to the app (textual-serve's protocol)."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, data = json.loads(message.data)
            except (ValueError, TypeError):
                continue  # not an envelope: ignore it rather than end the session
            if kind == "stdin" and isinstance(data, str):
                await session.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                self.last_size = (
                    terminal_size(data.get("width"), 80),
                    terminal_size(data.get("height"), 24),
                )
                await session.set_terminal_size(*self.last_size)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await session.blur()
            elif kind == "focus":
                await session.focus()

    async def close_sessions(self) -> int:
        keepers = list(self.keepers)
        for task in keepers:
            task.cancel()
        await asyncio.gather(*keepers, return_exceptions=True)
        sessions = list(self.sessions)
        await asyncio.gather(*(session.close() for session in sessions))
        return len(sessions)


def terminal_size(value: object, default: int) -> int:
    try:
        return min(max(int(str(value)), 1), 1000)
    except ValueError:
        return default


def address_for_people(config: ServeConfig, port: int) -> str:
    """The address to open in a browser, with the token when there is one."""
    host = config.host
    if host in {"0.0.0.0", "::", ""}:
        host = socket.gethostname()
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    address = f"http://{host}:{port}/"
    return f"{address}?token={config.token}" if config.token else address


async def serve_until_stopped(
    config: ServeConfig, listener: socket.socket, say: Callable[[str], None] = print
) -> None:
    """Serve on ``listener`` until SIGINT or SIGTERM, then close every session and return.

    ``say`` prints one message line (the command line's own, which shows control characters
    in the --db value as symbols)."""
    port = listener.getsockname()[1]
    server = ReaderServer(config, port)
    runner = web.AppRunner(server.make_app(), handle_signals=False, access_log=None)
    await runner.setup()
    site = web.SockSite(runner, listener, shutdown_timeout=STOP_GRACE)
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    say(f"reader serve: {address_for_people(config, port)}")
    say(f"  database {config.db}; each browser tab is its own reader on it.")
    if config.token:
        say(
            "  The token is the only gate: anyone with this address can read and change the"
            " database. Put TLS in front (README: Serving to a browser)."
        )
    say("  Ctrl+C stops the server and every session.")
    try:
        await stop.wait()
    finally:
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signal_number)
        closed = await server.close_sessions()
        await runner.cleanup()
        noun = "session" if closed == 1 else "sessions"
        say(f"reader serve: stopped ({closed} {noun} closed).")


def serve(config: ServeConfig, say: Callable[[str], None] = print) -> None:
    """Bind (a ServeError if the port is taken), then serve until Ctrl+C."""
    listener = listen_socket(config.host, config.port)
    asyncio.run(serve_until_stopped(config, listener, say))
