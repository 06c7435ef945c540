/**
 * jest's Node environment with one change, for speed: a stack captured on an object that is not
 * an error is formatted as V8 formats it, not source-mapped frame by frame. cdktf captures one,
 * complete, for every token it creates (shown only if the token cannot be resolved), and jest's
 * mapping of those frames cost more CPU than the synthesis itself (docs/benchmarks.md). Errors'
 * stacks are still mapped to the TypeScript sources by jest.
 */
const { TestEnvironment } = require('jest-environment-node');

/** V8's own layout: a header line, then one `    at <frame>` line per frame. */
function unmapped(holder, frames) {
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
        return typeof Error.prepareStackTrace === 'function' ? Error.prepareStackTrace(holder, frames) : unmapped(holder, frames);
      }
      return unmapped(holder, frames);
    };
  }
}

module.exports = NodeEnvironment;
