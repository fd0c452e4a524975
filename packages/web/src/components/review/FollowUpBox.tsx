/** Sends a follow-up into the task (the same workspace); the task reopens and the stream resumes. */
import { useState, type FormEvent, type KeyboardEvent } from "react";
import { api } from "../../api/client";
import { ErrorOrRefusal, shownError, type ShownError } from "../RefusalNotice";
import { AttachmentStrip } from "../images/AttachmentStrip";
import { useImageAttachments } from "../images/use-image-attachments";

interface Props {
  taskId: string;
  attemptId: string | undefined;
  onSent(): void;
}

export function FollowUpBox({ taskId, attemptId, onSent }: Props) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const images = useImageAttachments();

  const send = (): void => {
    if (text.trim() === "" || busy) return;
    setBusy(true);
    setError(null);
    api
      .followUp(taskId, text.trim(), attemptId, images.body().images)
      .then(() => {
        setText("");
        images.clear();
        onSent();
      })
      .catch((failure: unknown) => setError(shownError(failure)))
      .finally(() => setBusy(false));
  };
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    send();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form className="follow-up" onSubmit={onSubmit} aria-label="Follow-up" {...images.dropTarget}>
      <textarea
        aria-label="Follow-up message"
        placeholder="Ask for a change or a question about this result"
        rows={2}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" disabled={busy || text.trim() === ""}>
        Send
      </button>
      <AttachmentStrip images={images} />
      <ErrorOrRefusal error={error} />
    </form>
  );
}
