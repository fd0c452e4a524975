/**
 * Images in (issue 15, item 3): through `quire serve` (a task and a follow-up as JSON or as
 * multipart, stored with the task, shown to the timeline), `quire exec -i` and `quire exec --server
 * … -i`, reaching the model in its wire format; a file that is not an image and a text-only model
 * are refused before anything runs.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { ONE_PIXEL_PNG } from "@quire/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { providerEnv, runQuire, tempHome } from "../helpers/quire.js";
import { makeRepo } from "../helpers/repo.js";
import { imagesSent, inputImage } from "../helpers/requests.js";
import { useScriptedModels } from "../helpers/scripted.js";
import { api, readTaskEvents, startServe, type ServeProcess } from "../helpers/server.js";
import { dropPostgresSchemas, serverDatabases } from "../helpers/server-databases.js";

const scriptedModel = useScriptedModels();
const running: ServeProcess[] = [];
afterAll(dropPostgresSchemas);
afterEach(async () => {
  while (running.length > 0) await running.pop()?.stop();
});

const PNG_BASE64 = ONE_PIXEL_PNG.toString("base64");
const NOT_AN_IMAGE = Buffer.from("#!/bin/sh\necho this is a script named like a picture\n").toString("base64");

describe.each(serverDatabases())("images in through quire serve on $name", (database) => {
  async function serve(modelUrl: string, config = ""): Promise<ServeProcess> {
    const home = tempHome();
    if (config) writeFileSync(path.join(home, "config.toml"), config);
    const env = { ...providerEnv("openai", modelUrl), ...(await database.env()) };
    const server = await startServe({ home, env, args: ["-m", "scripted-model", "--workers", "1"] });
    running.push(server);
    return server;
  }

  async function register(url: string): Promise<{ id: string; defaultBranch: string }> {
    const source = makeRepo({ "README.md": "# tiny\n" });
    const created = await api<{ repository: { id: string; defaultBranch: string } }>(
      `${url}/api/repositories`,
      "POST",
      { name: "tiny", source },
    );
    expect(created.status).toBe(201);
    return created.body.repository;
  }

  it("gives a task's and a follow-up's images to the model, and keeps them with the task", async () => {
    const model = await scriptedModel([{ text: "A transparent pixel." }, { text: "Still one pixel." }]);
    const server = await serve(model.url);
    const repository = await register(server.url);
    const created = await api<{ task: { id: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "ask",
      prompt: "What is in this screenshot?",
      images: [{ data: PNG_BASE64 }],
    });
    expect(created.status).toBe(201);
    const taskId = created.body.task.id;
    const events = await readTaskEvents(server.url, taskId);
    expect(imagesSent(model.requests[0]!)).toEqual([inputImage]);

    // The timeline names the image (kind, size, id), never its bytes; the id serves them.
    const userMessage = events.find((e) => e.event.type === "item.completed" && hasType(e.event.item, "user_message"));
    type Item = { images?: { id: string; media_type: string; bytes: number }[] };
    const item = (userMessage?.event as unknown as { item: Item }).item;
    expect(item.images).toEqual([{ id: expect.any(String), media_type: "image/png", bytes: ONE_PIXEL_PNG.length }]);
    expect(JSON.stringify(events)).not.toContain(PNG_BASE64);
    const served = await fetch(`${server.url}/api/tasks/${taskId}/images/${item.images![0]!.id}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer())).toEqual(ONE_PIXEL_PNG);
    expect((await fetch(`${server.url}/api/tasks/${taskId}/images/nope`)).status).toBe(404);

    const followUp = await api(`${server.url}/api/tasks/${taskId}/messages`, "POST", {
      text: "And this one?",
      images: [{ data: `data:image/png;base64,${PNG_BASE64}` }],
    });
    expect(followUp.status).toBe(201);
    await readTaskEvents(server.url, taskId, {
      until: (e) => e.event.type === "task.completed" && e.id > events.length,
    });
    // The first prompt's image stays in the conversation; the follow-up's comes after it.
    expect(imagesSent(model.requests[1]!)).toEqual([inputImage, inputImage]);
    // Metering counts them.
    const usage = await api<{ totals: { images: number; modelCalls: number } }>(`${server.url}/api/usage`, "GET");
    expect(usage.body.totals).toMatchObject({ images: 2, modelCalls: 2 });
  });

  it("gives the image files of a multipart task and follow-up to the model", async () => {
    const model = await scriptedModel([{ text: "A pixel." }, { text: "Two pixels." }]);
    const server = await serve(model.url);
    const repository = await register(server.url);
    const task = { repo: repository.id, ref: repository.defaultBranch, mode: "ask", prompt: "What is this?" };
    const created = await postForm(`${server.url}/api/tasks`, task, [ONE_PIXEL_PNG]);
    expect(created.status).toBe(201);
    const taskId = ((await created.json()) as { task: { id: string } }).task.id;
    const events = await readTaskEvents(server.url, taskId);
    expect(imagesSent(model.requests[0]!)).toEqual([inputImage]);

    const followUp = await postForm(`${server.url}/api/tasks/${taskId}/messages`, { text: "And these?" }, [
      ONE_PIXEL_PNG,
      ONE_PIXEL_PNG,
    ]);
    expect(followUp.status).toBe(201);
    await readTaskEvents(server.url, taskId, {
      until: (e) => e.event.type === "task.completed" && e.id > events.length,
    });
    expect(imagesSent(model.requests[1]!)).toEqual([inputImage, inputImage, inputImage]);
  });

  it("refuses a file that is not an image, and creates nothing", async () => {
    const model = await scriptedModel([{ text: "unused" }]);
    const server = await serve(model.url);
    const repository = await register(server.url);
    const refused = await api<{ error: { message: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "ask",
      prompt: "look",
      images: [{ data: PNG_BASE64 }, { data: NOT_AN_IMAGE }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe("invalid task: images.1: not a PNG, JPEG, WebP or GIF image");
    const list = await api<{ tasks: unknown[] }>(`${server.url}/api/tasks`, "GET");
    expect(list.body.tasks).toEqual([]);
    expect(model.requests).toHaveLength(0);
  });

  it("refuses images for a model configured as text-only, before the task runs", async () => {
    const model = await scriptedModel([{ text: "unused" }]);
    const server = await serve(model.url, "image_input = false\n");
    const repository = await register(server.url);
    const refused = await api<{ error: { message: string } }>(`${server.url}/api/tasks`, "POST", {
      repo: repository.id,
      ref: repository.defaultBranch,
      mode: "ask",
      prompt: "look",
      images: [{ data: PNG_BASE64 }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/configured as text-only \(image_input = false\)/);
    expect(model.requests).toHaveLength(0);
  });
});

/** POSTs a body as multipart/form-data: the JSON in a part named json, each image a file part. */
function postForm(url: string, json: unknown, images: Buffer[]): Promise<Response> {
  const form = new FormData();
  form.append("json", JSON.stringify(json));
  images.forEach((bytes, index) => form.append("image", new Blob([bytes]), `shot-${index}.png`));
  return fetch(url, { method: "POST", body: form });
}

