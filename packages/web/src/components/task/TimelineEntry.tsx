/** One entry of the timeline, drawn by its kind. */
import type { Entry, ItemEntry } from "../../state/timeline";
import { CommandBlock } from "./CommandBlock";
import { FileChange } from "./FileChange";
import { Markdown } from "../lazy";
import { PlanChecklist } from "./PlanChecklist";
import type { CommandRef } from "./command-output-link";
import { RoundEnd, Delivered } from "./RoundEnd";
import { UserMessage } from "./UserMessage";

export function TimelineEntry({ entry, commands }: { entry: Entry; commands: readonly CommandRef[] }) {
  switch (entry.kind) {
    case "item":
      return <ItemView entry={entry} commands={commands} />;
    case "error":
      return <ErrorNote message={entry.message} />;
    case "end":
      return <RoundEnd event={entry.event} reasonShown={entry.reasonShown} commands={commands} />;
    case "delivered":
      return <Delivered event={entry.event} />;
  }
}

function ItemView({ entry, commands }: { entry: ItemEntry; commands: readonly CommandRef[] }) {
  const { item } = entry;
  switch (item.type) {
    case "user_message":
      return <UserMessage item={item} />;
    case "command_execution":
      return <CommandBlock entry={{ ...entry, item }} />;
    case "todo_list":
      return <PlanChecklist item={item} />;
    case "file_change":
      return <FileChange item={item} />;
    case "reasoning":
      return item.text.trim() === "" ? null : (
        <div className="reasoning" data-item-id={item.id}>
          {item.text}
        </div>
      );
    case "agent_message":
      return (
        <div className="agent-message" data-item-id={item.id}>
          <Markdown text={item.text} commands={commands} />
        </div>
      );
    case "error":
      return <ErrorNote message={item.message} />;
    case "review":
      // The findings themselves are shown beside the diff.
      return (
        <div className="review-summary muted" data-item-id={item.id}>
          Review: {item.findings.length} finding{item.findings.length === 1 ? "" : "s"}, {item.overall.verdict}
        </div>
      );
  }
}

export function ErrorNote({ message }: { message: string }) {
  return (
    <div className="error-note" role="alert">
      {message}
    </div>
  );
}
