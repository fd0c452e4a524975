import { missingKeyMessage } from "@quire/core";
import { afterEach, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../../testing/api.js";

const notReady = {
  ready: false,
  provider: "openai" as const,
  model: "gpt-5.1-codex",
  message: missingKeyMessage("openai"),
  imageInput: true,
};

async function post(url: string, body: unknown): Promise<{ status: number; body: { error?: { message: string } } }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error?: { message: string } } };
}

describe("model status", () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it("reports a model without its key, and refuses tasks and follow-ups before anything is stored", async () => {
    api = await startTestApi("sqlite", { modelStatus: notReady });
    const status = await fetch(`${api.url}/api/model-status`);
    expect(await status.json()).toEqual({ model: notReady });

    const repository = await api.repos.repositories.create({ name: "r", source: "/nowhere" });
    const task = await post(`${api.url}/api/tasks`, {
      repo: repository.id,
      ref: "main",
      mode: "code",
      prompt: "p",
    });
    expect(task.status).toBe(409);
    expect(task.body.error?.message).toBe(missingKeyMessage("openai"));
    expect(await api.repos.tasks.list()).toEqual([]);

    // A task made while the key was still set takes no follow-up now either.
    const existing = await api.repos.tasks.create({
      repositoryId: repository.id,
      ref: "main",
      baseCommit: "0000000000000000000000000000000000000000",
      mode: "ask",
      prompt: "p",
      attempts: 1,
    });
    const followUp = await post(`${api.url}/api/tasks/${existing.task.id}/messages`, { text: "more" });
    expect(followUp.status).toBe(409);
    expect(await api.repos.messages.listForTask(existing.task.id)).toEqual([]);
  });

  it("says nothing it does not know: no workers here, no status", async () => {
    api = await startTestApi("sqlite");
    expect(await (await fetch(`${api.url}/api/model-status`)).json()).toEqual({ model: null });
  });
});
