/** JSON errors: `{ error: { message, issues? } }`, with zod issues turned into path + message. */
import type { Context } from "hono";
import { HttpError } from "../errors.js";
import type { z } from "zod";

export function errorResponse(c: Context, error: HttpError): Response {
  const body = error.issues ? { message: error.message, issues: error.issues } : { message: error.message };
  return c.json({ error: body }, error.status);
}

export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
  throw new HttpError(400, `invalid ${what}: ${summary}`, issues);
}

/** The body as JSON, or a 400 saying it is not JSON. */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new HttpError(400, "the request body must be JSON");
  }
}
