"""`reader serve` as a real process: the token, the binding, Host and Origin checks, clean stops.

Each test starts the real command (`python -m reader serve ... --port 0`) and talks HTTP and
websockets to it; app processes are counted through /proc (the server's children).
"""

from __future__ import annotations

import asyncio
import http.client
import ipaddress
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from serve_support import process_alive, reader_serve, wait_for


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request("GET", target or "/", headers=headers or {})
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, dict(response.getheaders()), body


async def open_session(url: str, headers: dict[str, str] | None = None) -> str:
    """Open a websocket session like the page does; 'open' or the refusal's HTTP status."""
    async with aiohttp.ClientSession() as client:
        try:
            async with client.ws_connect(url, headers=headers or {}) as websocket:
                await websocket.receive(timeout=30)  # the app's first bytes: it started
                return "open"
        except aiohttp.WSServerHandshakeError as error:
            return str(error.status)


def websocket_url(origin: str, query: str = "") -> str:
    return origin.replace("http://", "ws://") + "/ws?width=80&height=24" + query


def listening_addresses(port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The local addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            fields = row.split()
            address, port_hex = fields[1].split(":")
            if fields[3] != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # /proc prints each 32-bit word in host (little-endian) order
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, width // 2, 4))
            found.append(ipaddress.ip_address(words))
    return found


def outward_address() -> str | None:
    """This machine's address towards other machines, if it has one (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the route
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if ipaddress.ip_address(address).is_loopback else address


def test_binds_loopback_only_by_default(tmp_path: Path) -> None:
    with reader_serve("--db", str(tmp_path / "a.db"), "--port", "0", cwd=tmp_path) as server:
        assert urlsplit(server.url).hostname == "127.0.0.1"
        assert "token" not in server.url
        addresses = listening_addresses(server.port)
        assert addresses, "the server's socket is not in /proc/net/tcp"
        assert all(address.is_loopback for address in addresses), addresses
        status, _, body = get(server.url)
        assert status == 200 and "textual.js" in body
        outward = outward_address()
        if outward is not None:  # and nothing answers on the machine's own address
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((outward, server.port), timeout=5).close()


def test_other_hosts_need_the_token_403_without_200_with(tmp_path: Path) -> None:
    with reader_serve(
        "--db", str(tmp_path / "a.db"), "--host", "0.0.0.0", "--port", "0", cwd=tmp_path
    ) as server:
        token = dict(part.split("=", 1) for part in [urlsplit(server.url).query])["token"]
        assert len(token) >= 16  # a random one, printed once with the address
        local = f"http://127.0.0.1:{server.port}"
        assert get(f"{local}/")[0] == 403
        assert get(f"{local}/?token=wrong-{token}")[0] == 403
        assert get(f"{local}/static/textual/js/textual.js")[0] == 403
        assert asyncio.run(open_session(websocket_url(local))) == "403"
        assert asyncio.run(open_session(websocket_url(local, "&token=nope"))) == "403"
        assert server.app_pids() == []  # no request without the token started an app

        status, headers, body = get(f"{local}/?token={token}")
        assert status == 200 and "textual.js" in body
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
        assert get(f"{local}/static/textual/js/textual.js", {"Cookie": cookie})[0] == 200
        # The page's app starts with the page; its websocket (the cookie) takes that one.
        [spare] = wait_for(server.app_pids, 30, what="the page's app")
        assert asyncio.run(open_session(websocket_url(local), {"Cookie": cookie})) == "open"
        assert wait_for(lambda: not process_alive(spare), 30, what="the session's app to end")
        # A client without cookies (not a browser) gives the token in the websocket's address.
        assert asyncio.run(open_session(websocket_url(local, f"&token={token}"))) == "open"
        assert wait_for(lambda: not server.app_pids(), 30, what="every app to end")


def test_pages_start_at_most_two_apps_ahead_of_their_websockets(tmp_path: Path) -> None:
    with reader_serve("--db", str(tmp_path / "a.db"), "--port", "0", cwd=tmp_path) as server:
        for _ in range(5):
            assert get(server.url)[0] == 200
        wait_for(lambda: len(server.app_pids()) == 2, 30, what="two spare apps")
        assert get(f"{server.origin}/static/reader/page.js")[0] == 200  # only the page starts one
        assert len(server.app_pids()) == 2


def test_a_given_token_is_required_on_loopback_too(tmp_path: Path) -> None:
    token = "correct-horse-battery-staple"
    with reader_serve(
        "--db", str(tmp_path / "a.db"), "--port", "0", cwd=tmp_path,
        env={"READER_SERVE_TOKEN": token},
    ) as server:  # fmt: skip
        assert server.url.endswith(f"?token={token}")
        assert get(f"{server.origin}/")[0] == 403
        assert get(server.url)[0] == 200


def test_short_token_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reader", "serve", "--db", str(tmp_path / "a.db"),
         "--token", "abc", "--port", "0"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert "at least 16 characters" in result.stderr


def test_without_token_only_localhost_names_are_answered(tmp_path: Path) -> None:
    """A site that rebinds its DNS name to 127.0.0.1 sends its own name as Host: refused."""
    with reader_serve("--db", str(tmp_path / "a.db"), "--port", "0", cwd=tmp_path) as server:
        status, _, body = get(server.url, {"Host": f"attacker.example:{server.port}"})
        assert status == 403 and "--token" in body
        assert get(server.url, {"Host": f"localhost:{server.port}"})[0] == 200


def test_a_websocket_from_another_site_starts_nothing(tmp_path: Path) -> None:
    """Browsers let any page open a websocket to localhost; its Origin gives it away."""
    with reader_serve("--db", str(tmp_path / "a.db"), "--port", "0", cwd=tmp_path) as server:
        url = websocket_url(server.origin)
        assert asyncio.run(open_session(url, {"Origin": "http://attacker.example"})) == "403"
        assert server.app_pids() == []
        assert asyncio.run(open_session(url, {"Origin": server.origin})) == "open"


def test_a_taken_port_is_a_clear_message(tmp_path: Path) -> None:
    with reader_serve("--db", str(tmp_path / "a.db"), "--port", "0", cwd=tmp_path) as server:
        result = subprocess.run(
            [sys.executable, "-m", "reader", "serve", "--db", str(tmp_path / "a.db"),
             "--port", str(server.port)],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"port {server.port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_every_session_and_leaves_no_app_behind(tmp_path: Path) -> None:
    """Three sessions on a database whose path has a space and a quote, then Ctrl+C."""
    folder = tmp_path / "team's data"
    folder.mkdir()
    db = folder / "project 1.db"
    with reader_serve("--db", str(db), "--port", "0", cwd=tmp_path) as server:
        url = websocket_url(server.origin)
        assert get(server.url)[0] == 200  # a page whose websocket never comes: a spare app
        wait_for(lambda: len(server.app_pids()) == 1, 30, what="the spare app")

        async def open_two_then_stop() -> tuple[list[int], list[list[bytes]], str]:
            async with aiohttp.ClientSession() as client:
                sockets = [await client.ws_connect(url) for _ in range(3)]
                for websocket in sockets:
                    await websocket.receive(timeout=30)
                pids = server.app_pids()
                commands = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in pids]
                # Ctrl+C while the sessions are still open in their browsers
                rest = await asyncio.to_thread(server.stop)
                for websocket in sockets:
                    await websocket.close()
                return pids, commands, rest

        pids, commands, rest = asyncio.run(open_two_then_stop())
    assert len(pids) == 3  # the first websocket took the spare
    for command in commands:  # the --db value reaches each app as it was given
        assert f"--db={db}".encode() in command
    for pid in pids:
        assert not process_alive(pid), f"app process {pid} outlived the server"
    assert server.process.returncode == 0
    assert "stopped (3 sessions closed)" in rest
