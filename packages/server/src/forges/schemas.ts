/** The forge webhook routes' answers, as zod objects in one place (the request bodies are each forge's own payloads). */
import { z } from "zod";

export const webhookAnswer = z.object({
  status: z.enum(["accepted", "ignored", "duplicate"]),
  reason: z.string().optional(),
});

export type WebhookAnswer = z.infer<typeof webhookAnswer>;
