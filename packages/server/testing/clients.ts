/**
 * For tests: HTTP clients of a multi-user API, each with its own credentials (a session cookie
 * with its CSRF token, or an API token), recording every response body so tests can check that
 * no secret was ever sent back. Kept free of vitest, like the other test-*.ts helpers.
 */
import type { AuthOptions } from "../src/accounts/auth-options.js";

export const ADMIN = { email: "admin@example.com", password: "admin-password-1" };

export const MULTI_USER: AuthOptions = { mode: "multi", bootstrapAdmin: { ...ADMIN, name: "Admin" } };

export interface Credentials {
  /** `quire_session=…` */
  cookie?: string;
  csrfToken?: string;
  token?: string;
  workspace?: string;
}

export class ApiClient {
  constructor(
    readonly url: string,
    readonly credentials: Credentials = {},
    /** Every response body seen, shared between clients of one test. */
    readonly seen: string[] = [],
  ) {}

  with(credentials: Credentials): ApiClient {
    return new ApiClient(this.url, { ...this.credentials, ...credentials }, this.seen);
  }

  async request(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
    const { cookie, csrfToken, token, workspace } = this.credentials;
    const response = await fetch(`${this.url}${path}`, {
      method,
      redirect: "manual",
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(cookie ? { cookie } : {}),
        ...(csrfToken ? { "x-csrf-token": csrfToken } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(workspace ? { "x-quire-workspace": workspace } : {}),
        ...extra,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // Set-Cookie is where the session id belongs; every other header and the body must not carry it.
    const headers = [...response.headers].filter(([name]) => name !== "set-cookie");
    this.seen.push(`${method} ${path} ${response.status} ${headers.join(" ")} ${await response.clone().text()}`);
    return response;
  }

  /** The JSON body, after checking the status. */
  async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown, status = 200): Promise<T> {
    const response = await this.request(method, path, body);
    const text = await response.text();
    if (response.status !== status)
      throw new Error(`${method} ${path}: ${response.status}, expected ${status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Signs in with a password; the returned client carries the session cookie and CSRF token. */
  async signIn(email: string, password: string): Promise<ApiClient> {
    const response = await this.request("POST", "/api/auth/login", { email, password });
    if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    return new ApiClient(this.url, { cookie: sessionCookie(response), csrfToken }, this.seen);
  }
}

/** `quire_session=…` from a response's Set-Cookie headers. */
export function sessionCookie(response: Response): string {
  const header = response.headers.getSetCookie().find((value) => value.startsWith("quire_session="));
  if (!header) throw new Error("no session cookie set");
  return header.split(";")[0]!;
}
