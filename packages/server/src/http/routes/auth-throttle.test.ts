import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../accounts/passwords.js";
import { ADMIN, MULTI_USER } from "../../../testing/clients.js";
import { LOCAL_WORKSPACE_ID } from "../../storage/index.js";
import { TEST_DIALECTS } from "../../../testing/databases.js";
import { startTestApi, type TestApi } from "../../../testing/api.js";

// Each test signs in from its own loopback address (127.0.0.x; Linux routes all of 127/8 to lo),
// so the per-address counters of one test do not reach into another's.

interface Answer {
  status: number;
  message: string | undefined;
  retryAfter: string | undefined;
  setCookie: string[];
}

/** POST /api/auth/login from a chosen local address (fetch cannot pick one; node:http can). */
function login(
  base: string,
  from: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      new URL("/api/auth/login", base),
      { method: "POST", localAddress: from, headers: { "content-type": "application/json", ...headers } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          const parsed = text ? (JSON.parse(text) as { error?: { message?: string } }) : {};
          const retryAfter = response.headers["retry-after"];
          resolve({
            status: response.statusCode ?? 0,
            message: parsed.error?.message,
            retryAfter: typeof retryAfter === "string" ? retryAfter : undefined,
            setCookie: response.headers["set-cookie"] ?? [],
          });
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WRONG = "wrong-password-7";
const BLOCKED_MESSAGE = "too many failed sign-ins; try again in 60 s";

async function throttledEntries(api: TestApi, address: string) {
  const entries = await api.repos.audit.list({ workspaceId: LOCAL_WORKSPACE_ID, action: "auth.login_throttled" });
  return entries.filter((entry) => entry.details.address === address);
}

async function failedCount(api: TestApi, email: string): Promise<number> {
  const entries = await api.repos.audit.list({
    workspaceId: LOCAL_WORKSPACE_ID,
    action: "auth.login_failed",
    limit: 500,
  });
  return entries.filter((entry) => entry.details.email === email).length;
}

describe.each(TEST_DIALECTS)("sign-in throttling with the real limits on %s", (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect, { auth: MULTI_USER });
  });
  afterAll(async () => api?.close());

  const failFiveTimes = async (from: string, email: string) => {
    for (let i = 0; i < 5; i++) {
      const answer = await login(api.url, from, email, WRONG);
      expect([answer.status, answer.message]).toEqual([401, "wrong email or password"]);
    }
  };

  it("refuses the 6th attempt of a pair after 5 failures, even with the right password, with 429 and Retry-After", async () => {
    const from = "127.0.0.11";
    await failFiveTimes(from, ADMIN.email);
    const sixth = await login(api.url, from, ADMIN.email, ADMIN.password);
    expect(sixth).toEqual({ status: 429, message: BLOCKED_MESSAGE, retryAfter: "60", setCookie: [] });

    // Refused before the password is checked: a wrong one is not even recorded as a failure.
    const seventh = await login(api.url, from, ADMIN.email.toUpperCase(), WRONG);
    expect(seventh.status).toBe(429);
    expect(Number(seventh.retryAfter)).toBeGreaterThanOrEqual(59);
    expect(seventh.message).toMatch(/^too many failed sign-ins; try again in (59|60) s$/);
    expect(await failedCount(api, ADMIN.email)).toBe(5);
    expect(await failedCount(api, ADMIN.email.toUpperCase())).toBe(0);

    // One audit entry for the block, in the user's workspace, naming the user; none per refusal.
    const admin = await api.repos.users.getByEmail(ADMIN.email);
    const entries = await throttledEntries(api, from);
    expect(entries.map((e) => [e.actorUserId, e.target, e.details])).toEqual([
      [
        admin!.id,
        `user:${admin!.id}`,
        { method: "password", email: ADMIN.email, address: from, limit: "email_and_address", blockedSeconds: 60 },
      ],
    ]);
    const logsAndAudit = JSON.stringify(api.logs) + JSON.stringify(entries);
    expect(logsAndAudit).not.toContain(WRONG);
    expect(logsAndAudit).not.toContain(ADMIN.password);
  });

  it("forgets a pair's failures when it signs in successfully", async () => {
    const from = "127.0.0.12";
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await login(api.url, from, ADMIN.email, WRONG)).status).toBe(401);
      expect((await login(api.url, from, ADMIN.email, ADMIN.password)).status).toBe(200);
    }
    expect((await login(api.url, from, ADMIN.email, WRONG)).status).toBe(401);
    expect(await throttledEntries(api, from)).toEqual([]);
  });

  it("throttles an unknown email exactly like a known one", async () => {
    const attempts = async (from: string, email: string) => {
      const answers: [number, string | undefined, string | undefined][] = [];
      for (let i = 0; i < 7; i++) {
        const answer = await login(api.url, from, email, WRONG);
        answers.push([answer.status, answer.message, answer.retryAfter]);
      }
      return answers;
    };
    const known = await attempts("127.0.0.13", ADMIN.email);
    const unknown = await attempts("127.0.0.14", "nobody@example.com");
    expect(unknown).toEqual(known);
    expect(known.map(([status]) => status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const [entry] = await throttledEntries(api, "127.0.0.14");
    expect(entry).toMatchObject({ actorUserId: null, target: null, details: { email: "nobody@example.com" } });
  });

  it("blocks the pair only: other emails from that address, and that email from others, still get in", async () => {
    const from = "127.0.0.15";
    const member = { email: "member@example.com", password: "member-password-1" };
    await api.repos.users.create({ email: member.email, passwordHash: await hashPassword(member.password) });
    await failFiveTimes(from, ADMIN.email);
    expect((await login(api.url, from, ADMIN.email, ADMIN.password)).status).toBe(429);
    expect((await login(api.url, from, member.email, member.password)).status).toBe(200);
    expect((await login(api.url, from, "someone-else@example.com", WRONG)).status).toBe(401);
    expect((await login(api.url, "127.0.0.16", ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it("takes the address from the connection, not from X-Forwarded-For", async () => {
    const from = "127.0.0.17";
    await failFiveTimes(from, ADMIN.email);
    for (const forwarded of ["203.0.113.7", "127.0.0.16"]) {
      const answer = await login(api.url, from, ADMIN.email, ADMIN.password, { "x-forwarded-for": forwarded });
      expect(answer.status).toBe(429);
    }
  });

  it("lets no more than 5 simultaneous attempts of a pair reach the password check", async () => {
    const from = "127.0.0.18";
    const answers = await Promise.all(Array.from({ length: 12 }, () => login(api.url, from, ADMIN.email, WRONG)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([...Array<number>(5).fill(401), ...Array<number>(7).fill(429)]);
    expect(await throttledEntries(api, from)).toHaveLength(1);
  });
});

describe.each(TEST_DIALECTS)("sign-in throttling with short limits on %s", (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect, {
      auth: MULTI_USER,
      signInLimits: { blockSeconds: 1, maxBlockSeconds: 2, failuresPerAddress: 12, addressBlockSeconds: 1 },
    });
  });
  afterAll(async () => api?.close());

  it("ends a block when its time is up; the pair's next block lasts twice as long", async () => {
    const from = "127.0.0.21";
    const failUntilBlocked = async (seconds: number) => {
      for (let i = 0; i < 5; i++) expect((await login(api.url, from, ADMIN.email, WRONG)).status).toBe(401);
      const refused = await login(api.url, from, ADMIN.email, ADMIN.password);
      expect([refused.status, refused.retryAfter, refused.message]).toEqual([
        429,
        String(seconds),
        `too many failed sign-ins; try again in ${seconds} s`,
      ]);
    };
    await failUntilBlocked(1);
    await sleep(1150);
    await failUntilBlocked(2);
    await sleep(1150);
    expect((await login(api.url, from, ADMIN.email, ADMIN.password)).status).toBe(429); // a 1 s block would be over
    await sleep(1000);
    expect((await login(api.url, from, ADMIN.email, ADMIN.password)).status).toBe(200);
    const entries = await throttledEntries(api, from);
    expect(entries.map((entry) => entry.details.blockedSeconds)).toEqual([2, 1]); // newest first
  });

  it("caps failures per address across emails, then lets it in again after the block", async () => {
    const from = "127.0.0.22";
    for (let i = 0; i < 12; i++) {
      // Two failures per email: no pair comes near its own limit.
      expect((await login(api.url, from, `user${Math.floor(i / 2)}@example.com`, WRONG)).status).toBe(401);
    }
    const capped = await login(api.url, from, "fresh@example.com", WRONG);
    expect(capped).toEqual({
      status: 429,
      message: "too many failed sign-ins from this address; try again in 1 s",
      retryAfter: "1",
      setCookie: [],
    });
    expect((await login(api.url, from, ADMIN.email, ADMIN.password)).status).toBe(429);
    expect((await login(api.url, "127.0.0.23", ADMIN.email, ADMIN.password)).status).toBe(200);
    const [entry] = await throttledEntries(api, from);
    expect(entry?.details).toMatchObject({ limit: "address", email: "fresh@example.com", blockedSeconds: 1 });

    await sleep(1150);
    expect((await login(api.url, from, ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it("does not count successful sign-ins against the address", async () => {
    const from = "127.0.0.24";
    for (let i = 0; i < 13; i++) expect((await login(api.url, from, ADMIN.email, ADMIN.password)).status).toBe(200);
    expect((await login(api.url, from, "nobody@example.com", WRONG)).status).toBe(401);
  });
});
