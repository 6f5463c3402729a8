/** Test support shared by the speechwire packages (private; never published). */
export { failOnUnhandledRejections } from "./unhandled-rejections.js";
export { CHROMIUM_ARGS, chromiumPath, launchChromium } from "./chromium.js";
