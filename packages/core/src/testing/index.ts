/** Test helpers shipped with core (`@quire/core/testing`): the scripted model server and a canned HTTP server. */
export * from "./canned-http-server.js";
export * from "./listen-locally.js";
export * from "./scripted-model-server.js";
