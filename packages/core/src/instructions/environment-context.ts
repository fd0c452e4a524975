export interface EnvironmentContext {
  cwd: string;
  /** The isolation backend, e.g. "bwrap" or "none". */
  sandbox: string;
  /** The agent phase's network, as the environment sets it (environments/types.ts NetworkPolicy). */
  network: ContextNetwork;
  /** Whether the workspace may be written (ask mode never writes, whatever this says). */
  writable: boolean;
  shell: string;
  /** Today's date as YYYY-MM-DD: models otherwise assume their training cut-off. */
  date: string;
  mode: "code" | "ask" | "review";
  /** The usual tools commands can run, and those they cannot; absent when unknown (a container image). */
  tools?: { present: string[]; missing: string[] };
}

/**
 * What the model is told of its network: "off" and "allowlist" are Codex's `restricted`, "on" its
 * `enabled`; an allowlist also names the hosts it may reach (the preset's included) and, when
 * only reads pass, the methods.
 */
export interface ContextNetwork {
  mode: "off" | "allowlist" | "on";
  /** The hosts allowlist mode lets through; ignored otherwise. */
  domains: readonly string[];
  methods: "safe" | "all";
}

/** Values end up inside XML-like tags, so a path with `<` or `&` must not break the block. */
function escapeXml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The `<environment_context>` block sent as a user message, in Codex's shape so that models
 * trained on Codex read it as intended. `approval_policy` is always `never`: nobody is there
 * to approve a command while a delegated task runs.
 */
export function renderEnvironmentContext(ctx: EnvironmentContext): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(ctx.date)) throw new RangeError(`date must be YYYY-MM-DD, got ${ctx.date}`);
  const sandboxMode = ctx.mode === "code" && ctx.writable ? "workspace-write" : "read-only";
  const lines = [
    `<cwd>${escapeXml(ctx.cwd)}</cwd>`,
    `<approval_policy>never</approval_policy>`,
    `<sandbox_mode>${sandboxMode}</sandbox_mode>`,
    `<sandbox>${escapeXml(ctx.sandbox)}</sandbox>`,
    `<network_access>${ctx.network.mode === "on" ? "enabled" : "restricted"}</network_access>`,
    ...networkAllowance(ctx.network),
    `<shell>${escapeXml(ctx.shell)}</shell>`,
    `<current_date>${escapeXml(ctx.date)}</current_date>`,
  ];
  // So a model does not spend turns on a tool that is not installed (e.g. searching with rg).
  if (ctx.tools) {
    lines.push(`<available_tools>${escapeXml(ctx.tools.present.join(" "))}</available_tools>`);
    if (ctx.tools.missing.length > 0) {
      lines.push(`<missing_tools>${escapeXml(ctx.tools.missing.join(" "))}</missing_tools>`);
    }
  }
  return `<environment_context>\n${lines.map((line) => `  ${line}`).join("\n")}\n</environment_context>`;
}

/** The allowlist's hosts and methods, in the context's tags; nothing for "off" and "on". */
function networkAllowance(network: ContextNetwork): string[] {
  if (network.mode !== "allowlist") return [];
  const lines = [`<allowed_domains>${escapeXml(network.domains.join(" "))}</allowed_domains>`];
  if (network.methods === "safe") lines.push("<allowed_methods>GET HEAD OPTIONS</allowed_methods>");
  return lines;
}
