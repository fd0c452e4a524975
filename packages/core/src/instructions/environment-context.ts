export interface EnvironmentContext {
  cwd: string;
  /** The isolation backend, e.g. "bwrap" or "none". */
  sandbox: string;
  network: "disabled" | "enabled";
  /** Whether the workspace may be written (ask mode never writes, whatever this says). */
  writable: boolean;
  shell: string;
  /** Today's date as YYYY-MM-DD: models otherwise assume their training cut-off. */
  date: string;
  mode: "code" | "ask" | "review";
  /** The usual tools commands can run, and those they cannot; absent when unknown (a container image). */
  tools?: { present: string[]; missing: string[] };
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
    `<network_access>${ctx.network === "enabled" ? "enabled" : "restricted"}</network_access>`,
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
