/** The agent's plan (a todo_list item): one checklist, updated in place as the agent ticks steps off. */
import type { ItemEntry } from "../../state/timeline";

type TodoItem = Extract<ItemEntry["item"], { type: "todo_list" }>;

export function PlanChecklist({ item }: { item: TodoItem }) {
  const done = item.items.filter((step) => step.completed).length;
  return (
    <div className="plan" data-item-id={item.id}>
      <div className="entry-title">
        Plan <span className="muted">{`${done}/${item.items.length} done`}</span>
      </div>
      <ul>
        {item.items.map((step, index) => (
          <li key={index} className={step.completed ? "done" : ""}>
            {/* Shows progress only: out of the tab order, since it cannot be changed. */}
            <input type="checkbox" checked={step.completed} readOnly tabIndex={-1} aria-label={step.text} />
            <span>{step.text}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
