/** "Notify me": a browser notification when this task finishes (lib/finish-notifications.ts). */
import { useState } from "react";
import { isWatched, notificationsSupported, unwatchTask, watchTask } from "../../lib/finish-notifications";

export function WatchButton({ taskId }: { taskId: string }) {
  const [watched, setWatched] = useState(() => isWatched(taskId));
  const [refused, setRefused] = useState(false);
  if (!notificationsSupported()) return null;
  const toggle = (): void => {
    if (watched) {
      unwatchTask(taskId);
      setWatched(false);
      return;
    }
    void watchTask(taskId).then((granted) => {
      setWatched(granted);
      setRefused(!granted);
    });
  };
  return (
    <span className="watch-task">
      <button type="button" aria-pressed={watched} onClick={toggle}>
        {watched ? "Notifying when it finishes" : "Notify me when it finishes"}
      </button>
      {refused && <span className="muted"> The browser blocked notifications for this site.</span>}
    </span>
  );
}
