/**
 * jest's Node environment with one change, for speed: a stack captured on an object that is not
 * an error is formatted here, in V8's layout, instead of by jest's formatter, which visits every
 * frame to look for a source map (the project compiles without them, so it finds none). cdktf
 * captures a complete stack for every token it creates (shown only if the token cannot be
 * resolved), and that per-frame work cost more CPU than the synthesis itself (docs/benchmarks.md).
 * Errors' stacks are still formatted by jest.
 */
const { TestEnvironment } = require('jest-environment-node');

/** V8's own layout: a header line, then one `    at <frame>` line per frame. */
function v8Layout(holder, frames) {
  const header = typeof holder.message === 'string' && holder.message !== '' ? `Error: ${holder.message}` : 'Error';
  return [header, ...frames.map((frame) => `    at ${frame}`)].join('\n');
}

class NodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const ContextError = this.global.Error;
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
