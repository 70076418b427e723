import { connect, createServer } from "node:net";

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    // No host: the dual-stack wildcard conflicts with anything on 127.0.0.1 or ::1 using this port.
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** Whether something already answers on 127.0.0.1:port (Linux lets the wildcard bind beside it). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function isFree(port: number): Promise<boolean> {
  return !(await answers(port)) && (await canListen(port));
}

/** The first free port in [from, to]: browser tests use 8820-8829 so they never clash with `npm start` on 8787. */
export async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    if (await isFree(port)) return port;
  }
  throw new Error(`No free port in ${from}-${to}; stop another test server and retry.`);
}
