/** An API token on a `quire serve --auth multi`, made as its admin would: sign in, then POST /api/tokens. */
export const ADMIN = { email: "admin@example.com", password: "admin-password-1" };

/** The environment that makes `quire serve --auth multi` create the admin of `signedInToken`. */
export const adminEnv = { QUIRE_ADMIN_EMAIL: ADMIN.email, QUIRE_ADMIN_PASSWORD: ADMIN.password };

export async function signedInToken(
  serverUrl: string,
  scopes: string[] = ["tasks:write", "repositories:write"],
): Promise<string> {
  const login = await fetch(`${serverUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  if (login.status !== 200) throw new Error(`signing in: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  const made = await fetch(`${serverUrl}/api/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
    body: JSON.stringify({ name: "test client", scopes }),
  });
  if (made.status !== 201) throw new Error(`making a token: ${made.status} ${await made.text()}`);
  return ((await made.json()) as { value: string }).value;
}
