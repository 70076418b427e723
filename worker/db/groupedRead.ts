import { type BatchItem, type Db, runBatch } from "./client";

/**
 * Reads that concurrent requests of this isolate send to one database go out together: while one batch is on its way,
 * the reads arriving meanwhile wait and then go as ONE batch (a group read), led by the oldest of them in its own
 * invocation, so no request sends other requests' queries without bound (at most GROUP_STATEMENTS, one group). An
 * idle database is asked at once, as by runBatch. Each caller gets exactly the rows of its own statements.
 *
 * Why: a D1 round trip costs far more than the statements in it. Locally (wrangler dev, where the worker, its Durable
 * Objects and D1 share one thread) a batch of a join's four guard reads costs ~1.6 ms of CPU, ~0.6 ms per join when 16
 * joins' reads share a batch; on a hot buy every attempt before the fill sends them. In production the batch is one
 * round trip to D1 instead of many.
 *
 * Only for reads: a group is one D1 batch, atomic, so a failure fails every statement in it. When a group of several
 * fails, each of its callers sends its own statements alone (one caller's failure never becomes another's); a group of
 * one fails as runBatch does.
 */
export const GROUP_STATEMENTS = 64;

type Turn = { lead: true } | { rows: unknown[] } | { alone: true } | { error: unknown };

interface Waiter {
  items: BatchItem[];
  turn: Promise<Turn>;
  give: (turn: Turn) => void;
}

interface Queue {
  waiting: Waiter[];
  /** A group's batch is on its way (its leader passes the lead on when it is back). */
  busy: boolean;
}

const queues = new WeakMap<Db, Queue>();

/** The next leader: the oldest waiting caller (none: the database is idle). */
function passLead(queue: Queue): void {
  const next = queue.waiting[0];
  queue.busy = next !== undefined;
  next?.give({ lead: true });
}

/** The rows of `items` (one result per statement, as runBatch), read in a group with other callers' reads. */
export async function groupedRead(db: Db, items: BatchItem[]): Promise<unknown[]> {
  let queue = queues.get(db);
  if (!queue) {
    queue = { waiting: [], busy: false };
    queues.set(db, queue);
  }
  let give!: (turn: Turn) => void;
  const me: Waiter = { items, turn: new Promise((resolve) => (give = resolve)), give: (t) => give(t) };
  queue.waiting.push(me);
  if (!queue.busy) passLead(queue);
  const turn = await me.turn;
  if ("rows" in turn) return turn.rows;
  if ("error" in turn) throw turn.error;
  if ("alone" in turn) return runBatch(db, items);
  // this caller leads the next group: the oldest waiting (itself, first), up to GROUP_STATEMENTS statements
  const waiting = queue.waiting;
  let count = 1;
  let statements = items.length;
  while (count < waiting.length && statements + waiting[count].items.length <= GROUP_STATEMENTS) {
    statements += waiting[count].items.length;
    count++;
  }
  const others = waiting.splice(0, count).slice(1);
  try {
    const rows = await runBatch(db, [...items, ...others.flatMap((w) => w.items)]);
    let at = items.length;
    for (const w of others) {
      w.give({ rows: rows.slice(at, at + w.items.length) });
      at += w.items.length;
    }
    return rows.slice(0, items.length);
  } catch (error) {
    if (others.length === 0) throw error;
    for (const w of others) w.give({ alone: true });
  } finally {
    passLead(queue);
  }
  return runBatch(db, items);
}
