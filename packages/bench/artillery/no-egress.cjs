'use strict';
// Preloaded into `artillery run` by `speechwire-bench artillery run` (node --require): Artillery's
// telemetry client is not loaded (2.0.21 sends an anonymized "test run" event even with
// ARTILLERY_DISABLE_TELEMETRY set), and any TCP connection to a host other than loopback is refused
// with an error naming it, so a local run cannot reach outside hosts.
const Module = require('node:module');
const net = require('node:net');

const blocked = new Set(['posthog-node']);
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (blocked.has(request)) throw new Error(`speechwire: ${request} is not loaded (no telemetry)`);
  return load.call(this, request, parent, isMain);
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = args[0];
  const options = Array.isArray(first) ? first[0] : first;
  let host;
  if (options && typeof options === 'object') host = options.path ? undefined : options.host || 'localhost';
  else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) host = typeof args[1] === 'string' ? args[1] : 'localhost';
  if (host !== undefined && !LOOPBACK.test(host.replace(/^\[|\]$/g, ''))) {
    const error = new Error(`speechwire: refused a connection to ${host} (only loopback targets in a local run)`);
    process.stderr.write(`${error.message}\n`);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};
