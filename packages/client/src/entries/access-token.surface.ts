/** `@speechwire/client/access-token` besides `createAccessToken` (bound to a platform by access-token.ts and access-token.browser.ts). */
export * from "./common.js";
export type { Grants } from "../access-token.js";
