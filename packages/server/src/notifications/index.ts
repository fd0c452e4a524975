/** Notifications out: a workspace's webhooks (task finished, failed, delivered), and a test post. */
export { Notifier, DEFAULT_RETRY_DELAYS_MS, type NotifierOptions } from "./notifier.js";
export { noticeBody, taskNotice, type TaskNotice } from "./notice.js";
export { SIGNATURE_HEADER, signBody, webhookDestinationRule, webhookHeaders } from "./sender.js";
export { sendTestNotice, TEST_EVENT } from "./test-notice.js";
