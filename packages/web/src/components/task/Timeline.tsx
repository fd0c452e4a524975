/** What one attempt did, live: reasoning, plan, commands, edits, messages, errors, and its end. */
import { memo, useMemo, useRef } from "react";
import { useFollowEnd } from "../../state/use-follow";
import type { AttemptTimeline, Entry } from "../../state/timeline";
import { TimelineEntry } from "./TimelineEntry";
import { WorkingIndicator } from "./WorkingIndicator";
import { CommandOutputSource, type CommandRef } from "./command-output-link";

const inMainArea = (anchor: HTMLElement): HTMLElement | null => anchor.closest<HTMLElement>(".main");

export function Timeline({ taskId, attempt }: { taskId: string; attempt: AttemptTimeline }) {
  const section = useRef<HTMLElement>(null);
  // The page scrolls in the app's main area; while the agent works, it follows the newest entry.
  useFollowEnd(section, attempt.entries, attempt.working, { scroller: inMainArea });

  // Commands the agent ran (and the checks), for citations like "`node test.js` now passes".
  // The agent's own come last so that, the latest match winning, a citation finds its run.
  const commands = useStableCommands(attempt);
  const source = useMemo(() => ({ taskId, attemptId: attempt.attemptId }), [taskId, attempt.attemptId]);
  return (
    <CommandOutputSource.Provider value={source}>
      <section ref={section} className="timeline" aria-label="Timeline" data-attempt-id={attempt.attemptId}>
        {attempt.entries.map((entry) => (
          <TimelineRow key={entry.key} entry={entry} commands={commands} />
        ))}
        {attempt.working && <WorkingIndicator since={attempt.roundStartedAt} />}
      </section>
    </CommandOutputSource.Provider>
  );
}

/** Only messages and ends cite commands: other entries need not re-render when a command is added. */
const citesCommands = (entry: Entry): boolean =>
  entry.kind === "end" || (entry.kind === "item" && entry.item.type === "agent_message");

/**
 * One entry, re-rendered only when it changed: the fold keeps unchanged entries as they were,
 * so with a thousand entries a new event re-renders one or two of them, not all.
 */
const TimelineRow = memo(
  function TimelineRow({ entry, commands }: { entry: Entry; commands: readonly CommandRef[] }) {
    return (
      <div className="timeline-entry" data-kind={entry.kind} data-key={entry.key}>
        <TimelineEntry entry={entry} commands={commands} />
      </div>
    );
  },
  (before, after) =>
    before.entry === after.entry && (before.commands === after.commands || !citesCommands(after.entry)),
);

/** The commands of the attempt, as the same array until one is added (an output update changes nothing here). */
function useStableCommands(attempt: AttemptTimeline): readonly CommandRef[] {
  const previous = useRef<readonly CommandRef[]>([]);
  return useMemo(() => {
    const fresh = [...attempt.verification, ...attempt.entries].flatMap((entry) =>
      entry.kind === "item" && entry.item.type === "command_execution"
        ? [{ key: entry.key, command: entry.item.command }]
        : [],
    );
    const old = previous.current;
    const same =
      old.length === fresh.length &&
      fresh.every((ref, index) => ref.key === old[index]?.key && ref.command === old[index]?.command);
    if (!same) previous.current = fresh;
    return previous.current;
  }, [attempt.entries, attempt.verification]);
}
