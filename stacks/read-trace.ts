/**
 * What code read of a plain data value (a parsed config): every property read, key listing and
 * key test made through a traced view of it, with what each one saw. Given the same code, a
 * later value on which every recorded observation holds again makes that code take the same
 * steps and produce the same result: it cannot tell the two values apart. The stack cache relies
 * on it (stacks/stack-cache.ts), so the trace is conservative: a read is recorded against the
 * path it was made through (never merged with another path to the same object), the view
 * cannot be written to, and a value that cannot be recorded exactly makes the trace unusable.
 */

/** A property read: `own` values are tagged primitives, `object`/`array` (their contents are read on their own), or absent. */
type Seen = string;
/** `get` of a key, `keys` of an object, `has` of a key. */
type Operation = 'get' | 'keys' | 'has';

/** One observation: the operation, the path of the object it was made on, the key (`get`, `has`), what was seen. */
export type Observation = readonly [Operation, readonly string[], string, Seen];

const ABSENT = 'absent';
const OBJECT = 'object';
const ARRAY = 'array';

/** What a value looks like to a reader, as a string; undefined when it cannot be told exactly (a function, a symbol). */
function seenOf(value: unknown): Seen | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return `string:${value}`;
    case 'number':
      return Object.is(value, -0) ? 'number:-0' : `number:${String(value)}`;
    case 'boolean':
      return `boolean:${String(value)}`;
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return `bigint:${value.toString()}`;
    case 'object':
      return Array.isArray(value) ? ARRAY : OBJECT;
    default:
      return undefined;
  }
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

function ownValue(target: object, key: string): Seen | undefined {
  return Object.prototype.hasOwnProperty.call(target, key) ? seenOf((target as Record<string, unknown>)[key]) : ABSENT;
}

/** A list of keys as one string (keys are strings; JSON keeps them apart). */
const keysSeen = (target: object): Seen => JSON.stringify(Reflect.ownKeys(target).filter((key) => typeof key === 'string'));

/** The traces reads are recorded into, and the traced views of one root value (one per path). */
export class ReadTracer<T extends object> {
  /** The root as code should read it. */
  readonly view: T;
  private readonly open: ReadTrace[] = [];
  /** Reads made while no trace was open. */
  readonly unattributed = new ReadTrace();
  private readonly views = new Map<string, object>();

  constructor(root: T) {
    this.view = this.viewOf(root, []);
  }

  /** Runs `work` with `trace` open: every read through the view meanwhile is recorded into it (and into traces opened around it). */
  during<R>(trace: ReadTrace, work: () => R): R {
    this.open.push(trace);
    try {
      return work();
    } finally {
      this.open.pop();
    }
  }

  private record(operation: Operation, path: readonly string[], key: string, seen: Seen | undefined): void {
    const traces = this.open.length > 0 ? this.open : [this.unattributed];
    for (const trace of traces) trace.add(operation, path, key, seen);
  }

  private viewOf<V extends object>(target: V, path: readonly string[]): V {
    const id = JSON.stringify(path);
    const existing = this.views.get(id);
    if (existing) return existing as V;
    const refuse = (): never => {
      throw new TypeError(`the config is read-only while stacks are built (at ${path.join('.') || 'its root'})`);
    };
    const view = new Proxy(target, {
      get: (object, key, receiver) => {
        if (typeof key === 'symbol') return Reflect.get(object, key, receiver) as unknown;
        this.record('get', path, key, ownValue(object, key));
        const value = Reflect.get(object, key, receiver) as unknown;
        return isObject(value) && Object.prototype.hasOwnProperty.call(object, key) ? this.viewOf(value, [...path, key]) : value;
      },
      has: (object, key) => {
        const found = Reflect.has(object, key);
        if (typeof key !== 'symbol') this.record('has', path, key, String(found));
        return found;
      },
      ownKeys: (object) => {
        this.record('keys', path, '', keysSeen(object));
        return Reflect.ownKeys(object);
      },
      getOwnPropertyDescriptor: (object, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(object, key);
        if (typeof key === 'symbol') return descriptor;
        this.record('get', path, key, ownValue(object, key));
        if (descriptor === undefined) return descriptor;
        // A value read from the descriptor is read through the view too (allowed for a configurable property).
        const value: unknown = descriptor.value;
        return descriptor.configurable && isObject(value) ? { ...descriptor, value: this.viewOf(value, [...path, key]) } : descriptor;
      },
      set: refuse,
      defineProperty: refuse,
      deleteProperty: refuse,
      setPrototypeOf: refuse,
      preventExtensions: refuse,
    });
    this.views.set(id, view);
    return view;
  }
}

/** The observations of one reader, deduplicated. */
export class ReadTrace {
  private readonly seen = new Map<string, Observation>();
  private exact = true;

  add(operation: Operation, path: readonly string[], key: string, seen: Seen | undefined): void {
    if (seen === undefined) {
      this.exact = false;
      return;
    }
    const id = JSON.stringify([operation, path, key]);
    if (!this.seen.has(id)) this.seen.set(id, [operation, path, key, seen]);
  }

  /** Adds every observation of `other`. */
  include(other: ReadTrace): void {
    if (!other.exact) this.exact = false;
    for (const [id, observation] of other.seen) if (!this.seen.has(id)) this.seen.set(id, observation);
  }

  /** The observations, or undefined when something was read that cannot be recorded exactly. */
  observations(): readonly Observation[] | undefined {
    return this.exact ? [...this.seen.values()] : undefined;
  }
}

/** The object at `path` under `root`, or undefined when the path leaves the value. */
function objectAt(root: unknown, path: readonly string[]): object | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (!isObject(node) || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return isObject(node) ? node : undefined;
}

/** Whether every observation would be made again, identically, on `root`. */
export function observationsHold(observations: readonly Observation[], root: object): boolean {
  for (const [operation, path, key, seen] of observations) {
    const target = objectAt(root, path);
    if (target === undefined) return false;
    const now = operation === 'get' ? ownValue(target, key) : operation === 'has' ? String(Reflect.has(target, key)) : keysSeen(target);
    if (now !== seen) return false;
  }
  return true;
}
