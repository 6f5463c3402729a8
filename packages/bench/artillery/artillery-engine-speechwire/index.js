'use strict';
// Artillery loads an engine with require("artillery-engine-<name>") and constructs it synchronously;
// the engine is the bench's ES module, so it is imported once and each scenario waits for it.
// Inside @speechwire/bench (NODE_PATH, `speechwire-bench artillery run`) the build is two folders up;
// published as a package of its own (what Artillery's cloud workers install by this name) it depends
// on @speechwire/bench and imports it by name.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const local = join(__dirname, '..', '..', 'dist', 'artillery', 'index.js');
const impl = import(existsSync(local) ? pathToFileURL(local).href : '@speechwire/bench/artillery');

class SpeechwireEngine {
  constructor(script, events, helpers) {
    this.ready = impl.then((m) => new m.SpeechwireEngine(script, events, helpers));
    // Reported per virtual user below (a bad config fails every VU with its message).
    this.ready.catch(() => {});
  }

  createScenario(spec, events) {
    const scenario = this.ready.then((engine) => engine.createScenario(spec, events));
    scenario.catch(() => {});
    return (context, done) => {
      scenario.then(
        (run) => run(context, done),
        (error) => {
          events.emit('started');
          events.emit('error', error && error.message ? error.message : String(error));
          done(error, context);
        }
      );
    };
  }
}

module.exports = SpeechwireEngine;
