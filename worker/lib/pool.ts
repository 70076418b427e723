/**
 * Runs `task` over `items` with at most `limit` in flight, and waits for all of them (failures are reported, not
 * thrown, like Promise.allSettled). For fan-outs that wake many Durable Objects at once (e.g. live notices to every
 * member of a filled buy): started all together they queue hundreds of tasks on the isolate ahead of whatever else it
 * is answering; a small window keeps the fan-out from crowding out the requests in flight.
 */
export async function settleAllLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await task(items[i]) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  return results;
}
