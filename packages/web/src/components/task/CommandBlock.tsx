/** One command the agent (or the verification gate) ran: collapsible, with exit code, duration and output. */
import { useEffect, useRef, useState } from "react";
import type { ItemEntry } from "../../state/timeline";
import { formatDuration } from "../../lib/format";
import { useNow } from "../../state/use-interval";
import { CommandOutput } from "./CommandOutput";
import { useFocus } from "./focus";
import { useCommandOutputUrl } from "./command-output-link";

type CommandItem = Extract<ItemEntry["item"], { type: "command_execution" }>;

export function CommandBlock({ entry }: { entry: ItemEntry & { item: CommandItem } }) {
  const { item } = entry;
  const running = item.status === "in_progress";
  const failed = item.exit_code !== null && item.exit_code !== 0;
  // A running command shows its output live; a failure opens by itself: that is where to look.
  const [open, setOpen] = useState(running || failed);
  const [highlighted, setHighlighted] = useState(false);
  const block = useRef<HTMLDivElement>(null);
  const { focus } = useFocus();

  useEffect(() => {
    if (failed) setOpen(true);
  }, [failed]);

  useEffect(() => {
    if (focus?.kind !== "command" || focus.key !== entry.key) return;
    setOpen(true);
    setHighlighted(true);
    block.current?.scrollIntoView({ block: "center", behavior: "smooth" });
    const timer = window.setTimeout(() => setHighlighted(false), 2500);
    return () => window.clearTimeout(timer);
  }, [focus, entry.key]);

  return (
    <div
      ref={block}
      className={`command${highlighted ? " highlighted" : ""}${failed ? " failed" : ""}`}
      data-item-id={item.id}
      data-entry-key={entry.key}
      data-exit-code={item.exit_code ?? ""}
    >
      <button className="command-header" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className="chevron" aria-hidden="true">
          {open ? "▾" : "▸"}
        </span>
        <code className="command-text">{item.command}</code>
        <span className="command-facts">
          {running ? <RunningFor since={entry.startedAt} /> : <Duration entry={entry} />}
          <ExitCode item={item} />
        </span>
      </button>
      {open && <CommandOutput output={item.aggregated_output} follow={running} />}
      {open && item.output_truncated && <WholeOutputLink item={item} />}
    </div>
  );
}

/** The event kept head and tail of a long output; the whole is kept with the task. */
function WholeOutputLink({ item }: { item: CommandItem }) {
  const url = useCommandOutputUrl(item.id);
  if (!url) return null;
  return (
    <p className="command-whole-output">
      Output cut to its start and end ({item.output_bytes ?? "?"} bytes in all).{" "}
      <a href={url} download={`${item.id}-output.txt`}>
        Download whole output
      </a>
    </p>
  );
}

function ExitCode({ item }: { item: CommandItem }) {
  if (item.status === "in_progress") return <span className="exit running">running</span>;
  if (item.exit_code === null) return <span className="exit bad">{item.status}</span>;
  return <span className={`exit ${item.exit_code === 0 ? "good" : "bad"}`}>exit {item.exit_code}</span>;
}

/** The command's own measure when it has one; else the time between its stored start and end. */
function Duration({ entry }: { entry: ItemEntry & { item: CommandItem } }) {
  const measured =
    entry.item.duration_ms ?? (entry.endedAt ? Date.parse(entry.endedAt) - Date.parse(entry.startedAt) : undefined);
  return measured === undefined ? null : <span className="duration">{formatDuration(measured)}</span>;
}

function RunningFor({ since }: { since: string }) {
  const now = useNow(1000);
  return <span className="duration">{formatDuration(now - Date.parse(since))}</span>;
}
