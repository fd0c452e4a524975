import type { SdkErrorClasses } from "./model-error.js";
import { withRetries } from "./retry.js";
import type { ResolvedModelSettings } from "./settings.js";
import type { ModelClient, ModelRequest, ModelResponse, ModelStreamEvent, ProviderName } from "./types.js";

/**
 * What every provider shares: one streamed attempt is the provider's own; the retries around
 * it (backoff, Retry-After, abort) and the classification of its SDK's errors are the same.
 */
export abstract class RetryingModelClient implements ModelClient {
  abstract readonly provider: ProviderName;
  readonly model: string;
  protected abstract readonly sdkErrors: SdkErrorClasses;

  constructor(protected readonly settings: ResolvedModelSettings) {
    this.model = settings.model;
  }

  complete(request: ModelRequest, onEvent?: (event: ModelStreamEvent) => void): Promise<ModelResponse> {
    return withRetries(() => this.attempt(request, onEvent), {
      provider: this.provider,
      baseUrl: this.settings.baseUrl,
      maxRetries: this.settings.maxRetries,
      signal: request.signal,
      onEvent,
      sdkErrors: this.sdkErrors,
    });
  }

  /** One streamed call, no retries. */
  protected abstract attempt(
    request: ModelRequest,
    onEvent: ((event: ModelStreamEvent) => void) | undefined,
  ): Promise<ModelResponse>;
}
