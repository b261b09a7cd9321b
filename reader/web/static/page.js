// The session's websocket is on the server that sent this page, whatever name and scheme the
// browser used to reach it (directly, or through a TLS reverse proxy: then wss://).
document.addEventListener("DOMContentLoaded", () => {
  const terminal = document.getElementById("terminal");
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  terminal.dataset.sessionWebsocketUrl = `${scheme}//${window.location.host}/ws`;
  const size = Number.parseInt(new URLSearchParams(window.location.search).get("fontsize"), 10);
  if (size >= 6 && size <= 64) {
    terminal.dataset.fontSize = String(size);
  }
  document.getElementById("restart").addEventListener("click", () => {
    window.location.reload();
  });
});
