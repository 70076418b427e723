import { connectRoom, createGongguClient, gongguErrorOf, newIdempotencyKey } from "gonggu/sdk";

/**
 * The README's SDK example, against the demo data of `npm start`: log in as a demo buyer with a bearer token, list
 * the home neighbourhood's open group buys, open one, watch its live room, handle a typed refusal, top up points if
 * needed, join with an idempotency key, retry that join (a replay, not a second join), leave, close the room.
 */
export async function runSdkExample(
  url: string,
  { email = "minji@gonggu.test", password = "gonggu-demo-2026", log = console.log } = {},
) {
  const { token } = await createGongguClient({ url }).auth.login.mutate({ email, password, tokenKind: "bearer" });
  const gonggu = createGongguClient({ url, token: token ?? undefined });
  const me = await gonggu.auth.me.query();
  log(`Signed in as ${me.displayName} <${me.email}>, home ${me.homeRegionId}`);
  if (!me.homeRegionId) throw new Error(`${email} has no verified home neighbourhood`);

  const feed = await gonggu.groupBuys.list.query({ regionId: me.homeRegionId, status: "OPEN" });
  let gb: Awaited<ReturnType<typeof gonggu.groupBuys.get.query>> | undefined;
  for (const item of feed.items) {
    gb = await gonggu.groupBuys.get.query({ id: item.id });
    if (gb.you.relation !== "seller" && gb.you.relation !== "host" && gb.you.shares === 0) break;
    gb = undefined;
  }
  if (!gb) throw new Error("No open group buy to join here; run `npm start` for the demo data");
  log(`${feed.items.length} open group buy(s); opening "${gb.title}": ${gb.pricePerShare} won a share`);

  const room = await connectRoom(gonggu, { groupBuyId: gb.id });
  const startFill = room.snapshot.fill;
  log(`Room: ${startFill.remainingShares} of ${startFill.totalShares} shares left`);
  room.on("fill", (f) => log(`  live: ${f.takenShares}/${f.totalShares} taken, ${f.participantCount} people`));
  room.on("connection", (c) => c.state !== "open" && log(`  room connection: ${c.state}`));
  try {
    // A refusal is typed: branch on code and details.reason, never on the message.
    const tooMany = gb.maxPerPerson + 1;
    const refusal = await gonggu.groupBuys.join
      .mutate({ id: gb.id, shares: tooMany, idempotencyKey: newIdempotencyKey() })
      .then(() => null, gongguErrorOf);
    if (refusal?.reason !== "max_per_person")
      throw new Error(`expected a max_per_person refusal, got ${refusal?.code}`);
    log(`Joining with ${tooMany} shares: ${refusal.code} (${refusal.reason}, at most ${refusal.details?.max})`);

    const wallet = await gonggu.wallet.get.query();
    if (wallet.available < gb.pricePerShare) {
      // the demo's sandbox gateway accepts any card authorization key
      if (!(await gonggu.payments.billingKey.query())) {
        await gonggu.payments.registerBillingKey.mutate({ authKey: `sdk_example_${me.id}`, consent: "billing-v1" });
      }
      const amount = Math.ceil((gb.pricePerShare - wallet.available) / 1000) * 1000;
      const { charge } = await gonggu.wallet.charge.mutate({
        amount,
        idempotencyKey: newIdempotencyKey(),
        paymentMethod: { type: "billingKey" },
      });
      log(`Topped up ${amount} won with the registered card: ${charge.status}`);
    }

    // One key per intended join: retrying with it (timeout, network error) can never join twice.
    const idempotencyKey = newIdempotencyKey();
    const confirmed = room.next("fill", (f) => f.confirmedShares > startFill.confirmedShares);
    const joined = await gonggu.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey });
    await confirmed;
    log(`Joined: ${joined.shares} share for ${joined.paid} won (hold ${joined.holdId})`);
    const retried = await gonggu.groupBuys.join.mutate({ id: gb.id, shares: 1, idempotencyKey });
    log(`Same join retried: replay=${retried.replay}, same hold: ${retried.holdId === joined.holdId}`);

    const left = room.next("fill", (f) => f.confirmedShares === startFill.confirmedShares);
    await gonggu.groupBuys.leave.mutate({ id: gb.id, idempotencyKey: newIdempotencyKey() });
    await left;
    log(`Left: ${room.snapshot.fill.remainingShares} shares left again`);
    return { me, groupBuyId: gb.id, refusal, joined, retried, fill: room.snapshot.fill, startFill };
  } finally {
    await room.close();
    log("Room closed");
  }
}

// `node scripts/sdk-example.ts [url]` — Node 22 runs TypeScript by stripping the types. GONGGU_URL also sets the URL.
if (import.meta.main) {
  const { argv, env } = (globalThis as unknown as { process: { argv: string[]; env: Record<string, string> } }).process;
  const url = argv[2] ?? env.GONGGU_URL ?? "http://localhost:8787";
  console.log(`Gonggu at ${url} (pass a URL or set GONGGU_URL to use another)`);
  await runSdkExample(url, { email: env.GONGGU_EMAIL, password: env.GONGGU_PASSWORD }).catch((e: unknown) => {
    // a typed error carries the request id to quote; anything else (server not running?) is printed as it is
    const error = gongguErrorOf(e);
    console.error(error ? `${error.code}: ${error.message} (request ${error.requestId})` : e);
    (globalThis as unknown as { process: { exitCode: number } }).process.exitCode = 1;
  });
}
