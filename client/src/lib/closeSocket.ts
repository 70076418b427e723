/**
 * Closes a socket for good. One still connecting is closed as soon as it opens instead: close() during the handshake
 * makes Chromium log "WebSocket is closed before the connection is established" (a console warning on every quick
 * page change), and the server sees the same short-lived connection either way.
 */
export function closeSocket(socket: WebSocket | null) {
  if (!socket) return;
  if (socket.readyState !== WebSocket.CONNECTING) return socket.close();
  socket.onopen = () => socket.close();
  socket.onmessage = null;
}
