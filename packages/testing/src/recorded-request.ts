/** A request the scripted model server received, with typed views of its body per API. */
import type Anthropic from "@anthropic-ai/sdk";
import type OpenAI from "openai";

export type ScriptedRoute = "responses" | "chat" | "messages";

export interface RecordedRequest {
  route: ScriptedRoute;
  /** The parsed JSON body; read it with the typed views below, or assert with `toMatchObject`. */
  body: unknown;
  /** The body as sent, for "does the prompt contain X" assertions. */
  rawText: string;
  rawBytes: number;
  headers: Record<string, string | string[] | undefined>;
}

function view<T>(request: RecordedRequest, route: ScriptedRoute): T {
  if (request.route !== route) throw new Error(`expected a ${route} request, got ${request.route}`);
  // The body came from a client of that API; its shape is asserted by the test that reads it.
  return request.body as T;
}

export const responsesBody = (request: RecordedRequest) =>
  view<OpenAI.Responses.ResponseCreateParams>(request, "responses");
export const chatBody = (request: RecordedRequest) => view<OpenAI.Chat.ChatCompletionCreateParams>(request, "chat");
export const messagesBody = (request: RecordedRequest) =>
  view<Anthropic.Messages.MessageCreateParams>(request, "messages");
