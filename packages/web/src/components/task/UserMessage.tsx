/**
 * The person's words that opened a round: the prompt, then each follow-up (with who sent it, when
 * known), and the images they carried.
 */
import { useContext } from "react";
import type { ItemEntry } from "../../state/timeline";
import { MessageImages } from "../images/MessageImages";
import { CommandOutputSource } from "./command-output-link";
import "./user-message.css";

type UserMessageItem = Extract<ItemEntry["item"], { type: "user_message" }>;

export function UserMessage({ item }: { item: UserMessageItem }) {
  const source = useContext(CommandOutputSource);
  return (
    <div className="user-message" data-item-id={item.id} aria-label="Your message">
      <div className="user-message-author">{item.author ?? "You"}</div>
      <div className="user-message-text">{item.text}</div>
      {source && item.images && item.images.length > 0 && <MessageImages taskId={source.taskId} images={item.images} />}
    </div>
  );
}
