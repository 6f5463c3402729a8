/**
 * `setupMockServer`: the mock as a test fixture, in the manner of MSW's `setupServer` — listen once,
 * reset after each test, pick a scenario per test, await the journal of the session the app opened.
 * Framework-free: it throws plain Errors, so vitest, jest and `node:test` all report them.
 */
import { startMockServer, type MockServer, type MockServerOptions, type MockServerUrls } from "../server/server.js";
import type { SessionRecord } from "../server/journal.js";
import { validateScenario } from "../scenario/parse.js";
import type { ScenarioInput } from "../scenario/schema.js";
import { sessionView, type MockSession, type SessionEndpoint } from "./session.js";
import { brokenRules, checkOnViolation, describeViolations, violationError, type OnViolation } from "./violations.js";

/** Options of `setupMockServer`: the server's own, with test defaults, and what to do with broken rules. */
export interface SetupMockServerOptions extends MockServerOptions {
  /**
   * A session that breaks a protocol rule (severity `error`): `"error"` (default) fails the test —
   * `reset()`, the `nextSession` that takes it and `close()` throw, listing rule ids and messages;
   * `"warn"` prints it when the session ends; `"off"` leaves it on `s.violations`; or a function.
   */
  onViolation?: OnViolation;
}

/** Options of one `nextSession` call. */
export interface NextSessionOptions {
  /** Milliseconds to wait for a session to end. Default 4 000 (under vitest's and jest's 5 s test timeout). */
  timeout?: number;
  /** Overrides the server's `onViolation` for the session this call takes (e.g. `"off"` to assert on a bad client's violations). */
  onViolation?: OnViolation;
}

/** The test fixture `setupMockServer` returns. */
export interface SetupMockServer {
  /** Starts the mock (e.g. in `beforeAll`); resolves with its URLs. */
  listen(): Promise<MockServerUrls>;
  /** The URLs; throws before `listen()` has resolved. */
  readonly urls: MockServerUrls;
  /** The running `MockServer` (journal, scenario registry); throws before `listen()`. */
  readonly server: MockServer;
  /**
   * This test's default scenario: a name the server knows, or an inline scenario object (validated
   * with the scenario schema; a bad one throws with its issues). Connections that pick their own
   * (`/s/<name>/…`, header, query) still get theirs. Undone by `reset()`.
   */
  use(scenario: string | ScenarioInput): void;
  /**
   * Resolves with the next session that ends, of `endpoint` if given: the oldest one that ended since
   * the last `reset()` and was not taken yet, else the next to end. Each session is taken once.
   * Rejects after `timeout` with the sessions seen since the last reset.
   */
  nextSession<E extends SessionEndpoint = SessionEndpoint>(endpoint?: E, options?: NextSessionOptions): Promise<MockSession<E>>;
  /**
   * Forgets sessions, run-time scenarios and `use()` overrides (the server's `reset()`), and rejects
   * pending `nextSession` calls. Then, with `onViolation: "error"`, throws if a session since the last
   * reset broke a rule and was not reported yet.
   */
  reset(): void;
  /** Stops the mock (open sessions get 1001); throws afterwards like `reset()` for unreported violations. */
  close(): Promise<void>;
}

interface Waiter {
  endpoint: SessionEndpoint | undefined;
  resolve(record: SessionRecord): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const DEFAULT_TIMEOUT_MS = 4000;

/**
 * Makes a mock server fixture for a test file: a free loopback port, TLS off, seeded, text frames
 * journalled whole (so parsed messages are complete).
 * @example
 * const mock = setupMockServer({ scenario: "eager-resume" });
 * beforeAll(() => mock.listen()); afterEach(() => mock.reset()); afterAll(() => mock.close());
 */
export function setupMockServer(options: SetupMockServerOptions = {}): SetupMockServer {
  const { onViolation: onViolationOption = "error", ...serverOptions } = options;
  const onViolation = checkOnViolation(onViolationOption, "setupMockServer");
  const startOptions: MockServerOptions = {
    port: 0,
    tlsPort: false,
    ...serverOptions,
    // The journal clips text frames at 4 096 characters by default: a TTS chunk or a long transcript
    // would then not parse. Whole frames here (the journal's total budget still bounds memory).
    journalLimits: { textChars: Number.POSITIVE_INFINITY, textCharsPerSession: Number.POSITIVE_INFINITY, ...serverOptions.journalLimits },
  };

  let server: MockServer | undefined;
  let starting: Promise<MockServer> | undefined;
  let stopListening: (() => void) | undefined;
  /** Ended since the last reset, in the order they ended; `taken` once a `nextSession` had it. */
  let ended: { record: SessionRecord; taken: boolean }[] = [];
  /** Sessions whose broken rules were already reported (or allowed by a call's `onViolation`). */
  let reported = new Set<string>();
  const waiters: Waiter[] = [];

  const running = (what: string): MockServer => {
    if (!server) throw new Error(`setupMockServer: ${what} before listen() has resolved (call mock.listen() in beforeAll and await it)`);
    return server;
  };

  /** Reports a session's broken rules under `mode`; returns the error to throw for `"error"`. */
  const report = (record: SessionRecord, mode: OnViolation): Error | undefined => {
    if (brokenRules(record).length === 0 || reported.has(record.id)) return undefined;
    if (mode === "off") return undefined;
    reported.add(record.id);
    if (mode === "error") return violationError([record]);
    if (mode === "warn") console.warn(`speechwire mock: a session broke protocol rules:\n${describeViolations([record])}`);
    else mode(brokenRules(record), record);
    return undefined;
  };

  const onEnd = (record: SessionRecord) => {
    // "warn" and callbacks hear about a session as it ends; "error" waits for a place that can fail a test.
    if (onViolation !== "error") report(record, onViolation);
    const index = waiters.findIndex((w) => w.endpoint === undefined || w.endpoint === record.endpoint);
    const waiter = index < 0 ? undefined : waiters.splice(index, 1)[0];
    ended.push({ record, taken: waiter !== undefined });
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(record);
    }
  };

