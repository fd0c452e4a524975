/**
 * Gitea's (and Forgejo's) REST API, `/api/v1`, over fetch: it has no maintained JavaScript
 * client. A refusal throws GiteaError with the status and Gitea's `message`, like the other
 * forges' clients do, so forgeFailure can report it the same way.
 */
export class GiteaError extends Error {
  override name = "GiteaError";
  constructor(
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** What Gitea answers at most; anything larger is not one of the small JSON bodies asked for here. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export async function giteaRequest<T>(
  apiUrl: string,
  token: string,
  method: "GET" | "POST" | "PATCH",
  path: string,
  options: { body?: unknown; signal?: AbortSignal; accept?: string } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `token ${token}`,
        accept: options.accept ?? "application/json",
        "user-agent": "quire",
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal ?? AbortSignal.timeout(60_000),
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new GiteaError(undefined, error instanceof Error ? error.message : String(error));
  }
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > MAX_ANSWER_BYTES) throw new GiteaError(response.status, `answer too large (${declared} bytes)`);
  const text = await response.text();
  if (!response.ok) {
    let message = text.trim() || response.statusText;
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === "string") message = parsed.message;
    } catch {
      // Plain text: kept as it is.
    }
    throw new GiteaError(response.status, message.slice(0, 2000));
  }
  if (options.accept && options.accept !== "application/json") return text as T;
  return (text ? JSON.parse(text) : undefined) as T;
}
