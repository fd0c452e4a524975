/** Forges in: webhooks, `@quire` comments, answers on the forge, reviews posted there (docs/forges.md). */
export { forgeClient, type ForgeClient, type PullRequestInfo } from "./client.js";
export { ForgeAnswers, postReviewResult, reviewResultOf } from "./answers.js";
export { prepareReview, type PreparedReview } from "./review-comments.js";
export { reviewModeAvailable } from "./start-task.js";
export { FORGE_KINDS, webhookPath } from "./routes.js";
