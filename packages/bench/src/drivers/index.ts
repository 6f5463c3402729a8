/** The clients under test. */
import { cartesiaJsDriver } from "./cartesia-js.js";
import { rawDriver } from "./raw.js";
import { speechwireDriver } from "./speechwire.js";
import type { ClientName, Driver } from "./types.js";

export * from "./types.js";
export { cartesiaJsDriver, rawDriver, speechwireDriver };

/** The driver of a client name. */
export function driverFor(name: ClientName): Driver {
  return name === "speechwire" ? speechwireDriver : name === "cartesia-js" ? cartesiaJsDriver : rawDriver;
}
