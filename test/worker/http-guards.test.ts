import { env, exports } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { API_BODY_LIMIT_BYTES, MAX_BATCH_SIZE } from "../../shared/limits";
import { createSession } from "../../worker/accounts/sessions";
import { getDb } from "../../worker/db/client";
import { recInteractions } from "../../worker/db/schema";
import { callApi, readApiResponse } from "./api";
import { insertRegion, insertUser } from "./fixtures";
import { fixtureBuy, makeResident } from "./groupbuy-fixtures";
import { BASE } from "./helpers";

const db = getDb(env);
let token: string;
beforeAll(async () => {
  const user = await insertUser(db, "buyer");
  token = (await createSession(db, env.PASSWORD_PEPPER, user.id, "cookie", 30, Date.now())).token;
});

describe("CSRF: cookie-authenticated writes must come from our origin", () => {
  const write = (extra: { origin?: string; cookie?: string; token?: string }) =>
    callApi({
      path: "sellers.applyToSell",
      kind: "mutation",
      input: { businessName: "", businessNumber: "" },
      ...extra,
    });

  it("refuses a cookie POST without Origin, typed for the SDK", async () => {
    const res = await write({ cookie: `__Host-gonggu_session=${token}` });
    expect(res.status).toBe(403);
    expect(res.code).toBe("FORBIDDEN");
    expect(res.message).toMatch(/Cross-site request refused/);
    expect(res.error?.data.requestId).toBe(res.headers.get("x-request-id"));
  });

  it("refuses a cookie POST from a foreign or opaque origin", async () => {
    for (const origin of ["https://evil.example", "null", "http://localhost.evil.example", "http://localhost:9999"]) {
      const res = await write({ cookie: `__Host-gonggu_session=${token}`, origin });
      expect(res.status, origin).toBe(403);
    }
  });

  it("lets a cookie POST from our origin or the configured APP_ORIGIN through to the procedure", async () => {
    for (const origin of [BASE, env.APP_ORIGIN]) {
      const res = await write({ cookie: `__Host-gonggu_session=${token}`, origin });
      // Reached the procedure: the (deliberately empty) input is what fails now.
      expect(res.code, origin).toBe("BAD_REQUEST");
    }
  });

  it("lets a bearer POST without Origin through (no ambient credential to abuse)", async () => {
    expect((await write({ token })).code).toBe("BAD_REQUEST");
  });

  it("does not apply to reads", async () => {
    const res = await callApi({ path: "auth.me", kind: "query", cookie: `__Host-gonggu_session=${token}` });
    expect(res.status).toBe(200);
  });
});

