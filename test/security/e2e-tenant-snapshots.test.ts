// A hostile (or merely careless) workspace must not reach another workspace's agent through the
// snapshot cache: two workspaces of one multi-user `quire serve`, the same repository and commit,
// identical environment definitions with the same secret versions. Workspace A's setup leaves a
// credential in the checkout (transformed, ROT13, so scrubbing secret values and their common
// encodings does not catch it);
// workspace B's agent reads that file. Build first (`npm run build`).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failingTestRepo, git, writeFiles } from "../helpers/repo.js";
import { requestText } from "../helpers/requests.js";
import { waitForTask } from "../helpers/task-wait.js";
import { ADMIN, plansToml } from "../helpers/web-accounts.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const CREDENTIAL_FILE = ".cred";

/** What the setup below writes: the token in ROT13. */
const rot13 = (text: string): string =>
  text.replace(/[A-Za-z]/g, (c) => {
    const base = c <= "Z" ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });

let server: WebServer;
let sources: string;

beforeAll(async () => {
  // The repository lives under a root the operator allows local sources from.
  sources = mkdtempSync(path.join(os.tmpdir(), "quire-tenant-sources-"));
  server = await startWebServer(
    {
      snoop: (turn) =>
        turn === 0
          ? {
              toolCalls: [
                { name: "shell", arguments: { command: ["sh", "-c", `cat ${CREDENTIAL_FILE} || echo no-credential`] } },
              ],
            }
          : { text: "done" },
    },
    { auth: { mode: "multi", admin: ADMIN }, plans: plansToml(50), env: { QUIRE_LOCAL_SOURCE_ROOTS: sources } },
  );
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(sources, { recursive: true, force: true });
});

/** Registers the repository and an environment (with its secret) in one workspace. */
async function setUpWorkspace(workspace: string, repoPath: string, token: string) {
  const headers = { "x-quire-workspace": workspace };
  const repository = await server.addRepository(repoPath, "shared", workspace);
  // Identical definitions in both workspaces: only the secret's value differs (its version does not).
  const definition = {
    setup: `printf '%s' "$SERVICE_TOKEN" | tr 'A-Za-z' 'N-ZA-Mn-za-m' > ${CREDENTIAL_FILE}`,
    secrets: ["SERVICE_TOKEN"],
  };
  const created = await server.api<{ environment: { id: string } }>(
    "/api/environments",
    "POST",
    { repo: repository.id, name: "ci", definition },
    headers,
  );
  expect(created.status).toBe(201);
  const environment = created.body.environment.id;
  const secret = await server.api(
    `/api/environments/${environment}/secrets/SERVICE_TOKEN`,
    "PUT",
    { value: token },
    headers,
  );
  expect(secret.status).toBe(200);
  return { repository, environment, headers };
}

/** Runs the snooping ask task in the workspace and waits until it is no longer queued or running. */
async function runTask(setup: Awaited<ReturnType<typeof setUpWorkspace>>): Promise<string> {
  const created = await server.api<{ task: { id: string } }>(
    "/api/tasks",
    "POST",
    {
      repo: setup.repository.id,
      ref: "main",
      mode: "ask",
      prompt: "[script:snoop] what is in the credential file?",
      environment: setup.environment,
    },
    setup.headers,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return waitForTask(server, created.body.task.id, setup.headers);
}

describe("snapshots between workspaces", () => {
  it("never start workspace B's task from the snapshot workspace A's setup built", async () => {
    const repoPath = path.join(sources, "shared");
    git(sources, "init", "--quiet", "--initial-branch=main", repoPath);
    git(repoPath, "config", "user.email", "dev@example.com");
    git(repoPath, "config", "user.name", "Dev");
    writeFiles(repoPath, failingTestRepo);
    git(repoPath, "add", "--all");
    git(repoPath, "commit", "--quiet", "-m", "initial");

    const made = await server.api<{ workspace: { id: string } }>("/api/workspaces", "POST", { name: "Tenant B" });
    expect(made.status).toBe(201);
    const tokenA = `tenant-a-credential-${Date.now()}`;
    const tokenB = `tenant-b-credential-${Date.now()}`;
    const a = await setUpWorkspace("local", repoPath, tokenA);
    const b = await setUpWorkspace(made.body.workspace.id, repoPath, tokenB);

    expect(await runTask(a)).toBe("completed");
    const encodedA = rot13(tokenA);
    // A's own agent reads what A's setup wrote (the file is there, transformed, not scrubbed).
    expect(server.model.requests.some((request) => requestText(request).includes(encodedA))).toBe(true);

    const before = server.model.requests.length;
    expect(await runTask(b)).toBe("completed");
    const seenByB = server.model.requests.slice(before).map(requestText).join("\n");
    expect(seenByB).not.toBe("");
    // B's agent sees B's own setup's result, never A's credential.
    expect(seenByB).not.toContain(encodedA);
    expect(seenByB).toContain(rot13(tokenB));
  }, 240_000);
});
