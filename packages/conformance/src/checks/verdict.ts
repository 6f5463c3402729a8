/** The verdicts every check returns. */
import type { Verdict } from "./catalogue.js";

/** The check holds. */
export const pass: Verdict = { grade: "pass" };

/** The check fails, with what was wrong. */
export const fail = (message: string): Verdict => ({ grade: "fail", message });

/** The check holds, but in a form the protocol discourages. */
export const warn = (message: string): Verdict => ({ grade: "warning", message });
