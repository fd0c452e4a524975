/**
 * A task and a follow-up as multipart/form-data (issue 15, item 3): the JSON in a part named json,
 * images as file parts, checked by their bytes like base64 ones; a malformed form, a missing or
 * doubled json part, an unknown part and a text-only model are refused with a 400 before anything
 * is stored, and a body over the multipart bound is refused on its declared length.
 */
import http from "node:http";
import { ONE_PIXEL_PNG } from "@quire/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../../../test/helpers/repo.js";
import { postJson, startTestApi, type TestApi } from "../../../testing/api.js";
import { IMAGES_MULTIPART_BODY_BYTES } from "../images.js";

const SCRIPT = Buffer.from("#!/bin/sh\necho a script named like a picture\n");

type Part = [name: string, value: string | { bytes: Buffer; file: string; type?: string }];

function form(parts: Part[]): FormData {
  const body = new FormData();
  for (const [name, value] of parts) {
    if (typeof value === "string") body.append(name, value);
    else body.append(name, new Blob([value.bytes], { type: value.type ?? "image/png" }), value.file);
  }
  return body;
}

async function post(url: string, body: FormData | string, contentType?: string) {
  const response = await fetch(url, {
    method: "POST",
    body,
    ...(contentType ? { headers: { "content-type": contentType } } : {}),
  });
  return { status: response.status, body: (await response.json()) as { error?: { message: string } } & Json };
}

interface Json {
  [key: string]: unknown;
}

const png = (file = "shot.png"): Part => ["image", { bytes: ONE_PIXEL_PNG, file }];

describe("multipart bodies for tasks and follow-ups", () => {
  let api: TestApi;
  let task: Json;
  beforeAll(async () => {
    api = await startTestApi("sqlite");
    const created = await postJson(`${api.url}/api/repositories`, { name: "r", source: makeRepo({ "a.txt": "a\n" }) });
    const { repository } = (await created.json()) as { repository: { id: string; defaultBranch: string } };
    task = { repo: repository.id, ref: repository.defaultBranch, mode: "ask", prompt: "what is in it?" };
  });
  afterAll(async () => api?.close());

  it("creates a task and a follow-up whose image files are stored with them", async () => {
    const created = await post(`${api.url}/api/tasks`, form([["json", JSON.stringify(task)], png(), png("b.png")]));
    expect(created.status).toBe(201);
    const taskId = (created.body.task as { id: string }).id;
    const stored = await api.repos.taskImages.forMessage(taskId, null);
    expect(stored.map((image) => image.mediaType)).toEqual(["image/png", "image/png"]);
    expect((await api.repos.taskImages.get(taskId, stored[0]!.id!))?.data).toEqual(ONE_PIXEL_PNG);

    // The JSON part may come as a file too (curl -F json=@body.json).
    const jsonFile: Part = ["json", { bytes: Buffer.from(JSON.stringify({ text: "and now?" })), file: "m.json" }];
    const followed = await post(`${api.url}/api/tasks/${taskId}/messages`, form([jsonFile, png()]));
    expect(followed.status).toBe(201);
    const messageId = (followed.body.message as { id: string }).id;
    expect(await api.repos.taskImages.forMessage(taskId, messageId)).toEqual([
      { id: expect.any(String), mediaType: "image/png", data: ONE_PIXEL_PNG.toString("base64") },
    ]);

    // Without images a multipart body is just the JSON.
    const plain = await post(`${api.url}/api/tasks`, form([["json", JSON.stringify(task)]]));
    expect(plain.status).toBe(201);
  });

  it("refuses a file that is not an image, and every malformed form, creating nothing", async () => {
    const before = await api.repos.tasks.list();
    const json: Part = ["json", JSON.stringify(task)];
    const cases: [FormData, string][] = [
      [form([json, png(), ["image", { bytes: SCRIPT, file: "fake.png" }]]), "images.1: fake.png: not a PNG"],
      [form([png()]), "json: required"],
      [form([json, json]), "json: only one json part"],
      [form([["json", "{"]]), "json: not JSON"],
      [form([["json", JSON.stringify({ ...task, images: [] })]]), "json.images: in a multipart body, images are"],
      [form([json, ["picture", { bytes: ONE_PIXEL_PNG, file: "a.png" }]]), "picture: unknown part"],
      [form([json, ["image", "iVBORw0KGgo="]]), "image: must be a file part"],
      [form([json, png(), png(), png(), png(), png()]), "images: 5 images is over the limit of 4"],
      [form([["json", JSON.stringify({ ...task, mode: "edit" })], png()]), "invalid task: mode"],
    ];
    for (const [body, message] of cases) {
      const refused = await post(`${api.url}/api/tasks`, body);
      expect(refused.status, message).toBe(400);
      expect(refused.body.error?.message).toContain(message);
    }
    // A body that says it is multipart but is not (no boundary; a boundary never found).
    const garbled = await post(`${api.url}/api/tasks`, "not a form", "multipart/form-data");
    expect(garbled.status).toBe(400);
    expect(garbled.body.error?.message).toBe("invalid task: the body is not readable multipart/form-data");
    const cut = await post(
      `${api.url}/api/tasks`,
      "--x\r\nContent-Disposition: form-data",
      "multipart/form-data; boundary=x",
    );
    expect(cut.status).toBe(400);
    expect(await api.repos.tasks.list()).toEqual(before);
  });

  it("refuses a multipart body over its bound on the declared length, without reading it", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${api.url}/api/tasks`, {
        method: "POST",
        headers: {
          "content-type": "multipart/form-data; boundary=x",
          "content-length": String(IMAGES_MULTIPART_BODY_BYTES + 1),
        },
      });
      request.on("response", (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on("error", reject);
      // Only the start is sent: the answer comes from the declared length alone.
      request.write("--x\r\n");
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      error: { message: `request body too large: at most ${IMAGES_MULTIPART_BODY_BYTES} bytes here` },
    });
  });

  it("declares the multipart form of both routes in the OpenAPI document", async () => {
    type Operation = { requestBody: { content: Record<string, { schema: { $ref: string } }> } };
    const document = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as {
      paths: Record<string, { post: Operation }>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const forms = ["/api/tasks", "/api/tasks/{id}/messages"].map(
      (path) => document.paths[path]!.post.requestBody.content["multipart/form-data"]?.schema.$ref,
    );
    expect(forms).toEqual(["#/components/schemas/CreateTaskMultipart", "#/components/schemas/MessageMultipart"]);
    expect(Object.keys(document.components.schemas.CreateTaskMultipart!.properties)).toEqual(["json", "image"]);
  });
});

describe("multipart bodies with a text-only model", () => {
  it("refuses image files before anything is stored", async () => {
    const api = await startTestApi("sqlite", {
      modelStatus: { ready: true, provider: "openai", model: "text-only-model", message: null, imageInput: false },
    });
    try {
      const repository = await api.repos.repositories.create({ name: "r", source: "/nowhere" });
      const json = JSON.stringify({ repo: repository.id, ref: "main", mode: "ask", prompt: "look" });
      const refused = await post(`${api.url}/api/tasks`, form([["json", json], png()]));
      expect(refused.status).toBe(400);
      expect(refused.body.error?.message).toMatch(/text-only-model is configured as text-only/);
      expect(await api.repos.tasks.list()).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
