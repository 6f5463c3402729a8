/**
 * The registry of built-in adapters, by the name `--adapter` takes. Each entry loads lazily, so a
 * client that is an optional peer dependency is imported only when asked for.
 */
import type { Adapter } from "./types.js";

/** A built-in adapter. */
export interface BuiltinAdapter {
  /** One line for `--list-adapters` and the README. */
  description: string;
  load(): Promise<Adapter>;
}

const REGISTRY = new Map<string, BuiltinAdapter>([
  [
    "speechwire",
    {
      description: "@speechwire/client (STT v1, STT turns, TTS; reconnect and keep-alive)",
      load: async () => (await import("./speechwire.js")).createSpeechwireAdapter(),
    },
  ],
  [
    "cartesia-js",
    {
      description: "@cartesia/cartesia-js 4.2.0 (optional peer; STT v1, STT turns, TTS over wss)",
      load: async () => (await import("./cartesia-js.js")).createCartesiaJsAdapter(),
    },
  ],
  [
    "livekit",
    {
      description: "@livekit/agents-plugin-cartesia 1.8.1 (optional peers; STT turns and TTS streams)",
      load: async () => (await import("./livekit.js")).createLivekitAdapter(),
    },
  ],
]);

/** Adds (or replaces) a built-in adapter; the cartesia-js and LiveKit adapters register here. */
export function registerBuiltinAdapter(name: string, adapter: BuiltinAdapter): void {
  REGISTRY.set(name, adapter);
}

/** The built-in adapters, by name. */
export function builtinAdapters(): ReadonlyMap<string, BuiltinAdapter> {
  return REGISTRY;
}

/** Loads a built-in adapter; throws an Error listing the known names when there is none. */
export async function loadBuiltinAdapter(name: string): Promise<Adapter> {
  const entry = REGISTRY.get(name);
  if (!entry) throw new Error(`no built-in adapter "${name}" (known: ${[...REGISTRY.keys()].join(", ")})`);
  return entry.load();
}
