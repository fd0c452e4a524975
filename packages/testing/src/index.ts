/**
 * Quire's test support (`@quire/testing`, private, never shipped): the scripted model server that
 * speaks each provider's real wire format, a canned HTTP server, and local upstreams for the
 * network tests.
 */
export * from "./canned-http-server.js";
export * from "./images.js";
export * from "./listen-locally.js";
export * from "./network-servers.js";
export * from "./scripted-model-server.js";
export * from "./until.js";
