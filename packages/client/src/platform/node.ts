/**
 * Node (and any runtime that is not a browser bundle): `ws` when no class was passed (imported lazily,
 * by a specifier built at run time, so no bundler follows it), with headers and readable handshake
 * refusals; the global `WebSocket` elsewhere; `debug: true` loads `@speechwire/protocol` on demand.
 */
import type { createSessionLinter } from "@speechwire/protocol";
import { ConnectionError } from "../errors.js";
import { standardWiring, type WebSocketConstructor } from "../transport/websocket.js";
import { isWsClass, wsWiring } from "../transport/ws.js";
import type { Platform } from "./types.js";

const isNode = (): boolean => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";

/** Imports a module by a name built at run time, so that no bundler resolves it into a bundle; undefined if it cannot be loaded. */
function importLazily<T>(...parts: string[]): Promise<T | undefined> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ parts.join("")).then(
    (mod: T) => mod,
    () => undefined,
  );
}

let wsModule: Promise<WebSocketConstructor | undefined> | undefined;
let protocolModule: Promise<typeof createSessionLinter | undefined> | undefined;

/** The Node platform: see the module comment. */
export const nodePlatform: Platform = {
  async resolveWebSocket(config) {
    let ctor = config.WebSocket;
    if (!ctor && isNode()) {
      wsModule ??= importLazily<{ WebSocket?: WebSocketConstructor; default?: WebSocketConstructor }>("w", "s").then((mod) => mod?.WebSocket ?? mod?.default);
      ctor = await wsModule;
    }
    ctor ??= (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!ctor) throw new ConnectionError("No WebSocket implementation: install `ws` or pass `WebSocket` to createClient");
    const ws = isWsClass(ctor);
    return { ctor, wiring: ws ? wsWiring : standardWiring, credentialsIn: config.credentialsIn ?? (ws ? "headers" : "query") };
  },
  loadLinter() {
    protocolModule ??= importLazily<{ createSessionLinter?: typeof createSessionLinter }>("@speechwire", "/protocol").then((mod) => mod?.createSessionLinter);
    return protocolModule;
  },
};
