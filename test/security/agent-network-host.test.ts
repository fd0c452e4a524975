// The agent phase's network against the host Quire runs on. An environment is written by a member
// (or, in single-user mode, is the repository's own .quire/environment.toml), so neither
// `[network] mode = "on"` nor an allowlist naming a local address may open the host's loopback
// services (Quire's API, PostgreSQL), its other addresses or cloud metadata: only the operator's
// config.toml `[outbound] allow_private` does. Every probe aims at a service this test runs and
// counts what reached it. The e2e test runs the built CLI (build first).
import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startHttpEcho, type LocalServer } from "@quire/testing";
import { afterEach, describe, expect, it } from "vitest";
import { openAgentNetwork, type AgentNetwork } from "../../packages/core/src/network/agent-network.js";
import type { NetworkDecision } from "../../packages/core/src/network/decision.js";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { makeRepo } from "../helpers/repo.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { makeHostLayout, sandboxFor, sh } from "./attack-helpers.js";
import { hostService } from "./host-service.js";

const scriptedModel = useScriptedModels();
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The host's own addresses other than loopback, as URL hosts. */
const ownAddresses = (): string[] =>
  Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((entry) => !entry.internal && !entry.address.startsWith("fe80"))
    .map((entry) => (entry.family === "IPv6" ? `[${entry.address}]` : entry.address));

/** A raw proxy request through the sandbox's own loopback (no curl needed); prints the status line. */
const viaProxy = (url: string) =>
  `(exec 3<>/dev/tcp/127.0.0.1/3128 && printf 'GET ${url} HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3) 2>&1 || echo "no proxy"`;

describe('an environment\'s network = "on"', () => {
  it("reaches public hosts through the proxy, never the host's loopback or other addresses", async () => {
    const host = await hostService({ host: "::" }, cleanups);
    const allowed = await hostService({ host: "::" }, cleanups);
    const targets = [
      `http://127.0.0.1:${host.port}/api/environments`,
      `http://localhost:${host.port}/`,
      `http://2130706433:${host.port}/`,
      `http://[::1]:${host.port}/`,
      `http://169.254.169.254/latest/meta-data/`,
      ...ownAddresses().map((address) => `http://${address}:${host.port}/`),
    ];
    const script = [
      `(exec 3<>/dev/tcp/127.0.0.1/${host.port} && echo DIRECT-CONNECTED) 2>/dev/null || echo direct-refused`,
      ...targets.map(viaProxy),
      `echo CONTROL; ${viaProxy(`http://127.0.0.1:${allowed.port}/`)}`,
    ].join("; ");
    const repo = makeRepo({ ".quire/environment.toml": '[network]\nmode = "on"\n' });
    const model = await scriptedModel([
      { toolCalls: [{ name: "shell", arguments: { command: ["bash", "-c", script], timeout_ms: 60_000 } }] },
      { text: "done" },
    ]);
    const home = tempHome();
    cleanups.push(() => {
      for (const dir of [home, repo]) rmSync(dir, { recursive: true, force: true });
    });
    // The operator opens one local service (the control), and nothing else.
    writeFileSync(path.join(home, "config.toml"), `[outbound]\nallow_private = ["127.0.0.1:${allowed.port}"]\n`);
    const run = await runQuire(["exec", "--json", "--provider", "openai", "-m", "m", "probe the host"], {
      cwd: repo,
      home,
      env: providerEnv("openai", model.url),
    });
    expect(run.code).toBe(0);
    const command = run.events.find((e) => e.type === "item.completed" && e.item.type === "command_execution");
    const output =
      command?.type === "item.completed" && command.item.type === "command_execution"
        ? command.item.aggregated_output
        : "";
    expect(output).toContain("direct-refused");
    expect(output).not.toContain("DIRECT-CONNECTED");
    const [probes = "", control = ""] = output.split("CONTROL");
    expect(probes.match(/HTTP\/1\.1 403/g)).toHaveLength(targets.length);
    expect(control).toMatch(/^\s*HTTP\/1\.[01] 200 OK/);
    expect(host.hits()).toBe(0);
    expect(allowed.hits()).toBe(1);
    const refusals = run.events.flatMap((e) =>
      e.type === "item.completed" && e.item.type === "error" ? [e.item.message] : [],
    );
    expect(refusals.join("\n")).toContain(`blocked GET http://127.0.0.1:${host.port}/api/environments`);
  }, 120_000);
});

describe("an environment's allowlist", () => {
  let web: LocalServer;
  let network: AgentNetwork | undefined;

  async function open(allowPrivate: string[]): Promise<NetworkDecision[]> {
    const decisions: NetworkDecision[] = [];
    network = await openAgentNetwork(
      {
        mode: "allowlist",
        domains: ["127.0.0.1", "localhost", "169.254.169.254", "mirror.test"],
        preset: false,
        methods: "all",
      },
      {
        onDecision: (decision) => decisions.push(decision),
        resolve: async (name) =>
          name === "localhost" || name.endsWith(".test") ? "127.0.0.1" : Promise.reject(new Error("no DNS here")),
        httpPorts: [80, web.port],
        outbound: { allowPrivate },
      },
    );
    cleanups.push(() => network?.close());
    return decisions;
  }

  it("naming a local address or a name that resolves to one opens nothing unless the operator allows it", async () => {
    web = await startHttpEcho();
    cleanups.push(() => web.close());
    const layout = makeHostLayout();
    cleanups.push(() => layout.cleanup());
    const probe = [
      `http://127.0.0.1:${web.port}/loopback`,
      `http://localhost:${web.port}/name`,
      `http://mirror.test:${web.port}/resolved`,
      "http://169.254.169.254/latest/meta-data/",
    ]
      .map(viaProxy)
      .join("; ");

    const decisions = await open([]);
    const refused = await sh(sandboxFor(layout, network!.sandbox), probe, { timeoutMs: 30_000 });
    expect(refused.output.match(/HTTP\/1\.1 403/g)).toHaveLength(4);
    expect(decisions.map((decision) => decision.reason)).toEqual(Array(4).fill("private-address"));
    expect(web.hits).toEqual([]);

    // The control: the operator's allowance opens exactly that service.
    await network!.close();
    await open([`127.0.0.1:${web.port}`]);
    const allowed = await sh(sandboxFor(layout, network!.sandbox), probe, { timeoutMs: 30_000 });
    expect(allowed.output.match(/HTTP\/1\.1 200/g)).toHaveLength(3);
    expect(web.hits).toHaveLength(3);
  }, 60_000);
});