function hasType(item: unknown, type: string): boolean {
  return (item as { type?: string } | undefined)?.type === type;
}

describe("quire exec -i", () => {
  it("attaches image files to the prompt, and refuses one that is not an image", async () => {
    const model = await scriptedModel([{ text: "A pixel." }]);
    const repo = makeRepo({ "README.md": "# tiny\n" });
    const home = tempHome();
    writeFileSync(path.join(repo, "shot.png"), ONE_PIXEL_PNG);
    writeFileSync(path.join(repo, "fake.png"), "not an image");
    const env = providerEnv("openai", model.url);

    const refused = await runQuire(["exec", "--mode", "ask", "-i", "shot.png,fake.png", "what is it?"], {
      cwd: repo,
      home,
      env,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("quire exec: fake.png: not a PNG, JPEG, WebP or GIF image");
    expect(model.requests).toHaveLength(0);

    const run = await runQuire(["exec", "--json", "--mode", "ask", "-i", "shot.png", "what is it?"], {
      cwd: repo,
      home,
      env,
    });
    expect(run.code).toBe(0);
    expect(imagesSent(model.requests[0]!)).toEqual([inputImage]);
    expect(run.stdout).toContain('"images":[{"media_type":"image/png","bytes":');
  });
});

describe("quire exec --server … -i", () => {
  it("sends the image files to the server (as base64 in the JSON body), which gives them to the model", async () => {
    const model = await scriptedModel([{ text: "A pixel, remotely." }]);
    const server = await startServe({
      home: tempHome(),
      env: providerEnv("openai", model.url),
      args: ["-m", "scripted-model", "--workers", "1"],
    });
    running.push(server);
    const source = makeRepo({ "README.md": "# tiny\n" });
    const registered = await api<{ repository: { id: string } }>(`${server.url}/api/repositories`, "POST", {
      name: "tiny",
      source,
    });
    expect(registered.status).toBe(201);
    const laptop = makeRepo({ "notes.md": "a screenshot lives here\n" });
    writeFileSync(path.join(laptop, "shot.png"), ONE_PIXEL_PNG);
    const args = ["exec", "--server", server.url, "--repo", registered.body.repository.id, "--json", "--mode", "ask"];
    const run = await runQuire([...args, "-i", "shot.png", "what is it?"], { cwd: laptop, home: tempHome() });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(imagesSent(model.requests[0]!)).toEqual([inputImage]);
    expect(run.stdout).toContain("A pixel, remotely.");
  });
});
