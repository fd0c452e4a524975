/** The task's live timeline: the event stream (reconnecting, deduplicated) folded by `applyEvents`. */
import { useCallback, useEffect, useRef, useState } from "react";
import { openTaskStream, type StreamState, type TaskStream } from "../api/event-stream";
import { applyEvents, emptyTimeline, type TaskTimeline } from "./timeline";

export interface LiveTimeline {
  timeline: TaskTimeline;
  streamState: StreamState;
  /** Reconnect after a follow-up reopened a task whose stream had ended. */
  resume(): void;
}

export function useTaskStream(taskId: string): LiveTimeline {
  const [timeline, setTimeline] = useState<TaskTimeline>(emptyTimeline);
  const [streamState, setStreamState] = useState<StreamState>("connecting");
  const stream = useRef<TaskStream | null>(null);

  useEffect(() => {
    setTimeline(emptyTimeline);
    const opened = openTaskStream(taskId, {
      onEvents: (events) => setTimeline((current) => applyEvents(current, events)),
      onState: setStreamState,
    });
    stream.current = opened;
    return () => opened.close();
  }, [taskId]);

  const resume = useCallback(() => stream.current?.resume(), []);
  return { timeline, streamState, resume };
}
