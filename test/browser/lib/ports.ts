import { createServer } from "node:net";

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    // No host: the dual-stack wildcard conflicts with anything on 127.0.0.1 or ::1 using this port.
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** The first free port in [from, to]: browser tests use 8820-8829 so they never clash with `npm start` on 8787. */
export async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    if (await isFree(port)) return port;
  }
  throw new Error(`No free port in ${from}-${to}; stop another test server and retry.`);
}
