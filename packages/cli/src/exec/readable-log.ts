import {
  diffStat,
  type ModelStreamEvent,
  type QuireEvent,
  type TaskRecord,
  type TaskResult,
  type TaskUsage,
} from "@quire/core";

/** Lines of a command's output shown in the readable log (the full output is in the events). */
const OUTPUT_TAIL_LINES = 6;

/**
 * The human view of a running task, on stderr: what the model is doing, each command with
 * its exit code, file edits, the plan, and at the end the diff stat. stdout is kept for the
 * final message so that `quire exec "…" > answer.md` works.
 */
export class ReadableLog {
  private readonly color: boolean;
  private thinkingSince: number | null = null;
  /** Failures already printed: a model failure arrives as an error, a failed turn and the task's reason. */
  private readonly failuresShown = new Set<string>();

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.color = Boolean(out.isTTY) && !process.env.NO_COLOR;
  }

  started(record: TaskRecord): void {
    this.line(
      this.dim(`task ${record.id} · ${record.mode} · ${record.provider}/${record.model} · sandbox ${record.sandbox}`),
    );
    this.line(this.dim(`workspace ${record.workspace}`));
    if (record.sourceDirty) {
      this.line(
        this.yellow(
          `note: your checkout has uncommitted changes; the task starts from HEAD (${record.baseCommit.slice(0, 10)})`,
        ),
      );
    }
  }

  modelEvent(event: ModelStreamEvent): void {
    if (event.type === "retrying") {
      this.line(
        this.yellow(
          `model: ${event.reason.replace(/\.$/, "")}; retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)} s`,
        ),
      );
      return;
    }
    if (this.thinkingSince === null) {
      this.thinkingSince = Date.now();
      if (this.out.isTTY) this.out.write(this.dim("thinking…\r"));
    }
  }

  event(event: QuireEvent): void {
    this.thinkingSince = null;
    switch (event.type) {
      case "item.started":
        if (event.item.type === "command_execution") this.line(this.bold(`$ ${event.item.command}`));
        if (event.item.type === "todo_list") this.plan(event.item.items);
        return;
      case "item.updated":
        if (event.item.type === "todo_list") this.plan(event.item.items);
        return;
      case "item.completed":
        this.completed(event.item);
        return;
      case "turn.failed":
        this.failure("turn failed", event.error.message);
        return;
      case "error":
        this.failure("error", event.message);
        return;
      default:
        return;
    }
  }

  finished(result: TaskResult): void {
    this.summary({
      id: result.record.id,
      status: result.status,
      reason: result.reason,
      diff: result.diff,
      usage: result.record.usage,
      mode: result.record.mode,
    });
  }

  /** A task run on a server: where it runs, in place of the local record's sandbox and workspace. */
  remoteStarted(task: { id: string; mode: string; server: string }): void {
    this.line(this.dim(`task ${task.id} · ${task.mode} · on ${task.server}`));
  }

  /** The stream was cut and is being resumed from the last event received. */
  reconnecting(after: number, reason: string): void {
    this.line(this.yellow(`event stream cut (${reason}); resuming after event ${after}`));
  }

  /** The end of a task: its diff stat, tokens and status, and how to review and apply it. */
  summary(end: {
    id: string;
    status: string;
    reason?: string | null;
    diff: string;
    diffCut?: boolean;
    usage?: TaskUsage | null;
    mode?: string;
  }): void {
    const stat = diffStat(end.diff);
    if (stat.files.length > 0) {
      this.line("");
      for (const file of stat.files)
        this.line(`  ${file.path} ${this.green(`+${file.added}`)} ${this.red(`-${file.removed}`)}`);
      this.line(
        `${stat.files.length} file(s) changed, ${this.green(`+${stat.added}`)} ${this.red(`-${stat.removed}`)}${end.diffCut ? " (more: the diff was cut)" : ""}`,
      );
    }
    const usage = end.usage;
    if (usage) {
      this.line(
        this.dim(
          `tokens: ${usage.input_tokens} in (${usage.cached_input_tokens} cached), ${usage.output_tokens} out · ${usage.model_calls} model call(s)`,
        ),
      );
    }
    const status = end.status === "completed" ? this.green("completed") : this.red(end.status);
    const reason = end.reason && !this.failuresShown.has(end.reason) ? `: ${end.reason}` : "";
    this.line(`task ${end.id} ${status}${reason}`);
    // A review's diff is the change it read: nothing of its own to apply.
    if (stat.files.length > 0 && end.mode !== "review")
      this.line(this.dim(`review: quire diff ${end.id} · apply: quire apply ${end.id}`));
  }

  private completed(item: Extract<QuireEvent, { type: "item.completed" }>["item"]): void {
    switch (item.type) {
      case "user_message":
        this.line(this.bold(`> ${item.text.trim().split("\n").join("\n  ")}`));
        break;
      case "reasoning":
        this.line(this.dim(`· ${item.text.trim().split("\n")[0] ?? ""}`));
        return;
      case "agent_message":
        return;
      case "command_execution": {
        const tail = item.aggregated_output.trimEnd().split("\n").slice(-OUTPUT_TAIL_LINES).filter(Boolean);
        for (const text of tail) this.line(this.dim(`  ${text}`));
        const seconds = item.duration_ms !== undefined ? ` in ${(item.duration_ms / 1000).toFixed(1)} s` : "";
        const exit = item.exit_code === null ? "killed" : `exit ${item.exit_code}`;
        this.line(item.exit_code === 0 ? this.green(`  ↳ ${exit}${seconds}`) : this.red(`  ↳ ${exit}${seconds}`));
        if (item.output_truncated) {
          this.line(
            this.dim(
              `  ↳ ${item.output_bytes ?? "?"} bytes printed; whole output in the task's outputs/${item.id}.txt`,
            ),
          );
        }
        return;
      }
      case "file_change": {
        const kinds = { add: "A", delete: "D", update: "M" } as const;
        const files = item.changes.map((change) => `${kinds[change.kind]} ${change.path}`).join(", ");
        if (item.status === "completed") this.line(this.green(`patched: ${files}`));
        else this.line(this.red(`patch failed${files ? ` (${files})` : ""}: ${item.error ?? ""}`));
        return;
      }
      case "todo_list":
        return;
      case "review":
        this.line(this.bold(`review: ${item.findings.length} finding(s), ${item.overall.verdict}`));
        return;
      case "error":
        this.line(this.red(`error: ${item.message}`));
        return;
    }
  }

  /** Prints a failure the first time its message comes, in red. */
  private failure(label: string, message: string): void {
    if (this.failuresShown.has(message)) return;
    this.failuresShown.add(message);
    this.line(this.red(`${label}: ${message}`));
  }

  private plan(items: { text: string; completed: boolean }[]): void {
    this.line("plan:");
    for (const entry of items) this.line(`  ${entry.completed ? "[x]" : "[ ]"} ${entry.text}`);
  }

  private line(text: string): void {
    this.out.write(`${text}\n`);
  }

  private paint(code: number, text: string): string {
    return this.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }
  private dim = (text: string) => this.paint(2, text);
  private bold = (text: string) => this.paint(1, text);
  private red = (text: string) => this.paint(31, text);
  private green = (text: string) => this.paint(32, text);
  private yellow = (text: string) => this.paint(33, text);
}
