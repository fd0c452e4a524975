/**
 * The environment's MCP servers as rows: a name, and a command line (run inside the task's
 * sandbox) or a URL (reached only if the network allows its host). A server's `env` is kept as
 * the definition had it; the repository's environment.toml can set it.
 */
import { useId } from "react";
import { FieldError, invalidProps } from "./FieldError";
import { rowEdits, type McpServerRow } from "./environment-form";
import type { FieldErrors } from "./field-errors";

interface Props {
  rows: readonly McpServerRow[];
  errors: FieldErrors;
  onChange(rows: McpServerRow[]): void;
}

export function McpServersField({ rows, errors, onChange }: Props) {
  const id = useId();
  const { set, remove, add } = rowEdits(rows, onChange);
  const claimed = rows.map((row) => `mcp_servers.${row.name.trim()}`);
  const listErrors = errors.underExcept("mcp_servers", claimed);
  return (
    <fieldset className="field variables-field">
      <legend>MCP servers</legend>
      <p className="hint">
        Tools the agent may call, as NAME__TOOL: a command run inside the task's sandbox (under its network policy and
        limits), or an http(s) URL reached only if the agent's network allows its host.
      </p>
      {rows.map((row, index) => {
        const rowErrors = errors.under(`mcp_servers.${row.name.trim()}`);
        return (
          <div className="list-row variable-row" key={row.id}>
            <input
              className="mono"
              aria-label={`Name of MCP server ${index + 1}`}
              placeholder="docs"
              value={row.name}
              {...invalidProps(`${id}-${row.id}`, rowErrors)}
              onChange={(event) => set(row.id, { name: event.target.value })}
            />
            <input
              className="mono"
              aria-label={`Command or URL of MCP server ${index + 1}`}
              placeholder="node tools/docs-mcp.js  or  https://mcp.example.com/mcp"
              value={row.target}
              onChange={(event) => set(row.id, { target: event.target.value })}
            />
            <button
              type="button"
              className="quiet icon-button"
              aria-label={`Remove MCP server ${index + 1}`}
              onClick={() => remove(row.id)}
            >
              ×
            </button>
            <FieldError id={`${id}-${row.id}`} messages={rowErrors} />
          </div>
        );
      })}
      <button type="button" className="quiet add-row" onClick={() => add({ name: "", target: "", env: {} })}>
        + Add MCP server
      </button>
      <FieldError id={`${id}-list`} messages={listErrors} />
    </fieldset>
  );
}
