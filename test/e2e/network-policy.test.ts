import { expect, it } from "vitest";
import { useScriptedModels } from "../helpers/scripted.js";
import { makeRepo } from "../helpers/repo.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";

const scriptedModel = useScriptedModels();

/** A raw proxy request through the sandbox's own loopback (no curl needed). */
const viaProxy = (method: string, url: string, host: string) =>
  `exec 3<>/dev/tcp/127.0.0.1/3128 && printf '${method} ${url} HTTP/1.1\\r\\nHost: ${host}\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3`;

it("allowlist mode: requests go through the filtering proxy, refusals reach the model and the user as events", async () => {
  const repo = makeRepo({
    ".quire/environment.toml": '[network]\nmode = "allowlist"\ndomains = ["registry.example.org"]\nmethods = "safe"\n',
  });
  const model = await scriptedModel([
    {
      toolCalls: [
        {
          name: "shell",
          arguments: { command: ["bash", "-c", viaProxy("GET", "http://blocked.example/", "blocked.example")] },
        },
        {
          name: "shell",
          arguments: {
            command: ["bash", "-c", viaProxy("POST", "http://registry.example.org/", "registry.example.org")],
          },
        },
        {
          name: "shell",
          arguments: { command: ["bash", "-c", "echo > /dev/tcp/1.1.1.1/80 && echo DIRECT || echo no-route"] },
        },
      ],
    },
    { text: "done" },
  ]);
  const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "fetch"], {
    cwd: repo,
    home: tempHome(),
    env: providerEnv("openai", model.url),
  });
  expect(run.code).toBe(0);
  const outputs = run.events.flatMap((e) =>
    e.type === "item.completed" && e.item.type === "command_execution" ? [e.item.aggregated_output] : [],
  );
  expect(outputs[0]).toMatch(/^HTTP\/1\.1 403/);
  expect(outputs[1]).toMatch(/^HTTP\/1\.1 403/);
  expect(outputs[2]).toContain("no-route");
  const refusals = run.events.flatMap((e) =>
    e.type === "item.completed" && e.item.type === "error" ? [e.item.message] : [],
  );
  expect(refusals).toEqual([
    expect.stringMatching(/network: blocked GET http:\/\/blocked\.example\/ \(.*allowlist.*\)/),
    expect.stringMatching(/network: blocked POST http:\/\/registry\.example\.org\/ \(only GET, HEAD and OPTIONS/),
  ]);
});

it("tells the model the network it really has: restricted when off, the allowlist's hosts, enabled when on", async () => {
  const contexts: Record<string, string> = {};
  const policies = {
    off: '[network]\nmode = "off"\n',
    allowlist: '[network]\nmode = "allowlist"\ndomains = ["registry.example.org"]\nmethods = "safe"\n',
    on: '[network]\nmode = "on"\n',
  };
  for (const [mode, toml] of Object.entries(policies)) {
    const repo = makeRepo({ ".quire/environment.toml": toml });
    const model = await scriptedModel([{ text: "done" }]);
    const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "look"], {
      cwd: repo,
      home: tempHome(),
      env: providerEnv("openai", model.url),
    });
    expect(run.code).toBe(0);
    const sent = JSON.stringify(model.requests[0]?.body);
    contexts[mode] = /<environment_context>.*?<\/environment_context>/.exec(sent)?.[0] ?? "";
  }
  expect(contexts.off).toContain("<network_access>restricted</network_access>");
  expect(contexts.off).not.toContain("allowed_domains");
  expect(contexts.allowlist).toContain("<network_access>restricted</network_access>");
  expect(contexts.allowlist).toContain("<allowed_domains>registry.example.org</allowed_domains>");
  expect(contexts.allowlist).toContain("<allowed_methods>GET HEAD OPTIONS</allowed_methods>");
  expect(contexts.on).toContain("<network_access>enabled</network_access>");
  expect(contexts.on).not.toContain("allowed_domains");
});
