/** Transports: the WebSocket factory, the reconnecting socket, HTTP. */
export * from "./websocket.js";
export * from "./reconnecting.js";
export * from "./http.js";
