// The verification gate: a task's diff checked again in a fresh sandbox (see docs/verification.md).
export { checksFor, testCommandsInAgentsMd } from "./checks.js";
export { boundedLog, type CheckRun, VERIFY_LOG_MAX_BYTES } from "./run-check.js";
export {
  DEFAULT_CHECK_TIMEOUT_MS,
  VerificationCancelledError,
  verifyDiff,
  type VerifyOptions,
  type VerifyResult,
  type VerifyStatus,
} from "./verify.js";
export { WorkDirNotEmptyError } from "./work-dir.js";
