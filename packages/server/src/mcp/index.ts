export { MCP_SERVER_INFO } from "./http-endpoint.js";
export { registerQuireTools, type QuireToolOptions } from "./tools.js";
