/**
 * Views of a stack (its manifests, pod specs, parsed Synapse or HAProxy config, ...) computed
 * once per audit instead of once per rule: 74 rules ask for the same few views of each stack
 * (the Synapse config of a homeserver stack was parsed 26 times per audit). Only within
 * `withViewCache`: the synthesized JSON cannot change while an audit runs, but it may between
 * two audits (tests edit fixtures in place), so nothing is kept once the scope ends. A view is
 * shared by every rule that asks for it: a list is frozen (its items may be the stack's own JSON,
 * which stays writable), and test/tfjson/view-cache.test.ts proves that no rule changes any
 * view, however deep.
 */

type ViewsOf = WeakMap<object, Map<unknown, unknown>>;

let scope: ViewsOf | undefined;

/** Runs `work` with views cached (nested scopes share the outer one). */
export function withViewCache<T>(work: () => T): T {
  if (scope !== undefined) return work();
  scope = new WeakMap();
  try {
    return work();
  } finally {
    scope = undefined;
  }
}

function frozen<T>(value: T): T {
  return Array.isArray(value) ? (Object.freeze(value) as T) : value;
}

/** What a view is computed from: one stack or one container. */
export type ViewSubject = 'stack' | 'container';

export interface CachedView<A extends object, R> {
  (subject: A): R;
  /** What the view is computed from. */
  readonly subject: ViewSubject;
}

const registered: CachedView<never, unknown>[] = [];

/** Every cached view loaded so far (a test proves no rule changes any of them). */
export function cachedViews(): readonly CachedView<never, unknown>[] {
  return registered;
}

/** `compute`, remembered per subject while a view cache scope is open. */
export function cachedView<A extends object, R>(subject: ViewSubject, compute: (subject: A) => R): CachedView<A, R> {
  const view = (value: A): R => {
    if (scope === undefined) return compute(value);
    let views = scope.get(value);
    if (views === undefined) {
      views = new Map();
      scope.set(value, views);
    }
    if (views.has(compute)) return views.get(compute) as R;
    const result = frozen(compute(value));
    views.set(compute, result);
    return result;
  };
  // Named as what it computes, for messages.
  Object.defineProperty(view, 'name', { value: compute.name });
  const cached = Object.assign(view, { subject });
  registered.push(cached);
  return cached;
}
