import { describe, expect, test } from "vitest";
import { CHAT_LIVE_KEEP, mergeLive, mergeMessages } from "../../client/src/lib/chatList.ts";
import type { ChatMessage } from "../../shared/chat.ts";

const line = (id: number, text = `m${id}`): ChatMessage => ({
  id,
  kind: "user",
  userId: "U1",
  displayName: "민지",
  text,
  code: null,
  params: null,
  at: 1_000 + id,
  deleted: false,
});
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
const ids = (ms: ChatMessage[]) => ms.map((m) => m.id);

describe("the room's chat list in the SPA", () => {
  test("merges history, live frames and older pages by id, oldest first, without duplicates", () => {
    const live = mergeMessages(lines(5, 7), [line(8), line(9)]);
    expect(ids(live)).toEqual([5, 6, 7, 8, 9]);
    const older = mergeMessages(live, lines(1, 6));
    expect(ids(older)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // a reconnect's history overlaps and may carry a line's newer state (deleted by an admin)
    const again = mergeMessages(older, [{ ...line(7), text: null, deleted: true }, line(10)]);
    expect(ids(again)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(again[6]).toMatchObject({ id: 7, deleted: true, text: null });
    expect(ids(mergeMessages([], [line(3), line(2)]))).toEqual([2, 3]);
  });

  test("keeps only the newest lines while the reader follows the bottom of a busy room", () => {
    let list: ChatMessage[] = [];
    let trimmedOnce = false;
    let last = 0;
    // a room at its cap for half a minute: 14 lines per frame
    for (let frame = 0; frame < 430; frame++) {
      const { messages, trimmed } = mergeLive(list, lines(last + 1, last + 14), true);
      list = messages;
      last += 14;
      trimmedOnce ||= trimmed;
    }
    expect(list).toHaveLength(CHAT_LIVE_KEEP);
    expect(ids(list)).toEqual(ids(lines(last - CHAT_LIVE_KEEP + 1, last)));
    expect(trimmedOnce).toBe(true);
  });

  test("lets a reader who scrolled back keep every line until they return to the bottom", () => {
    const reading = mergeLive(lines(1, CHAT_LIVE_KEEP), lines(CHAT_LIVE_KEEP + 1, CHAT_LIVE_KEEP + 50), false);
    expect(reading.trimmed).toBe(false);
    expect(reading.messages).toHaveLength(CHAT_LIVE_KEEP + 50);
    expect(reading.messages[0].id).toBe(1);
    const back = mergeLive(reading.messages, [line(CHAT_LIVE_KEEP + 51)], true);
    expect(back.trimmed).toBe(true);
    expect(back.messages).toHaveLength(CHAT_LIVE_KEEP);
    expect(back.messages.at(-1)?.id).toBe(CHAT_LIVE_KEEP + 51);
  });

  test("a small room keeps everything", () => {
    const { messages, trimmed } = mergeLive(lines(1, 10), lines(11, 20), true);
    expect(trimmed).toBe(false);
    expect(ids(messages)).toEqual(ids(lines(1, 20)));
  });
});
