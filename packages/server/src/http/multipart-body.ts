/**
 * The body of a route that takes images, as JSON or as multipart/form-data: a part named `json`
 * holding the same JSON as the application/json body (without `images`), and each image as a file
 * part named `image`. Hono parses the form (`c.req.parseBody`) once the body limit (body-limit.ts)
 * has bounded it; this only says what a form may hold, and refuses anything else with a 400 that
 * names the part.
 */
import type { Context } from "hono";
import { MULTIPART_PARTS } from "@quire/protocol";
import { HttpError } from "../errors.js";
import { jsonBody } from "./errors.js";
import type { UploadedImage } from "./images.js";

export interface RequestBody {
  /** The JSON body, unparsed by its schema yet. */
  json: unknown;
  /** The image files of a multipart body, not checked yet (imagesOf does that). */
  uploads: UploadedImage[];
}

const isMultipart = (c: Context): boolean =>
  c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase() === "multipart/form-data";

/** A file name as it may be shown in a refusal: printable, and short. */
function shownName(name: string): string {
  const printable = [...name.slice(0, 100)].map((char) => (/\p{Cc}/u.test(char) ? "?" : char)).join("");
  return printable || "(no file name)";
}

/** The request's body: JSON, or the JSON part and image files of a multipart body. */
export async function requestBody(c: Context, what: string): Promise<RequestBody> {
  if (!isMultipart(c)) return { json: await jsonBody(c), uploads: [] };
  const refuse = (path: string, message: string): HttpError =>
    new HttpError(400, `invalid ${what}: ${path}: ${message}`, [{ path, message }]);
  let form: Record<string, string | File | (string | File)[]>;
  try {
    form = await c.req.parseBody({ all: true });
  } catch {
    throw new HttpError(400, `invalid ${what}: the body is not readable multipart/form-data`);
  }
  const expected = `a multipart body takes one part named ${MULTIPART_PARTS.json} (the ${what} as JSON) and file parts named ${MULTIPART_PARTS.image}`;
  for (const name of Object.keys(form)) {
    if (name !== MULTIPART_PARTS.json && name !== MULTIPART_PARTS.image) {
      throw refuse(shownName(name), `unknown part: ${expected}`);
    }
  }
  const jsonParts = [form[MULTIPART_PARTS.json] ?? []].flat();
  if (jsonParts.length !== 1) {
    throw refuse(MULTIPART_PARTS.json, jsonParts.length === 0 ? `required: ${expected}` : "only one json part");
  }
  const [jsonPart] = jsonParts;
  const text = typeof jsonPart === "string" ? jsonPart : await jsonPart!.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw refuse(MULTIPART_PARTS.json, "not JSON");
  }
  if (typeof json === "object" && json !== null && "images" in json) {
    throw refuse(
      `${MULTIPART_PARTS.json}.images`,
      `in a multipart body, images are file parts named ${MULTIPART_PARTS.image}`,
    );
  }
  const uploads: UploadedImage[] = [];
  for (const part of [form[MULTIPART_PARTS.image] ?? []].flat()) {
    if (typeof part === "string") throw refuse(MULTIPART_PARTS.image, "must be a file part (with a file name)");
    uploads.push({ name: shownName(part.name), bytes: new Uint8Array(await part.arrayBuffer()) });
  }
  return { json, uploads };
}
