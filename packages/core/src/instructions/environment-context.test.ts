import { describe, expect, it } from "vitest";
import { type EnvironmentContext, renderEnvironmentContext } from "./environment-context.js";

const base: EnvironmentContext = {
  cwd: "/workspace/repo",
  sandbox: "bwrap",
  network: { mode: "off", domains: [], methods: "all" },
  writable: true,
  shell: "bash",
  date: "2026-03-14",
  mode: "code",
};

describe("renderEnvironmentContext", () => {
  it("renders a Codex-shaped block for code mode", () => {
    expect(renderEnvironmentContext(base)).toBe(
      [
        "<environment_context>",
        "  <cwd>/workspace/repo</cwd>",
        "  <approval_policy>never</approval_policy>",
        "  <sandbox_mode>workspace-write</sandbox_mode>",
        "  <sandbox>bwrap</sandbox>",
        "  <network_access>restricted</network_access>",
        "  <shell>bash</shell>",
        "  <current_date>2026-03-14</current_date>",
        "</environment_context>",
      ].join("\n"),
    );
  });

  it("is read-only in ask mode even when the workspace is writable, and when not writable", () => {
    expect(renderEnvironmentContext({ ...base, mode: "ask" })).toContain("<sandbox_mode>read-only</sandbox_mode>");
    expect(renderEnvironmentContext({ ...base, writable: false })).toContain("<sandbox_mode>read-only</sandbox_mode>");
  });

  it("lists the usual tools the commands can run, and those they cannot", () => {
    const text = renderEnvironmentContext({ ...base, tools: { present: ["git", "grep"], missing: ["rg", "python3"] } });
    expect(text).toContain(
      "  <current_date>2026-03-14</current_date>\n  <available_tools>git grep</available_tools>\n",
    );
    expect(text).toContain("  <missing_tools>rg python3</missing_tools>\n</environment_context>");
    const all = renderEnvironmentContext({ ...base, tools: { present: ["rg"], missing: [] } });
    expect(all).toContain("<available_tools>rg</available_tools>");
    expect(all).not.toContain("missing_tools");
  });

  it("reports enabled network", () => {
    expect(renderEnvironmentContext({ ...base, network: { mode: "on", domains: [], methods: "all" } })).toContain(
      "<network_access>enabled</network_access>",
    );
  });

  it("names the allowlist's hosts, and the methods when only reads pass", () => {
    const allowlist = renderEnvironmentContext({
      ...base,
      network: { mode: "allowlist", domains: ["registry.npmjs.org", "*.example.com"], methods: "safe" },
    });
    expect(allowlist).toContain(
      "  <network_access>restricted</network_access>\n  <allowed_domains>registry.npmjs.org *.example.com</allowed_domains>\n  <allowed_methods>GET HEAD OPTIONS</allowed_methods>\n",
    );
    const anyMethod = renderEnvironmentContext({
      ...base,
      network: { mode: "allowlist", domains: ["a.example"], methods: "all" },
    });
    expect(anyMethod).toContain("<allowed_domains>a.example</allowed_domains>");
    expect(anyMethod).not.toContain("allowed_methods");
    expect(renderEnvironmentContext(base)).not.toContain("allowed_domains");
  });

  it("escapes values and rejects a malformed date", () => {
    expect(renderEnvironmentContext({ ...base, cwd: "/w/a<b>&c" })).toContain("<cwd>/w/a&lt;b&gt;&amp;c</cwd>");
    expect(() => renderEnvironmentContext({ ...base, date: "March 14" })).toThrow(/YYYY-MM-DD/);
  });
});
