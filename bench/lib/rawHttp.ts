/**
 * A lean HTTP/1.1 load client for the benches: one keep-alive socket per simulated client, requests written as one
 * pre-serialised string, responses parsed just enough (status, Content-Length or chunked body). It exists because
 * the load generator shares the machine's 2 cores with workerd: Node's fetch (undici) spends more CPU per request than
 * a bare Hono route does, so with fetch the "ceilings" measured the client. No dependency beyond node:net.
 * localhost only. A caller may write several requests before the answers come (HTTP/1.1 pipelining: the server
 * answers in order, and so are they matched); the storms await each answer before the next request.
 */
import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  body: string;
}

/** One keep-alive connection; answers are matched to requests in the order they were written. */
export class RawConnection {
  private socket: Socket | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: RawResponse) => void; reject: (e: Error) => void }[] = [];

  private readonly host: string;
  private readonly port: number;

  constructor(host: string, port: number) {
    this.host = host;
    this.port = port;
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    socket.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.tryParse();
    });
    const broken = (e?: Error) => {
      if (this.socket === socket) this.socket = null;
      this.buffer = Buffer.alloc(0);
      const waiting = this.waiting;
      this.waiting = [];
      for (const w of waiting) w.reject(e ?? new Error("connection closed"));
    };
    socket.on("error", broken);
    socket.on("close", () => broken());
    this.socket = socket;
    return socket;
  }

  /** `head` without the blank line: e.g. "GET /x HTTP/1.1\r\nHost: h". Content-Length is added for a body. */
  request(method: string, path: string, headers: string, body = ""): Promise<RawResponse> {
    const socket = this.socket ?? this.open();
    const text =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n${headers}` +
      (body ? `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` : "\r\n");
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      socket.write(text);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private tryParse(): void {
    while (this.waiting.length > 0 && this.parseOne());
  }

  /** Resolves the oldest waiter if its whole answer is buffered; returns whether it did. */
  private parseOne(): boolean {
    const buf = this.buffer;
    const headEnd = buf.indexOf("\r\n\r\n");
    if (headEnd < 0) return false;
    const head = buf.toString("latin1", 0, headEnd);
    const status = Number(head.slice(9, 12));
    const lower = head.toLowerCase();
    let bodyStart = headEnd + 4;
    let body: string;
    let end: number;
    const cl = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    if (cl) {
      end = bodyStart + Number(cl[1]);
      if (buf.length < end) return false;
      body = buf.toString("utf8", bodyStart, end);
    } else if (lower.includes("\r\ntransfer-encoding: chunked")) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = buf.indexOf("\r\n", bodyStart);
        if (lineEnd < 0) return false;
        const size = Number.parseInt(buf.toString("latin1", bodyStart, lineEnd), 16);
        const dataEnd = lineEnd + 2 + size;
        if (buf.length < dataEnd + 2) return false;
        if (size === 0) {
          end = dataEnd + 2;
          break;
        }
        parts.push(buf.subarray(lineEnd + 2, dataEnd));
        bodyStart = dataEnd + 2;
      }
      body = Buffer.concat(parts).toString("utf8");
    } else {
      // no body framing (e.g. 204): nothing follows the head
      end = bodyStart;
      body = "";
    }
    this.buffer = buf.subarray(end);
    const w = this.waiting.shift();
    if (/\r\nconnection:\s*close/.test(lower)) this.close();
    w?.resolve({ status, body });
    return true;
  }
}
