/**
 * JSON over fetch for the forge calls no maintained client covers well: all of Gitea's (and
 * Forgejo's) `/api/v1`, which has no JavaScript client, and GitLab's discussions and member
 * checks. A refusal throws ForgeHttpError with the status and the forge's `message`, so
 * forgeFailure reports it like the clients' own errors. Answers are bounded.
 */
export class ForgeHttpError extends Error {
  override name = "ForgeHttpError";
  constructor(
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** What a forge answers at most; a pull request's diff is the largest thing asked for. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export interface ForgeRequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Anything but JSON is returned as text (a diff). */
  accept?: string;
}

export async function forgeRequest<T>(
  url: string,
  headers: Record<string, string>,
  method: "GET" | "POST" | "PUT" | "PATCH",
  options: ForgeRequestOptions = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...headers,
        accept: options.accept ?? "application/json",
        "user-agent": "quire",
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal ?? AbortSignal.timeout(60_000),
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ForgeHttpError(undefined, error instanceof Error ? error.message : String(error));
  }
  const text = await boundedText(response);
  if (!response.ok) {
    let message = text.trim() || response.statusText;
    try {
      const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
      const said = parsed.message ?? parsed.error;
      if (typeof said === "string") message = said;
      else if (said !== undefined) message = JSON.stringify(said);
    } catch {
      // Plain text: kept as it is.
    }
    throw new ForgeHttpError(response.status, message.slice(0, 2000));
  }
  if (options.accept && options.accept !== "application/json") return text as T;
  return (text ? JSON.parse(text) : undefined) as T;
}

async function boundedText(response: Response): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > MAX_ANSWER_BYTES) {
    await response.body?.cancel();
    throw new ForgeHttpError(response.status, `answer too large (${declared} bytes)`);
  }
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (bytes > MAX_ANSWER_BYTES)
      throw new ForgeHttpError(response.status, `answer too large (over ${MAX_ANSWER_BYTES} bytes)`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Gitea's API with its token header. */
export function giteaRequest<T>(
  apiUrl: string,
  token: string,
  method: "GET" | "POST" | "PUT" | "PATCH",
  path: string,
  options: ForgeRequestOptions = {},
): Promise<T> {
  return forgeRequest<T>(`${apiUrl}${path}`, { authorization: `token ${token}` }, method, options);
}

/** GitLab's API (`/api/v4` under the instance) with its token header. */
export function gitlabRequest<T>(
  host: string,
  token: string,
  method: "GET" | "POST" | "PUT" | "PATCH",
  path: string,
  options: ForgeRequestOptions = {},
): Promise<T> {
  return forgeRequest<T>(`${host}/api/v4${path}`, { "private-token": token }, method, options);
}
