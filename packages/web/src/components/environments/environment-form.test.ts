import { describe, expect, it } from "vitest";
import { definitionOf, emptyForm, formOf, networkSummary, rowEdits, type VariableRow } from "./environment-form";
import { FieldErrors } from "./field-errors";

const stored = {
  name: "node",
  definition: {
    setup: "npm ci\n",
    variables: { NODE_ENV: "test" },
    secrets: ["NPM_TOKEN"],
    network: { mode: "allowlist" as const, preset: true, domains: ["example.com"] },
    limits: { memory_mb: 2048 },
    checks: ["npm test"],
    mcp_servers: {
      docs: { command: "node", args: ["tools/docs-mcp.js", "--quiet"], env: { DOCS_DIR: "docs" } },
      tracker: { url: "https://mcp.tracker.example.com/mcp" },
    },
  },
  secrets: [
    { name: "NPM_TOKEN", version: 2, updatedAt: "2026-01-01T00:00:00Z" },
    { name: "EXTRA", version: 1, updatedAt: "2026-01-01T00:00:00Z" },
  ],
};

describe("the environment form", () => {
  it("edits MCP servers as a command line or a URL", () => {
    const form = formOf(stored);
    expect(form.mcpServers.map((row) => [row.name, row.target])).toEqual([
      ["docs", "node tools/docs-mcp.js --quiet"],
      ["tracker", "https://mcp.tracker.example.com/mcp"],
    ]);
    form.mcpServers[0]!.target = "python3  -m   docs_mcp";
    expect(definitionOf(form, stored.definition).mcp_servers).toEqual({
      docs: { command: "python3", args: ["-m", "docs_mcp"], env: { DOCS_DIR: "docs" } },
      tracker: { url: "https://mcp.tracker.example.com/mcp" },
    });
  });

  it("gives back the definition it was made from, untouched", () => {
    expect(definitionOf(formOf(stored), stored.definition)).toEqual({
      ...stored.definition,
      // A value stored under a name the definition did not list is listed now.
      secrets: ["NPM_TOKEN", "EXTRA"],
    });
  });

  it("leaves out what is not set, so the repository's file still applies", () => {
    const form = emptyForm();
    form.variables.push({ id: 1, name: "", value: "" });
    form.checks.push("  ");
    expect(definitionOf(form)).toEqual({});
  });

  it("keeps a script the server had even when emptied (a blank script overrides the repository's)", () => {
    const form = formOf(stored);
    form.setup = "";
    expect(definitionOf(form, stored.definition).setup).toBe("");
    expect(definitionOf({ ...emptyForm(), setup: "" }, {}).setup).toBeUndefined();
  });

  it("sends numbers as numbers and anything else as typed, for the server to name", () => {
    const form = emptyForm();
    form.limits.memory_mb = " 512 ";
    form.limits.disk_mb = "lots";
    form.cacheTtlHours = "1.5";
    expect(definitionOf(form)).toEqual({ limits: { memory_mb: 512, disk_mb: "lots" }, cache_ttl_hours: 1.5 });
  });

  it("says what the agent's network access will be", () => {
    const network = formOf(stored).network;
    expect(networkSummary(network)).toBe(
      "Agent internet access: allowlist (the package registries preset and 1 extra domain, safe methods only)",
    );
    expect(networkSummary({ ...network, preset: false, domains: [], methods: "all" })).toBe(
      "Agent internet access: allowlist (no domain yet, all methods)",
    );
    expect(networkSummary({ ...network, mode: "off" })).toBe("Agent internet access: off");
  });
});

describe("field errors", () => {
  const errors = new FieldErrors([
    { path: "limits.memory_mb", message: "too small" },
    { path: "network.domains.1", message: "not a host" },
    { path: "variables.1BAD", message: "bad name" },
    { path: "(root)", message: 'Unrecognized key: "foo"' },
  ]);

  it("gives each field the problems under its path, and the rest to the form", () => {
    expect(errors.under("limits.memory_mb")).toEqual(["too small"]);
    expect(errors.under("limits")).toEqual(["too small"]);
    expect(errors.under("network.domains.0")).toEqual([]);
    expect(errors.under("network.domains.1")).toEqual(["not a host"]);
    expect(errors.underExcept("variables", ["variables.1BAD"])).toEqual([]);
    expect(errors.underExcept("variables", ["variables.OK"])).toEqual(["bad name"]);
    expect(errors.unclaimed(["limits", "network", "variables"])).toEqual([
      { path: "(root)", message: 'Unrecognized key: "foo"' },
    ]);
  });
});

describe("field errors in words", () => {
  it("says zod's type errors as a person would, and keeps the server's own words", () => {
    const errors = new FieldErrors([
      { path: "limits.memory_mb", message: "Invalid input: expected number, received string" },
      { path: "limits.cpus", message: "Expected integer, received float" },
      { path: "network.safe_methods_only", message: "Invalid input: expected boolean, received string" },
      { path: "name", message: "Invalid input: expected string, received undefined" },
      { path: "limits.pids", message: "Too small: expected number to be >=1" },
    ]);
    expect(errors.at("limits.memory_mb")).toEqual(["must be a number"]);
    expect(errors.at("limits.cpus")).toEqual(["must be a whole number"]);
    expect(errors.at("network.safe_methods_only")).toEqual(["must be true or false"]);
    expect(errors.at("name")).toEqual(["is required"]);
    expect(errors.at("limits.pids")).toEqual(["Too small: expected number to be >=1"]);
  });
});

describe("rowEdits", () => {
  const rows: VariableRow[] = [
    { id: 1, name: "A", value: "1" },
    { id: 2, name: "B", value: "2" },
  ];
  const edited = (edit: (edits: ReturnType<typeof rowEdits<VariableRow>>) => void): VariableRow[] => {
    let result: VariableRow[] = [];
    edit(rowEdits(rows, (next) => (result = next)));
    return result;
  };

  it("changes only the named row, removes one row, and adds a blank row with a new id", () => {
    expect(edited((edits) => edits.set(2, { value: "two" }))).toEqual([rows[0], { id: 2, name: "B", value: "two" }]);
    expect(edited((edits) => edits.remove(1))).toEqual([rows[1]]);
    const added = edited((edits) => edits.add({ name: "", value: "" }));
    expect(added.slice(0, 2)).toEqual(rows);
    expect(added[2]).toMatchObject({ name: "", value: "" });
    expect(rows.map((row) => row.id)).not.toContain(added[2]!.id);
    expect(rows).toHaveLength(2);
  });
});
