/** The person's words that opened a round: the prompt, then each follow-up (with who sent it, when known). */
import type { ItemEntry } from "../../state/timeline";
import "./user-message.css";

type UserMessageItem = Extract<ItemEntry["item"], { type: "user_message" }>;

export function UserMessage({ item }: { item: UserMessageItem }) {
  return (
    <div className="user-message" data-item-id={item.id} aria-label="Your message">
      <div className="user-message-author">{item.author ?? "You"}</div>
      <div className="user-message-text">{item.text}</div>
    </div>
  );
}
