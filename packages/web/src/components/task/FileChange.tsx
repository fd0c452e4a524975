/** Files the agent edited with apply_patch; each path opens that file in the diff. */
import type { ItemEntry } from "../../state/timeline";
import { useFocus } from "./focus";

type FileChangeItem = Extract<ItemEntry["item"], { type: "file_change" }>;

const KIND_LABEL = { add: "added", delete: "deleted", update: "edited" } as const;

export function FileChange({ item }: { item: FileChangeItem }) {
  const { focusFile } = useFocus();
  return (
    <div className={`file-change${item.status === "failed" ? " failed" : ""}`} data-item-id={item.id}>
      <div className="entry-title">{item.status === "failed" ? "Patch refused" : "Edited files"}</div>
      <ul>
        {item.changes.map((change) => (
          <li key={`${change.kind}:${change.path}`}>
            <span className={`kind kind-${change.kind}`}>{KIND_LABEL[change.kind]}</span>{" "}
            <button className="link" onClick={() => focusFile(change.path, null)}>
              {change.path}
            </button>
          </li>
        ))}
      </ul>
      {item.error && <p className="error-text">{item.error}</p>}
    </div>
  );
}
