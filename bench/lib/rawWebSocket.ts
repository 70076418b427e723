/**
 * A minimal RFC 6455 client for load generation: a TCP socket, the upgrade handshake, text frames. Node's built-in
 * WebSocket (undici) costs ~60–90 µs of CPU per received frame (EventTarget dispatch, MessageEvent, Blob-ready
 * plumbing); 1,000 of them in one process made the load generator the slowest stage of bench:chat and its latency
 * part of what was measured. This one parses frames straight out of the socket's buffers (a few µs each) and is
 * used for both targets, so the comparison stays fair. No extensions (no permessage-deflate), no TLS: localhost only.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export class RawWebSocket {
  onopen: (() => void) | null = null;
  /** Called once per complete text message, with the time (performance.now()) its last byte was read. */
  onmessage: ((data: string, at: number) => void) | null = null;
  onerror: ((e: Error) => void) | null = null;
  private readonly sock: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private upgraded = false;
  private closing = false;
  private fragments: Buffer[] = [];

  constructor(url: string, headers: Record<string, string> = {}) {
    const u = new URL(url);
    this.sock = connect({ host: u.hostname, port: Number(u.port), noDelay: true });
    const key = randomBytes(16).toString("base64");
    const extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("");
    this.sock.on("connect", () =>
      this.sock.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
      ),
    );
    this.sock.on("data", (d: Buffer) => this.read(d));
    this.sock.on("error", (e) => this.onerror?.(e));
    this.sock.on("close", () => {
      if (!this.closing) this.onerror?.(new Error("connection closed by the server"));
    });
  }

  send(text: string): void {
    const payload = Buffer.from(text);
    const len = payload.length;
    const head = len < 126 ? 2 : len < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(head + 4 + len);
    frame[0] = 0x81; // FIN + text
    if (len < 126) frame[1] = 0x80 | len;
    else if (len < 65_536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(len, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(len), 2);
    }
    // Client frames must be masked (RFC 6455 §5.3).
    const mask = randomBytes(4);
    mask.copy(frame, head);
    for (let i = 0; i < len; i++) frame[head + 4 + i] = payload[i] ^ mask[i & 3];
    this.sock.write(frame);
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    if (this.upgraded) this.sock.write(Buffer.from([0x88, 0x80, 0, 0, 0, 0])); // masked, empty close frame
    this.sock.end();
    setTimeout(() => this.sock.destroy(), 1_000).unref();
  }

  private read(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.upgraded) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const status = this.buf.subarray(0, this.buf.indexOf("\r\n")).toString();
      if (!/^HTTP\/1\.1 101/.test(status)) {
        this.closing = true;
        this.sock.destroy();
        this.onerror?.(new Error(`upgrade refused: ${status}`));
        return;
      }
      this.upgraded = true;
      this.buf = this.buf.subarray(end + 4);
      this.onopen?.();
    }
    const at = performance.now();
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      if (b[1] & 0x80) off += 4; // servers do not mask; skip a key if one did
      if (b.length < off + len) return;
      const payload = b.subarray(off, off + len);
      this.buf = b.subarray(off + len);
      const opcode = b[0] & 0x0f;
      const fin = (b[0] & 0x80) !== 0;
      if (opcode === 0x8) {
        this.closing = true;
        this.sock.end();
        return;
      }
      if (opcode === 0x9) {
        // ping → pong with the same payload (masked, empty mask key)
        this.sock.write(Buffer.concat([Buffer.from([0x8a, 0x80 | payload.length, 0, 0, 0, 0]), payload]));
        continue;
      }
      if (opcode === 0xa) continue;
      this.fragments.push(payload);
      if (!fin) continue;
      const whole = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments);
      this.fragments = [];
      this.onmessage?.(whole.toString("utf8"), at);
    }
  }
}
