/** Shapes every route shares: the error body and ISO timestamps. */
import { z } from "zod";
import { LIMIT_NAMES } from "../constants.js";

/** An ISO 8601 time as the server writes it. */
export const timestamp = z.string();

export const issueSchema = z.object({ path: z.string(), message: z.string() });

/** Every error: `{ error: { message, issues? } }`; issues name the request's fields at fault. */
export const errorBody = z
  .object({
    error: z.object({ message: z.string(), issues: z.array(issueSchema).optional() }),
  })
  .meta({ id: "Error" });

/** A task or follow-up the plan refused: 429 (with Retry-After) when waiting helps, else 403. */
export const refusalBody = z
  .object({
    error: z.object({
      message: z.string(),
      limit: z.union([z.enum(LIMIT_NAMES), z.string()]),
      used: z.number().nullable(),
      max: z.number().nullable(),
      resetAt: z.string().nullable(),
    }),
  })
  .meta({ id: "Refusal" });

export type ErrorBody = z.infer<typeof errorBody>;
export type Issue = z.infer<typeof issueSchema>;
export type RefusalBody = z.infer<typeof refusalBody>;
