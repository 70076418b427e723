/**
 * Group commit of one kind of D1 work a room does per request: while one group is in flight, the requests arriving
 * meanwhile queue up and go together in the next group (at most `max`), so a storm of joins costs a round trip per
 * group instead of one each; an idle room runs a request at once, alone.
 *
 * The next group is run by its oldest request, in that request's own invocation, so no request runs other requests'
 * work without bound. This is safe in a Durable Object and only there: its requests share one I/O context, so the
 * round trip a request started still settles if that request is canceled (its client hung up), and so does every
 * request waiting on it. In a stateless worker each request has its own context, and a canceled leader left its
 * followers waiting forever (session 9: groupbuy/actions.ts).
 */
export class GroupCommit<In, Out> {
  private readonly queue: Waiter<In, Out>[] = [];
  private running = false;

  constructor(
    private readonly max: number,
    /** The group's work: one output per input, in order. A throw fails every request of the group. */
    private readonly run: (inputs: In[]) => Promise<Out[]>,
  ) {}

  async submit(input: In): Promise<Out> {
    const waiter = new Waiter<In, Out>(input);
    this.queue.push(waiter);
    if (!this.running) this.passLead();
    if ((await waiter.turn) === "lead") await this.runGroup();
    return waiter.result;
  }

  private passLead(): void {
    const next = this.queue[0];
    this.running = next !== undefined;
    next?.lead();
  }

  private async runGroup(): Promise<void> {
    const group = this.queue.splice(0, this.max);
    try {
      const outputs = await this.run(group.map((w) => w.input));
      group.forEach((w, i) => {
        w.settle(outputs[i]);
      });
    } catch (e) {
      for (const w of group) w.fail(e);
    } finally {
      this.passLead();
    }
  }
}

/** A request waiting for its group: `turn` says whether it runs the next group itself or another request ran it. */
class Waiter<In, Out> {
  readonly result: Promise<Out>;
  readonly turn: Promise<"lead" | "done">;
  settle!: (out: Out) => void;
  fail!: (e: unknown) => void;
  lead!: () => void;

  constructor(readonly input: In) {
    let resolveTurn!: (t: "lead" | "done") => void;
    this.turn = new Promise((r) => {
      resolveTurn = r;
    });
    this.result = new Promise((resolve, reject) => {
      this.settle = (out) => {
        resolve(out);
        resolveTurn("done");
      };
      this.fail = (e) => {
        reject(e);
        resolveTurn("done");
      };
    });
    this.lead = () => resolveTurn("lead");
  }
}

/** One request's share of a group's outcome, when requests of one group can fail alone. */
export type Settled<T> = { value: T } | { error: unknown };
