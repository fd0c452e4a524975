/** A task or follow-up the plan refused (HTTP 429, or 403 when waiting will not help), as the app shows it. */
import type { RefusalBody } from "@quire/protocol";

export type Refusal = RefusalBody["error"] & {
  /** From `Retry-After`; null on a 403 (waiting will not help). */
  retryAfterSeconds: number | null;
};
