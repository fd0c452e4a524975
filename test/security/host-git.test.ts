// Git on the host reads more than the repository's objects: the repository's own config (a
// `core.fsmonitor` command runs on `git status`), the host user's config (a credential helper
// answers any server that asks for a password). Every host-side git of Quire goes through one
// hardened runner (packages/core/src/host-git.ts) that honours neither. Build first (`npm run build`).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { git, makeRepo } from "../helpers/repo.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { startWebServer, type WebServer } from "../helpers/web-server.js";

const scriptedModel = useScriptedModels();
const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closing.length > 0) await closing.pop()?.();
});

const temp = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), prefix));

it("quire exec never runs the fsmonitor command a checkout's own git config names", async () => {
  const repo = makeRepo({ "README.md": "hello\n" });
  const marker = path.join(temp("quire-fsmonitor-"), "ran");
  // `git status` (is the checkout dirty?) runs this on the host when it is honoured.
  git(repo, "config", "core.fsmonitor", `touch ${marker}; false`);
  const model = await scriptedModel([{ text: "done" }]);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "look"], {
    cwd: repo,
    home: tempHome(),
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  expect(existsSync(marker)).toBe(false);
});

/** A git server that asks every client for a password, and records what each request sent. */
async function passwordAskingServer(): Promise<{ port: number; requests: IncomingHttpHeaders[] }> {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.headers);
    response.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"', "Content-Length": "0" });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closing.push(() => new Promise((resolve) => server.close(() => resolve())));
  const address = server.address();
  return { port: typeof address === "object" && address !== null ? address.port : 0, requests };
}

it("cloning a registered URL never asks the host's credential helper for a password", async () => {
  const forge = await passwordAskingServer();
  // The operator's own git config, with a helper that hands out a password to whoever asks.
  const hostConfig = path.join(temp("quire-host-gitconfig-"), "gitconfig");
  writeFileSync(
    hostConfig,
    '[credential]\n\thelper = "!f() { echo username=operator; echo password=HOST-CREDENTIAL-5150; }; f"\n',
  );
  const server: WebServer = await startWebServer(
    {},
    {
      env: { GIT_CONFIG_GLOBAL: hostConfig },
      config: `[outbound]\nallow_private = ["127.0.0.1:${forge.port}"]\n`,
    },
  );
  closing.push(() => server.close());
  const created = await server.api("/api/repositories", "POST", {
    name: "asks",
    source: `http://127.0.0.1:${forge.port}/repo.git`,
  });
  expect(created.status).toBe(400);
  // git did reach the server (so the test can tell), and never sent the helper's password.
  expect(forge.requests.length).toBeGreaterThan(0);
  const sent = forge.requests.map((headers) => headers.authorization ?? "");
  const leaked = Buffer.from("operator:HOST-CREDENTIAL-5150").toString("base64");
  expect(sent.filter((authorization) => authorization.includes(leaked))).toEqual([]);
}, 60_000);
