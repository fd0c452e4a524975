/** Shorthands for route declarations (contract.ts): a JSON answer, an error, a text answer. */
import { errorBody, refusalBody } from "@quire/protocol";
import { z } from "zod";
import type { ResponseSpec } from "./contract.js";

const stringSchema = z.string();

export const ok = (description: string, schema: z.ZodType): ResponseSpec => ({ description, schema });
export const error = (description: string): ResponseSpec => ({ description, schema: errorBody });
export const text = (description: string, mediaType: string | readonly string[]): ResponseSpec => ({
  description,
  mediaType,
  schema: stringSchema,
});
export const empty = (description: string): ResponseSpec => ({ description });

/** What any route behind authentication may answer. */
export const denied = { 401: error("Not signed in."), 403: error("Not allowed (role, scope or CSRF token).") };

export const retryAfter = { "retry-after": { description: "Seconds to wait.", schema: { type: "integer" as const } } };

/** A plan's refusal of a task or follow-up (plans/http.ts): 429 when waiting helps, 403 when it does not. */
export const refused = {
  403: {
    description: "Not allowed (role, scope or CSRF token), or over the plan: waiting will not help.",
    schema: z.union([refusalBody, errorBody]),
  },
  429: { description: "A limit of the plan: try again after Retry-After.", schema: refusalBody, headers: retryAfter },
};
