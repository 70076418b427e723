import { env, exports } from "cloudflare:workers";
import { BASE, newBuyer } from "./helpers";

/** A logged-in admin: signs up a buyer and promotes them in D1 (there is no API to mint admins, by design). */
export async function newAdmin(name = "관리자") {
  const admin = await newBuyer(name);
  await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(admin.user.id).run();
  return admin;
}

let regionCounter = 0;
/** A fresh region per test so verification and board content never leak between tests. */
export async function seedRegion(lat = 37.5665, lng = 126.978) {
  regionCounter += 1;
  const id = `test-${Date.now().toString(36)}-${regionCounter}-${Math.random().toString(36).slice(2, 6)}`;
  await env.DB.prepare(
    "INSERT INTO regions (id, name, name_en, city, lat, lng, radius_m) VALUES (?, '테스트동', 'Test-dong', '서울', ?, ?, 1500)",
  )
    .bind(id, lat, lng)
    .run();
  return { id, lat, lng };
}

/** A buyer with a current verification of `region`. */
export async function newResident(region: { id: string; lat: number; lng: number }, name = "이웃주민") {
  const buyer = await newBuyer(name);
  await buyer.client.regions.verify.mutate({ regionId: region.id, lat: region.lat, lng: region.lng });
  return buyer;
}

export type Socket = {
  ws: WebSocket;
  frames: Record<string, unknown>[];
  /** Resolves with the first frame (already received or future) matching `pred`; rejects after `ms`. */
  next: (pred: (f: Record<string, unknown>) => boolean, ms?: number) => Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
};

/** Opens a WebSocket through the whole worker. Returns the HTTP response when the upgrade is refused. */
export async function openSocket(
  path: string,
  opts: { cookie?: string; origin?: string; bearer?: string } = {},
): Promise<{ socket: Socket; response: Response } | { socket: null; response: Response }> {
  const headers = new Headers({ upgrade: "websocket" });
  if (opts.cookie) headers.set("cookie", `__Host-gonggu_session=${opts.cookie}`);
  if (opts.origin) headers.set("origin", opts.origin);
  if (opts.bearer) headers.set("authorization", `Bearer ${opts.bearer}`);
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { headers }));
  const ws = response.webSocket;
  if (!ws) return { socket: null, response };
  ws.accept();
  const frames: Record<string, unknown>[] = [];
  const waiters: { pred: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }[] =
    [];
  ws.addEventListener("message", (e) => {
    const frame = JSON.parse(typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data));
    frames.push(frame);
    for (const w of [...waiters]) {
      if (w.pred(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })),
  );
  const next: Socket["next"] = (pred, ms = 2000) => {
    const found = frames.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve };
      waiters.push(waiter);
      setTimeout(() => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) {
          waiters.splice(i, 1);
          reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(frames)}`));
        }
      }, ms);
    });
  };
  return { socket: { ws, frames, next, closed }, response };
}

/** A logged-in approved seller (promoted in D1; the approval flow has its own tests). */
export async function newSeller(name = "동네상점") {
  const seller = await newBuyer(name);
  await env.DB.prepare("UPDATE users SET role = 'seller' WHERE id = ?").bind(seller.user.id).run();
  return seller;
}

export async function countRows(table: string, where = "1=1", ...binds: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...binds)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
