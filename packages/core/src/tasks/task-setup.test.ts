import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NETWORK_PRESET_DOMAINS } from "../environments/network-preset.js";
import type { NetworkPolicy } from "../environments/types.js";
import { buildPreamble } from "./task-setup.js";

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), "quire-task-setup-"));

async function contextFor(network: NetworkPolicy): Promise<string> {
  const workspace = tempDir();
  const preamble = await buildPreamble({
    home: tempDir(),
    workspace,
    cwd: workspace,
    mode: "code",
    sandbox: "none",
    network,
  });
  const context = preamble.at(-1);
  return context?.type === "message" ? context.text : "";
}

describe("the environment context's network", () => {
  it("is restricted when the environment's network is off", async () => {
    const text = await contextFor({ mode: "off", domains: ["ignored.example"], preset: true, methods: "all" });
    expect(text).toContain("<network_access>restricted</network_access>");
    expect(text).not.toContain("allowed_domains");
  });

  it("names the allowlist's hosts, the preset's spelled out, and the methods", async () => {
    const text = await contextFor({
      mode: "allowlist",
      domains: ["registry.example.org"],
      preset: true,
      methods: "safe",
    });
    expect(text).toContain("<network_access>restricted</network_access>");
    const domains = /<allowed_domains>([^<]*)<\/allowed_domains>/.exec(text)?.[1]?.split(" ");
    expect(domains).toEqual(["registry.example.org", ...NETWORK_PRESET_DOMAINS]);
    expect(text).toContain("<allowed_methods>GET HEAD OPTIONS</allowed_methods>");
  });

  it("is enabled when the environment's network is on", async () => {
    const text = await contextFor({ mode: "on", domains: [], preset: false, methods: "all" });
    expect(text).toContain("<network_access>enabled</network_access>");
    expect(text).not.toContain("allowed_domains");
  });
});
