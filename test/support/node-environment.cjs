/**
 * jest's Node environment with two changes, for speed (docs/benchmarks.md):
 *
 * - The tests run in a context whose global object is an ordinary object. jest makes its
 *   context from a sandbox object (a Proxy that records what is set on it), so every read of a
 *   global (`Array`, `Object`, `JSON`, ...) went through Node's interceptor and the Proxy: about
 *   100 times slower than in a plain Node context, in every module the tests load (the config
 *   validator alone spent most of its time there). The environment moves what jest installed on
 *   its global (Node's globals, jest's own) to a context made with `vm.constants.DONT_CONTEXTIFY`;
 *   the ECMAScript built-ins stay those of the new context.
 * - A stack captured on an object that is not an error is formatted here, in V8's layout,
 *   instead of by jest's formatter, which visits every frame to look for a source map (the
 *   project compiles without them, so it finds none). cdktf captures a complete stack for every
 *   token it creates (shown only if the token cannot be resolved). Errors' stacks are still
 *   formatted by jest.
 */
const vm = require('node:vm');
const { TestEnvironment } = require('jest-environment-node');

/** V8's own layout: a header line, then one `    at <frame>` line per frame. */
function v8Layout(holder, frames) {
  const header = typeof holder.message === 'string' && holder.message !== '' ? `Error: ${holder.message}` : 'Error';
  return [header, ...frames.map((frame) => `    at ${frame}`)].join('\n');
}

/**
 * A context with an ordinary global object holding what jest installed on `installed`: every
 * property the new context lacks, and those jest took from Node's own realm (Buffer's
 * ArrayBuffer and Uint8Array); the new context's built-ins are kept otherwise.
 */
function ordinaryContext(installed) {
  const context = vm.createContext(vm.constants.DONT_CONTEXTIFY);
  for (const key of Reflect.ownKeys(installed)) {
    const descriptor = Object.getOwnPropertyDescriptor(installed, key);
    const own = Object.getOwnPropertyDescriptor(context, key);
    const fromNode = 'value' in descriptor && descriptor.value !== undefined && descriptor.value === globalThis[key];
    if (own !== undefined && !(fromNode && own.configurable)) continue;
    Object.defineProperty(
      context,
      key,
      'get' in descriptor && descriptor.configurable ? resolvedOnFirstRead(context, key, descriptor, installed) : descriptor,
    );
  }
  context.global = context;
  context.Error.stackTraceLimit = installed.Error.stackTraceLimit;
  return context;
}

/** jest resolves most of Node's globals on first read: the same here, then a plain value of this global. */
function resolvedOnFirstRead(context, key, descriptor, installed) {
  const settle = (value) =>
    Object.defineProperty(context, key, { configurable: true, enumerable: descriptor.enumerable, value, writable: true });
  return {
    configurable: true,
    enumerable: descriptor.enumerable,
    get() {
      const value = descriptor.get.call(installed);
      settle(value);
      return value;
    },
    set: settle,
  };
}

class NodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const fast = ordinaryContext(this.global);
    this.context = fast;
    this.global = fast;
    // jest.fn and the default (modern) fake timers work on this global; legacy fake timers are not offered (a test asking for them fails).
    this.moduleMocker = new this.moduleMocker.constructor(fast);
    this.fakeTimersModern.dispose();
    this.fakeTimersModern = new this.fakeTimersModern.constructor({ config: config.projectConfig, global: fast });
    this.fakeTimers.dispose();
    this.fakeTimers = null;
    const ContextError = fast.Error;
    // Node asks the Error of the realm that made the object first, then this realm's (where jest installs its mapping).
    ContextError.prepareStackTrace = (holder, frames) => {
      if (holder instanceof ContextError || holder instanceof Error) {
        return typeof Error.prepareStackTrace === 'function' ? Error.prepareStackTrace(holder, frames) : v8Layout(holder, frames);
      }
      return v8Layout(holder, frames);
    };
  }
}

module.exports = NodeEnvironment;
