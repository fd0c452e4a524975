/**
 * The event stream shared by `quire exec --json`, the server's SSE, storage and the web app. Its
 * schemas live in @quire/protocol (Codex's `codex exec --json` shape plus Quire's additions); core
 * writes events of these types.
 */
export type {
  CommandStatus,
  EndStatus as TaskStatus,
  QuireEvent,
  TaskUsage,
  ThreadItem,
  TurnUsage,
  VerificationStatus,
} from "@quire/protocol";