  const seen = (): string => {
    const lines = ended.map(({ record, taken }) => `  ${record.id} ${record.endpoint} ${record.path} (scenario ${record.scenario}): ended${taken ? ", already taken" : ""}`);
    const endedIds = new Set(ended.map((e) => e.record.id));
    for (const record of server?.sessions() ?? []) {
      if (!endedIds.has(record.id) && record.endedAt === undefined) lines.push(`  ${record.id} ${record.endpoint} ${record.path} (scenario ${record.scenario}): still open`);
    }
    return lines.length > 0 ? lines.join("\n") : "  none";
  };

  /** Sessions since the last reset with broken rules not reported yet (open ones too: their rules so far). */
  const unreported = (): SessionRecord[] => {
    const records = new Map<string, SessionRecord>();
    for (const { record } of ended) records.set(record.id, record);
    for (const record of server?.sessions() ?? []) records.set(record.id, record);
    return [...records.values()].filter((r) => brokenRules(r).length > 0 && !reported.has(r.id));
  };

  const rejectWaiters = (why: string) => {
    for (const w of waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error(`setupMockServer: nextSession(${w.endpoint ?? ""}) was still waiting when ${why}`));
    }
  };

  /** Resets the bookkeeping; returns the error for violations not reported yet (in "error" mode). */
  const settle = (why: string): Error | undefined => {
    rejectWaiters(why);
    const failing = onViolation === "error" ? unreported() : [];
    ended = [];
    reported = new Set();
    return failing.length > 0 ? violationError(failing) : undefined;
  };

  return {
    listen() {
      if (starting) return Promise.reject(new Error("setupMockServer: listen() was already called (once per file, e.g. in beforeAll; close() before listening again)"));
      starting = startMockServer(startOptions).then(
        (started) => {
          server = started;
          stopListening = started.onSessionEnd(onEnd);
          return started;
        },
        (error: unknown) => {
          starting = undefined;
          throw error;
        },
      );
      return starting.then((started) => started.urls);
    },

    get urls() {
      return running("mock.urls").urls;
    },

    get server() {
      return running("mock.server");
    },

    use(scenario) {
      const registry = running("mock.use()").scenarios;
      if (typeof scenario === "string") {
        if (!registry.get(scenario)) {
          throw new Error(`setupMockServer: use("${scenario}"): unknown scenario; known: ${registry.list().map((s) => s.name).join(", ")}`);
        }
        registry.defaultName = scenario;
        return;
      }
      const result = validateScenario(scenario);
      if (!result.ok) {
        throw new Error(`setupMockServer: use(): invalid scenario:\n${result.issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
      }
      // A run-time scenario: the server's reset removes it (or restores the startup one of that name).
      registry.add(result.scenario);
      registry.defaultName = result.scenario.name;
    },

    nextSession<E extends SessionEndpoint = SessionEndpoint>(endpoint?: E, callOptions: NextSessionOptions = {}): Promise<MockSession<E>> {
      try {
        running("mock.nextSession()");
        const timeout = callOptions.timeout ?? DEFAULT_TIMEOUT_MS;
        if (typeof timeout !== "number" || !(timeout >= 0) || !Number.isFinite(timeout)) {
          throw new TypeError(`setupMockServer: nextSession(): timeout must be a finite number of milliseconds ≥ 0, got ${String(timeout)}`);
        }
        const mode = callOptions.onViolation === undefined ? onViolation : checkOnViolation(callOptions.onViolation, "nextSession()");
        const take = (record: SessionRecord): MockSession<E> => {
          const error = report(record, mode);
          if (error) throw error;
          // A session whose rules this call allowed ("warn", "off", a function) is not reported again by reset().
          reported.add(record.id);
          return sessionView<E>(record);
        };
        const waiting = ended.find((e) => !e.taken && (endpoint === undefined || e.record.endpoint === endpoint));
        if (waiting) {
          waiting.taken = true;
          return Promise.resolve(take(waiting.record));
        }
        return new Promise<SessionRecord>((resolve, reject) => {
          const waiter: Waiter = {
            endpoint,
            resolve,
            reject,
            timer: setTimeout(() => {
              waiters.splice(waiters.indexOf(waiter), 1);
              reject(new Error(`setupMockServer: no ${endpoint ?? ""}${endpoint ? " " : ""}session ended within ${timeout} ms; since the last reset:\n${seen()}`));
            }, timeout),
          };
          waiters.push(waiter);
        }).then(take);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },

    reset() {
      const mock = running("mock.reset()");
      const error = settle("reset() was called");
      mock.reset();
      if (error) throw error;
    },

    async close() {
      if (!starting) return;
      const mock = await starting.catch(() => undefined);
      const error = mock ? settle("close() was called") : undefined;
      starting = undefined;
      server = undefined;
      if (!mock) return;
      stopListening?.();
      await mock.close();
      if (error) throw error;
    },
  };
}
