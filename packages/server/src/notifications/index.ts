/** Notifications out: a workspace's webhooks (task finished, failed, delivered). */
export {
  Notifier,
  DEFAULT_RETRY_DELAYS_MS,
  type NotifierOptions,
  webhookDestinationRule,
  webhookHeaders,
} from "./notifier.js";
export { noticeBody, taskNotice, type TaskNotice } from "./notice.js";
export { SIGNATURE_HEADER, signBody } from "./sender.js";
