/**
 * @speechwire/mock-server/testing: the mock as a test fixture for vitest, jest or `node:test`
 * (framework-free). `setupMockServer()` in a test file, `listen`/`reset`/`close` in its hooks,
 * `use()` for a test's scenario, `await nextSession()` for the typed journal of what the app did.
 */
export { setupMockServer, type NextSessionOptions, type SetupMockServer, type SetupMockServerOptions } from "./setup.js";
export { sessionView, type MockSession, type ReceivedMessages, type SentMessages, type SessionClose, type SessionEndpoint, type SttBatchUpload, type UnparsedText } from "./session.js";
export type { OnViolation } from "./violations.js";