describe("a group buy's view is recorded only for a read the app's own page sent", () => {
  /** The user's recorded views of `buyId` (recommendation signals). */
  const views = (userId: string, buyId: string) =>
    db
      .select()
      .from(recInteractions)
      .where(
        and(eq(recInteractions.userId, userId), eq(recInteractions.itemId, buyId), eq(recInteractions.kind, "view")),
      )
      .all();

  it("a cross-site link, a sibling subdomain's <img> or a header-less GET shows the buy but records no view", async () => {
    const region = await insertRegion(db);
    const buy = await fixtureBuy(db, region.id);
    const reader = async (kind: "cookie" | "bearer") => {
      const user = await insertUser(db, "buyer");
      await makeResident(db, user.id, region.id, 0);
      return {
        id: user.id,
        token: (await createSession(db, env.PASSWORD_PEPPER, user.id, kind, 30, Date.now())).token,
      };
    };
    const [lured, app, sdk] = [await reader("cookie"), await reader("cookie"), await reader("bearer")];
    const get = (extra: { cookie?: string; token?: string; headers?: Record<string, string> }) =>
      callApi({ path: "groupBuys.get", kind: "query", input: { id: buy.id }, ...extra });
    const elsewhere: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      {},
    ];
    for (const headers of elsewhere) {
      const res = await get({ cookie: `__Host-gonggu_session=${lured.token}`, headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
    }
    // the app's fetch from its own page, and an SDK caller with a bearer token: both recorded
    expect(
      (await get({ cookie: `__Host-gonggu_session=${app.token}`, headers: { "sec-fetch-site": "same-origin" } }))
        .status,
    ).toBe(200);
    expect((await get({ token: sdk.token })).status).toBe(200);
    await vi.waitFor(async () => {
      expect(await views(app.id, buy.id)).toHaveLength(1);
      expect(await views(sdk.id, buy.id)).toHaveLength(1);
    });
    expect(await views(lured.id, buy.id)).toEqual([]);
  });
});

describe("request size and batch limits", () => {
  const signupUrl = `${BASE}/api/trpc/auth.signup`;
  const bigBody = JSON.stringify({
    email: "a@example.com",
    password: "x".repeat(API_BODY_LIMIT_BYTES),
    displayName: "큰",
  });

  it("answers a body over 64 KB with 413 and a typed error", async () => {
    const res = await readApiResponse(
      await exports.default.fetch(
        new Request(signupUrl, { method: "POST", headers: { "content-type": "application/json" }, body: bigBody }),
      ),
    );
    expect(res.status).toBe(413);
    expect(res.code).toBe("PAYLOAD_TOO_LARGE");
    expect(res.error?.code).toBe(-32013);
    expect(res.message).toMatch(/64 KB/);
  });

  it("also stops a streamed body without Content-Length", async () => {
    const bytes = new TextEncoder().encode(bigBody);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
        controller.close();
      },
    });
    const req = new Request(signupUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
    });
    expect(req.headers.get("content-length")).toBeNull();
    const res = await readApiResponse(await exports.default.fetch(req));
    expect(res.status).toBe(413);
    expect(res.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("accepts a body just under the limit (and validates it)", async () => {
    const body = JSON.stringify({ email: "a@example.com", password: "x".repeat(60_000), displayName: "큰" });
    const res = await readApiResponse(
      await exports.default.fetch(
        new Request(signupUrl, { method: "POST", headers: { "content-type": "application/json" }, body }),
      ),
    );
    expect(res.status).toBe(400);
    expect(res.message).toContain("password: Password must be at most 128 characters");
  });

  it("decides a declared Content-Length from the header: over the limit 413, at the limit on to the procedure", async () => {
    const declared = (body: string) =>
      exports.default.fetch(
        new Request(signupUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": String(new TextEncoder().encode(body).length),
          },
          body,
        }),
      );
    const over = await readApiResponse(await declared(bigBody));
    expect([over.status, over.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    const prefix = '{"email":"a@example.com","displayName":"큰","password":"';
    const exact = `${prefix}${"x".repeat(API_BODY_LIMIT_BYTES - new TextEncoder().encode(prefix).length - 2)}"}`;
    expect(new TextEncoder().encode(exact).length).toBe(API_BODY_LIMIT_BYTES);
    const atLimit = await readApiResponse(await declared(exact));
    expect(atLimit.status).toBe(400);
    expect(atLimit.message).toContain("password: Password must be at most 128 characters");
    const oneMore = await readApiResponse(await declared(`${exact} `));
    expect([oneMore.status, oneMore.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });

  const batch = (n: number) =>
    exports.default.fetch(`${BASE}/api/trpc/${Array(n).fill("health").join(",")}?batch=1&input={}`);

  it(`runs a batch of ${MAX_BATCH_SIZE} calls`, async () => {
    const res = await batch(MAX_BATCH_SIZE);
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveLength(MAX_BATCH_SIZE);
  });

  it(`refuses a batch of more than ${MAX_BATCH_SIZE} calls with 400`, async () => {
    const res = await readApiResponse(await batch(MAX_BATCH_SIZE + 1));
    expect(res.status).toBe(400);
    expect(res.code).toBe("BAD_REQUEST");
  });
});

describe("error shapes", () => {
  afterEach(() => vi.restoreAllMocks());

  it("hides an unexpected exception behind INTERNAL_SERVER_ERROR with a request id, and logs the details", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void logged.push(String(line)));
    // A real unexpected failure: the table the procedure reads is gone.
    await env.DB.exec("ALTER TABLE regions RENAME TO regions_moved_away");
    let res: Awaited<ReturnType<typeof callApi>>;
    try {
      res = await callApi({ path: "regions.list", kind: "query" });
    } finally {
      await env.DB.exec("ALTER TABLE regions_moved_away RENAME TO regions");
    }
    const requestId = res.headers.get("x-request-id");
    expect(res.status).toBe(500);
    expect(res.code).toBe("INTERNAL_SERVER_ERROR");
    expect(requestId).toBeTruthy();
    expect(res.error?.data.requestId).toBe(requestId);
    expect(res.message).toBe(`Something went wrong on our side. Quote request id ${requestId} if you contact support.`);
    const text = JSON.stringify(res.body);
    for (const secret of ["regions_moved_away", "SQLITE", "no such table", "stack", ".ts:", "D1_"]) {
      expect(text).not.toContain(secret);
    }
    const entry = logged.map((l) => JSON.parse(l)).find((l) => l.requestId === requestId);
    expect(entry).toMatchObject({ level: "error", path: "regions.list" });
    expect(entry.causes.join("\n")).toMatch(/no such table: regions/);
    expect(entry.stack).toBeTruthy();
  });

  it("logs a failed write's query but not the values it carried (no email, no password hash)", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void logged.push(String(line)));
    const email = `log-leak-${Date.now().toString(36)}@example.com`;
    // A real failure of the signup's INSERT, for this one email only.
    await env.DB.exec(
      `CREATE TRIGGER refuse_log_leak BEFORE INSERT ON users WHEN NEW.email = '${email}' BEGIN SELECT RAISE(ABORT, 'refused by test'); END`,
    );
    let res: Awaited<ReturnType<typeof callApi>>;
    try {
      res = await callApi({
        path: "auth.signup",
        kind: "mutation",
        input: { email, password: "correct horse battery", displayName: "로그" },
      });
    } finally {
      await env.DB.exec("DROP TRIGGER refuse_log_leak");
    }
    expect(res.status).toBe(500);
    const line = logged.find((l) => l.includes(String(res.error?.data.requestId)));
    // still enough to find the fault: the statement and the database's reason
    const entry = JSON.parse(line ?? "{}");
    expect(entry.causes[0]).toMatch(/^Failed query: insert into "users"/);
    expect(entry.causes.join("\n")).toMatch(/refused by test/);
    for (const secret of [email, "pbkdf2-sha256$", "로그"]) expect(line).not.toContain(secret);
  });

  it("answers an unknown procedure and an unknown API route with typed 404s", async () => {
    const proc = await callApi({ path: "auth.nope", kind: "query" });
    expect([proc.status, proc.code]).toEqual([404, "NOT_FOUND"]);
    const route = await readApiResponse(await exports.default.fetch(`${BASE}/api/nope`));
    expect([route.status, route.code, route.error?.code]).toEqual([404, "NOT_FOUND", -32004]);
  });

  it("answers malformed JSON and the wrong method with 4xx", async () => {
    const bad = await readApiResponse(
      await exports.default.fetch(`${BASE}/api/trpc/auth.login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"email": NaN',
      }),
    );
    expect([bad.status, bad.code]).toEqual([400, "BAD_REQUEST"]);
    const wrongMethod = await readApiResponse(await exports.default.fetch(`${BASE}/api/trpc/auth.login`));
    expect([wrongMethod.status, wrongMethod.code]).toEqual([405, "METHOD_NOT_SUPPORTED"]);
  });

  it("refuses a plain WebSocket route hit without an upgrade", async () => {
    const res = await readApiResponse(await exports.default.fetch(`${BASE}/api/rooms/x/ws`));
    expect(res.status).toBe(426);
    expect(res.message).toMatch(/WebSocket/);
  });
});
