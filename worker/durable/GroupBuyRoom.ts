import { DurableObject } from "cloudflare:workers";

/**
 * One instance per group buy: the authority for its fill counter and the home of its chat room.
 * SQLite-backed; for now it answers a health check (the group-buy and chat issues fill it in).
 */
export class GroupBuyRoom extends DurableObject<Env> {
  async health(): Promise<{ ok: true; storage: "sqlite" }> {
    this.ctx.storage.sql.exec("SELECT 1");
    return { ok: true, storage: "sqlite" };
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      return new Response("Group-buy rooms open with the chat feature.", { status: 501 });
    }
    return Response.json(await this.health());
  }
}
