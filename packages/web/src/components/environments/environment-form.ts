/**
 * An environment's definition as the editor holds it (strings, as typed, and rows), and back.
 * Converting back keeps what the reader did not touch: a key the definition did not have stays
 * absent, so the repository's `.quire/environment.toml` still applies for it. What the reader
 * typed is sent as typed ("12x" stays a string) so that the server's 400 names the field.
 */
import type { EnvironmentDefinition, Environment, LimitKey, NetworkMode, SecretInfo } from "@quire/protocol";
import { LIMIT_KEYS } from "@quire/protocol/constants";

export interface VariableRow {
  id: number;
  name: string;
  value: string;
}

/** A secret's name with its stored version; a new value only lives here until it is saved. */
export interface SecretRow {
  id: number;
  name: string;
  value: string;
  stored: SecretInfo | null;
}

/** An MCP server: a command line (split on spaces) or a URL; `env` kept as the definition had it. */
export interface McpServerRow {
  id: number;
  name: string;
  target: string;
  env: Record<string, string>;
}

export interface NetworkForm {
  /** "default": not set here; the repository's file or the server's default (off) applies. */
  mode: NetworkMode | "default";
  preset: boolean | undefined;
  domains: string[];
  methods: "safe" | "all" | undefined;
}

export interface EnvironmentForm {
  name: string;
  setup: string;
  maintenance: string;
  variables: VariableRow[];
  secrets: SecretRow[];
  network: NetworkForm;
  limits: Record<LimitKey, string>;
  checks: string[];
  cacheTtlHours: string;
  mcpServers: McpServerRow[];
}

let nextRowId = 1;
export const newRowId = (): number => nextRowId++;

/** The edits every row list of the form makes: change one row's fields, remove it, add a blank one. */
export function rowEdits<Row extends { id: number }>(rows: readonly Row[], onChange: (rows: Row[]) => void) {
  return {
    set: (rowId: number, change: Partial<Row>): void =>
      onChange(rows.map((row) => (row.id === rowId ? { ...row, ...change } : row))),
    remove: (rowId: number): void => onChange(rows.filter((row) => row.id !== rowId)),
    // TypeScript cannot see that a generic Omit<Row, "id"> plus an id is a Row again.
    add: (blank: Omit<Row, "id">): void => onChange([...rows, { ...blank, id: newRowId() } as Row]),
  };
}

export function emptyForm(): EnvironmentForm {
  return formOf({ name: "", definition: {}, secrets: [] });
}

export function formOf(environment: Pick<Environment, "name" | "definition" | "secrets">): EnvironmentForm {
  const { definition } = environment;
  const declared = definition.secrets ?? [];
  // Values stored under names the definition does not list (set through the API) show too.
  const names = [...declared, ...environment.secrets.map((s) => s.name).filter((name) => !declared.includes(name))];
  return {
    name: environment.name,
    setup: definition.setup ?? "",
    maintenance: definition.maintenance ?? "",
    variables: Object.entries(definition.variables ?? {}).map(([name, value]) => ({ id: newRowId(), name, value })),
    secrets: names.map((name) => ({
      id: newRowId(),
      name,
      value: "",
      stored: environment.secrets.find((secret) => secret.name === name) ?? null,
    })),
    network: {
      mode: definition.network?.mode ?? "default",
      preset: definition.network?.preset,
      domains: definition.network?.domains ?? [],
      methods: definition.network?.methods,
    },
    limits: Object.fromEntries(
      LIMIT_KEYS.map((key) => [key, definition.limits?.[key] === undefined ? "" : String(definition.limits[key])]),
    ) as Record<LimitKey, string>,
    checks: definition.checks ?? [],
    cacheTtlHours: definition.cache_ttl_hours === undefined ? "" : String(definition.cache_ttl_hours),
    mcpServers: Object.entries(definition.mcp_servers ?? {}).map(([name, server]) => ({
      id: newRowId(),
      name,
      target: server.url ?? [server.command ?? "", ...(server.args ?? [])].join(" "),
      env: server.env ?? {},
    })),
  };
}

/** A number when the text is one; else the text itself, for the server to say what is wrong. */
function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

const nonBlank = (values: readonly string[]): string[] => values.map((v) => v.trim()).filter((v) => v !== "");

/**
 * The definition to send. `original` is what the server had: a script it had set (even blank,
 * which overrides the repository's) stays set when emptied; one it never had stays absent.
 */
export function definitionOf(form: EnvironmentForm, original: EnvironmentDefinition = {}): Record<string, unknown> {
  const definition: Record<string, unknown> = {};
  for (const key of ["setup", "maintenance"] as const) {
    if (form[key].trim() !== "" || original[key] !== undefined) definition[key] = form[key];
  }
  const variables = form.variables.filter((row) => row.name.trim() !== "" || row.value !== "");
  if (variables.length > 0 || original.variables) {
    definition.variables = Object.fromEntries(variables.map((row) => [row.name.trim(), row.value]));
  }
  const secrets = nonBlank(form.secrets.map((row) => row.name));
  if (secrets.length > 0 || original.secrets) definition.secrets = secrets;

  const network: Record<string, unknown> = {};
  if (form.network.mode !== "default") network.mode = form.network.mode;
  if (form.network.preset !== undefined) network.preset = form.network.preset;
  const domains = nonBlank(form.network.domains);
  if (domains.length > 0 || original.network?.domains) network.domains = domains;
  if (form.network.methods !== undefined) network.methods = form.network.methods;
  if (Object.keys(network).length > 0) definition.network = network;

  const limits = Object.fromEntries(
    LIMIT_KEYS.filter((key) => form.limits[key].trim() !== "").map((key) => [key, numberOrText(form.limits[key])]),
  );
  if (Object.keys(limits).length > 0) definition.limits = limits;

  const checks = nonBlank(form.checks);
  if (checks.length > 0 || original.checks) definition.checks = checks;
  if (form.cacheTtlHours.trim() !== "") definition.cache_ttl_hours = numberOrText(form.cacheTtlHours);
  const servers = form.mcpServers.filter((row) => row.name.trim() !== "" || row.target.trim() !== "");
  if (servers.length > 0 || original.mcp_servers) {
    definition.mcp_servers = Object.fromEntries(servers.map((row) => [row.name.trim(), mcpServerOf(row)]));
  }
  return definition;
}

function mcpServerOf(row: McpServerRow): Record<string, unknown> {
  const target = row.target.trim();
  if (/^https?:\/\//.test(target)) return { url: target };
  const [command = "", ...args] = target.split(/\s+/).filter((part) => part !== "");
  return { command, args, ...(Object.keys(row.env).length > 0 ? { env: row.env } : {}) };
}

/** "Agent internet access: …" in words, as the sandbox will apply it. */
export function networkSummary(network: NetworkForm): string {
  switch (network.mode) {
    case "default":
      return "Agent internet access: not set here (the repository's file applies; off if it says nothing)";
    case "off":
      return "Agent internet access: off";
    case "on":
      return "Agent internet access: on (any public host, never the server's own services)";
    case "allowlist": {
      const domains = nonBlank(network.domains);
      const reach = [
        network.preset ? "the package registries preset" : null,
        domains.length > 0 ? `${domains.length === 1 ? "1 extra domain" : `${domains.length} extra domains`}` : null,
      ].filter((part) => part !== null);
      const methods = network.methods === "all" ? "all methods" : "safe methods only";
      return `Agent internet access: allowlist (${reach.length > 0 ? reach.join(" and ") : "no domain yet"}, ${methods})`;
    }
  }
}
