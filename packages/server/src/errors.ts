/**
 * An error that carries the HTTP status it answers with: thrown by services (accounts, plans, tasks)
 * and turned into `{ error: { message, issues? } }` by the app (http/errors.ts).
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface Issue {
  path: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
  }
}
