import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { luhnValid } from "../../shared/payments/card";
import { sandboxGateway } from "../../worker/payments";

/**
 * "We never store card numbers or CVC", checked rather than promised. Any test that handles cards can:
 *
 *     const sends = captureQueueSends(); const logs = captureLogs();
 *     ... exercise the feature with TEST_CARDS ...
 *     expect(await scanForCardData({ queueBodies: sends.bodies, logs: logs.lines })).toEqual([]);
 *
 * It reads every D1 table, the sandbox gateway's Durable Object storage (SQL and KV), the queue bodies sent
 * meanwhile and the log lines, and reports Luhn-valid 13–19 digit numbers (also written with spaces or dashes),
 * the exact test cards, and CVC-like field names.
 */

export const TEST_CARDS = { visa: "4111111111111111", mastercard: "5555555555554444", declines: "4000000000000002" };

export interface CardFinding {
  where: string;
  what: string;
}

/** Field names that would mean a card number or security code is being stored, whatever the value looks like. */
const CARD_FIELD = /^(cvc2?|cvv2?|csc|security_?code|card_?number|pan|card_?no)$/i;
/**
 * 13–19 digits, optionally grouped with single spaces or dashes, standing alone: not part of a longer digit run nor of
 * a hex digest or id (a SHA-256 hex token hash holds a Luhn-valid 13+ digit run about once in a hundred hashes).
 */
const DIGIT_RUN = /(?<![0-9A-Za-z])\d(?:[ -]?\d){12,18}(?![0-9A-Za-z])/g;

/**
 * Epoch milliseconds (13 digits, 2001–2065) are everywhere in our rows and JSON, also as the start of a longer id
 * such as an idempotency key `${Date.now()}${n}`; no card brand starts with 1.
 */
function isEpochMs(digits: string): boolean {
  const head = Number(digits.slice(0, 13));
  return head >= 1e12 && head < 3e12;
}

export function findCardData(value: unknown, where: string, out: CardFinding[] = []): CardFinding[] {
  if (typeof value === "string") {
    for (const match of value.matchAll(DIGIT_RUN)) {
      const digits = match[0].replace(/[ -]/g, "");
      if (luhnValid(digits) && !isEpochMs(digits)) out.push({ where, what: `Luhn-valid number ${mask(digits)}` });
    }
    for (const card of Object.values(TEST_CARDS)) {
      if (value.replace(/[ -]/g, "").includes(card)) out.push({ where, what: `test card ${mask(card)}` });
    }
    // JSON inside text columns (job bodies, meta, idempotent responses): look at its keys too
    if (/^\s*[[{]/.test(value)) {
      try {
        findCardData(JSON.parse(value), `${where} (json)`, out);
      } catch {}
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      findCardData(v, `${where}[${i}]`, out);
    });
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (CARD_FIELD.test(k) && v !== null && v !== undefined) out.push({ where: `${where}.${k}`, what: "card field" });
      findCardData(v, `${where}.${k}`, out);
    }
  }
  return out;
}

function mask(digits: string) {
  return `${digits.slice(0, 4)}…${digits.slice(-2)}`;
}

/** Per D1 table, the highest rowid already scanned (an incremental scan reads only the rows added since). */
export type D1Marks = Map<string, number>;

async function scanD1(out: CardFinding[], since?: D1Marks) {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  for (const { name } of tables.results) {
    const columns = await env.DB.prepare(`SELECT name FROM pragma_table_info('${name}')`).all<{ name: string }>();
    for (const c of columns.results)
      if (CARD_FIELD.test(c.name)) out.push({ where: `d1:${name}.${c.name}`, what: "card column" });
    if (since) {
      await scanNewRows(name, since, out);
      continue;
    }
    const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    rows.results.forEach((row, i) => {
      findCardData(row, `d1:${name}#${i}`, out);
    });
  }
}

/** Rows added since the last incremental scan. WITHOUT ROWID tables (FTS internals) are left to the full scan. */
async function scanNewRows(name: string, since: D1Marks, out: CardFinding[]) {
  let rows: Record<string, unknown>[];
  try {
    rows = (
      await env.DB.prepare(`SELECT rowid AS "__scan_rowid", * FROM "${name}" WHERE rowid > ? ORDER BY rowid`)
        .bind(since.get(name) ?? 0)
        .all<Record<string, unknown>>()
    ).results;
  } catch {
    return;
  }
  for (const { __scan_rowid: rowid, ...row } of rows) {
    findCardData(row, `d1:${name}#rowid=${rowid}`, out);
    since.set(name, Math.max(since.get(name) ?? 0, Number(rowid)));
  }
}

async function scanDurableObject(label: string, stub: DurableObjectStub, out: CardFinding[]) {
  const dump = await runInDurableObject(stub, async (_instance, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
      )
      .toArray();
    const sql = tables.map(({ name }) => ({ name, rows: state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray() }));
    const kv = Object.fromEntries(await state.storage.list());
    return JSON.stringify({ sql, kv });
  });
  const parsed = JSON.parse(dump) as { sql: { name: string; rows: unknown[] }[]; kv: unknown };
  for (const t of parsed.sql)
    t.rows.forEach((row, i) => {
      findCardData(row, `do:${label}:${t.name}#${i}`, out);
    });
  findCardData(parsed.kv, `do:${label}:kv`, out);
}

export async function scanForCardData(
  opts: {
    queueBodies?: unknown[];
    logs?: string[];
    durableObjects?: Record<string, DurableObjectStub>;
    /** Scan only the D1 rows added since these marks (and move them); default: every row. */
    d1Since?: D1Marks;
  } = {},
): Promise<CardFinding[]> {
  const out: CardFinding[] = [];
  await scanD1(out, opts.d1Since);
  await scanDurableObject("SandboxGateway", sandboxGateway(env), out);
  for (const [label, stub] of Object.entries(opts.durableObjects ?? {})) await scanDurableObject(label, stub, out);
  (opts.queueBodies ?? []).forEach((b, i) => {
    findCardData(b, `queue#${i}`, out);
  });
  (opts.logs ?? []).forEach((line, i) => {
    findCardData(line, `log#${i}`, out);
  });
  return out;
}

/**
 * Records every Queue send/sendBatch body in this isolate (the worker under test runs in it too), and how many
 * messages each sendBatch carried.
 */
export function captureQueueSends(): { bodies: unknown[]; batchSizes: number[]; restore: () => void } {
  const proto = Object.getPrototypeOf(env.JOBS) as Queue;
  const send = proto.send;
  const sendBatch = proto.sendBatch;
  const bodies: unknown[] = [];
  const batchSizes: number[] = [];
  proto.send = function (this: Queue, body: unknown, options?: QueueSendOptions) {
    bodies.push(body);
    return send.call(this, body, options);
  };
  proto.sendBatch = function (this: Queue, messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) {
    const list = [...messages];
    for (const m of list) bodies.push(m.body);
    batchSizes.push(list.length);
    return sendBatch.call(this, list, options);
  };
  return {
    bodies,
    batchSizes,
    restore: () => {
      proto.send = send;
      proto.sendBatch = sendBatch;
    },
  };
}

/** Records console output (what Workers Logs would keep). */
export function captureLogs(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const originals = methods.map((m) => console[m]);
  for (const m of methods) {
    const original = console[m];
    console[m] = (...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      original.apply(console, args);
    };
  }
  return {
    lines,
    restore: () => {
      methods.forEach((m, i) => {
        console[m] = originals[i];
      });
    },
  };
}
