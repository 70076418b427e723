import { z } from "zod";
import { CHAT_HISTORY_PAGE_MAX } from "../chat";
import { REPORT_REASONS } from "./board";
import { idSchema, reasonSchema } from "./common";

export const roomIdInput = z.object({ id: idSchema });

export const roomHistoryInput = z.object({
  id: idSchema,
  /** Messages older than this message id (exclusive); omit for the latest. */
  before: z.number().int().min(1).optional(),
  limit: z.number().int().min(1).max(CHAT_HISTORY_PAGE_MAX).default(50),
});

export const chatReportInput = z.object({
  id: idSchema,
  messageId: z.number().int().min(1),
  reason: z.enum(REPORT_REASONS),
  note: z.string().trim().max(500).optional(),
});

export const chatModerationInput = z.object({
  groupBuyId: idSchema,
  messageId: z.number().int().min(1),
  reason: reasonSchema,
});
