/**
 * Fuzzing, split over FUZZ_SHARDS test files (fuzz-<n>.test.ts) so vitest runs them in parallel; a procedure's shard
 * is a hash of its path, so every procedure lands in exactly one file and adding one moves no others.
 *
 * Every procedure the router serves gets random and near-miss input (derived from its zod schema, plus the row's own
 * `fuzz.inputs`) from the caller its authz row allows. Properties: never a 5xx / INTERNAL_SERVER_ERROR, always a typed
 * tRPC response, and a refused call writes nothing to D1. FUZZ_RUNS (vitest.config.ts: 50) and FUZZ_SEED tune fast-check;
 * without FUZZ_SEED every run draws a new seed, which a failure prints with its counterexample.
 */
import { env, exports } from "cloudflare:workers";
import * as fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { sandboxGateway } from "../../worker/payments";
import { anyJson, arbitraryFor } from "../shared/zod-arbitrary";
import { type ApiResult, callApi, readApiResponse } from "./api";
import { AUTHZ_TABLE, type AuthzRow } from "./authz-table";
import { changedTables, installWriteCounters, snapshotWrites } from "./db-writes";
import { createFixtures, type Fixtures, ROLES, type Role, tokenFor } from "./fixtures";
import { BASE } from "./helpers";
import { listProcedures } from "./procedures";

const RUNS = Number(env.FUZZ_RUNS) || 50;
const SEED = env.FUZZ_SEED ? Number(env.FUZZ_SEED) : undefined;
const settings = { numRuns: RUNS, seed: SEED, endOnFailure: true };
const TIMEOUT_MS = 30_000 + RUNS * 400;

let ipSerial = 0;
// A fresh client IP per call so per-IP login limits never turn later calls into 429s.
const nextIp = () => `203.0.${(++ipSerial >> 8) & 255}.${ipSerial & 255}`;

function assertTyped(res: ApiResult, what: string) {
  const detail = `${what} → HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`;
  expect(res.status, detail).toBeLessThan(500);
  expect(res.code, detail).not.toBe("INTERNAL_SERVER_ERROR");
  if (res.error) {
    expect(res.error.message, detail).toBeTypeOf("string");
    expect(res.error.code, detail).toBeTypeOf("number");
    expect(res.code, detail).toMatch(/^[A-Z_]+$/);
  } else {
    expect(res.body, detail).toHaveProperty("result");
  }
}

export const FUZZ_SHARDS = 2;

const rowOf = (path: string) => (AUTHZ_TABLE as Record<string, AuthzRow<unknown> | undefined>)[path];

export function shardOf(path: string): number {
  let h = 0;
  for (const ch of path) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % FUZZ_SHARDS;
}

export function defineFuzzShard(shard: number) {
  describe(`fuzz procedures (shard ${shard + 1}/${FUZZ_SHARDS})`, () => {
    const procedures = listProcedures().filter((p) => shardOf(p.path) === shard);
    let fx: Fixtures;
    beforeAll(async () => {
      fx = await createFixtures();
      for (const procedure of procedures) await rowOf(procedure.path)?.fuzz?.setup?.(fx);
      await installWriteCounters();
    });

    for (const procedure of procedures) {
      const row = rowOf(procedure.path);
      it(`${procedure.path}: random input is refused cleanly and writes nothing`, { timeout: TIMEOUT_MS }, async () => {
        expect(row, `${procedure.path} has no row in test/worker/authz-table.ts, so it cannot be fuzzed`).toBeDefined();
        if (!row) return;
        // admin.gateway.set, fuzzed like any procedure, may have left the sandbox gateway down or slow: every
        // procedure starts from its default switches, so a gateway-backed one is not failed by another's input.
        await sandboxGateway(env).resetSwitches();
        const role: Role = row.fuzz?.as ?? ROLES.find((r) => row.expect[r] === "OK") ?? "admin";
        const caller = role === "anonymous" ? null : await fx.newUser(role);
        const fromSchema = procedure.input ? arbitraryFor(procedure.input) : fc.oneof(fc.constant(undefined), anyJson);
        const extra = row.fuzz?.inputs?.(fx, fc);
        const inputs = extra
          ? fc.oneof({ weight: 2, arbitrary: fromSchema }, { weight: 1, arbitrary: extra })
          : fromSchema;

        // A session and a write snapshot carried across runs: both are renewed only after a call that succeeded (it may
        // have been a logout, and it may legitimately have written), so a refused call costs one request + one snapshot.
        let token = caller ? await tokenFor(fx.db, caller) : undefined;
        let baseline = await snapshotWrites();
        let validationRefusals = 0;
        const renew = async () => {
          if (caller && row.kind === "mutation") token = await tokenFor(fx.db, caller);
          baseline = await snapshotWrites();
        };
        await fc.assert(
          fc.asyncProperty(inputs, async (input) => {
            let settled = false;
            try {
              const res = await callApi({ path: procedure.path, kind: row.kind, input, token, ip: nextIp() });
              assertTyped(res, `${procedure.path}(${JSON.stringify(input)?.slice(0, 200)}) as ${role}`);
              // Input-validation refusals are spot-checked (every 5th): only the auth middlewares ran before them, and
              // those also run for every other refusal, which is always checked. Saves a D1 round trip on most runs.
              if (res.error) {
                if (res.error.data.zodError == null || ++validationRefusals % 5 === 0) {
                  const after = await snapshotWrites();
                  const changed = changedTables(baseline, after, row.fuzz?.mayWrite);
                  expect(
                    changed,
                    `${procedure.path} failed with ${res.code} but wrote to ${changed.join(", ")}`,
                  ).toEqual([]);
                  baseline = after;
                }
                settled = true;
              }
            } finally {
              if (!settled) await renew();
            }
          }),
          // Input-less procedures ignore what is sent: in the default run a few calls prove that; a raised count
          // (`npm run test:sim -- --fuzz 10000`) applies to every procedure alike.
          procedure.input || RUNS > 100 ? settings : { ...settings, numRuns: Math.min(RUNS, 20) },
        );
      });
    }

    // Once, in the first shard.
    it.runIf(shard === 0)(
      "garbage bodies and content types on every mutation get a 4xx",
      { timeout: TIMEOUT_MS },
      async () => {
        const mutations = listProcedures().filter((p) => p.kind === "mutation");
        const body = fc.oneof(
          fc.string({ maxLength: 200, unit: "binary" }),
          anyJson.map((v) => JSON.stringify(v) ?? "").map((s) => s.slice(0, Math.max(0, s.length - 1))),
          fc.constantFrom('{"email": NaN}', "{", "[]", "null", '{"0":{"json":1}}', "\u0000"),
        );
        const contentType = fc.constantFrom(
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "multipart/form-data",
          "multipart/form-data; boundary=x",
          "application/x-www-form-urlencoded",
          "application/octet-stream",
        );
        const before = await snapshotWrites();
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...mutations), body, contentType, async (procedure, text, type) => {
            const req = new Request(`${BASE}/api/trpc/${procedure.path}`, {
              method: "POST",
              headers: { "content-type": type, "cf-connecting-ip": nextIp() },
              body: text,
            });
            const res = await readApiResponse(await exports.default.fetch(req));
            assertTyped(res, `${procedure.path} with ${type} body ${JSON.stringify(text).slice(0, 100)}`);
          }),
          settings,
        );
        // Anonymous garbage never gets far enough to write (login failures count in rate_limits).
        expect(changedTables(before, await snapshotWrites(), ["rate_limits"])).toEqual([]);
      },
    );
  });
}
