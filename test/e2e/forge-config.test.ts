/**
 * `quire serve` reads `[forges]` from config.toml: a secret written into the file or an http URL
 * off this machine stops it with the key named (exit 2, before anything listens); a good table
 * and the QUIRE_* variables serve the webhooks (a wrong signature is a 401).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { providerEnv, tempHome } from "../helpers/quire.js";
import { spawnQuire, startServe, type ServeProcess } from "../helpers/server.js";

const running: ServeProcess[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

describe("[forges] in config.toml", () => {
  it.each([
    ['[forges.github]\ntoken = "ghp_in_the_file"\n', "forges.github"],
    ['[forges.gitea]\nurl = "http://gitea.example.com"\n', "forges.gitea"],
  ])("refuses %j, naming the key", async (toml, key) => {
    const home = tempHome();
    writeFileSync(path.join(home, "config.toml"), toml);
    const run = spawnQuire(["serve", "--port", "0", "--workers", "0"], {
      home,
      env: providerEnv("openai", "http://127.0.0.1:9/v1"),
    });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(`quire serve: config.toml: ${key}`);
    expect(run.stderr()).not.toContain("ghp_in_the_file");
  });

  it("serves the webhooks of the forges configured, with the secrets from the environment", async () => {
    const home = tempHome();
    writeFileSync(path.join(home, "config.toml"), '[forges.gitea]\nurl = "https://gitea.example.com"\n');
    const env = {
      ...providerEnv("openai", "http://127.0.0.1:9/v1"),
      QUIRE_GITEA_WEBHOOK_SECRET: "s",
      QUIRE_GITLAB_URL: "https://gitlab.example.com",
    };
    const server = await startServe({ home, env, args: ["--workers", "0"] });
    running.push(server);
    const post = (kind: string) =>
      fetch(`${server.url}/api/forges/${kind}/webhook`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-gitea-signature": "00",
          "x-gitea-delivery": "1",
          "x-gitea-event": "issue_comment",
        },
        body: "{}",
      });
    expect((await post("gitea")).status).toBe(401);
    // No secret for GitHub: its webhook is off.
    expect((await post("github")).status).toBe(404);
  });
});
