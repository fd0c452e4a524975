import { afterEach, describe, expect, it } from "vitest";
import {
  chatBody,
  messagesBody,
  ONE_PIXEL_PNG,
  responsesBody,
  type ScriptedModelServer,
  startScriptedModelServer,
} from "@quire/testing";
import { ImageError, IMAGE_LIMITS, imageFromBytes, sniffImageType } from "./images.js";
import { createModelClient } from "./index.js";
import type { ConversationItem, ProviderName } from "./types.js";

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function sendImage(provider: ProviderName) {
  server = await startScriptedModelServer([{ text: "A red button." }]);
  const model = createModelClient({ provider, model: "m", baseUrl: server.url, apiKey: "k" }, {});
  const image = imageFromBytes(ONE_PIXEL_PNG, "shot.png");
  const items: ConversationItem[] = [{ type: "message", role: "user", text: "What is this?", images: [image] }];
  const response = await model.complete({ instructions: "sys", items, tools: [] });
  expect(response.items).toContainEqual({ type: "message", role: "assistant", text: "A red button." });
  return { request: server.requests[0]!, data: ONE_PIXEL_PNG.toString("base64") };
}

describe("images", () => {
  it("are recognised by their bytes, not their names", () => {
    expect(sniffImageType(ONE_PIXEL_PNG)).toBe("image/png");
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe("image/jpeg");
    expect(sniffImageType(Buffer.from("GIF89a\x01\x00", "latin1"))).toBe("image/gif");
    expect(sniffImageType(Buffer.from("RIFF\x10\x00\x00\x00WEBPVP8 ", "latin1"))).toBe("image/webp");
    expect(() => imageFromBytes(Buffer.from("#!/bin/sh\necho not an image\n"), "shot.png")).toThrow(
      new ImageError("shot.png: not a PNG, JPEG, WebP or GIF image"),
    );
    // An SVG is text (and can carry scripts): refused like any other non-image.
    expect(() => imageFromBytes(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), "a.svg")).toThrow(ImageError);
  });

  it("are refused over the size limit", () => {
    const big = Buffer.concat([ONE_PIXEL_PNG, Buffer.alloc(IMAGE_LIMITS.maxBytes)]);
    expect(() => imageFromBytes(big, "big.png")).toThrow(/over the limit of \d+ bytes per image/);
  });

  it("reach the Responses API as input_image parts", async () => {
    const { request, data } = await sendImage("openai");
    const input = responsesBody(request).input;
    expect(input).toContainEqual({
      type: "message",
      role: "user",
      content: [
        { type: "input_text", text: "What is this?" },
        { type: "input_image", image_url: `data:image/png;base64,${data}`, detail: "auto" },
      ],
    });
  });

  it("reach Chat Completions as image_url parts", async () => {
    const { request, data } = await sendImage("openai-chat");
    expect(chatBody(request).messages).toContainEqual({
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${data}` } },
      ],
    });
  });

  it("reach the Anthropic Messages API as image blocks", async () => {
    const { request, data } = await sendImage("anthropic");
    const [message] = messagesBody(request).messages;
    expect(message).toMatchObject({
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image", source: { type: "base64", media_type: "image/png", data } },
      ],
    });
  });
});
