/**
 * What a reader read of a value (stacks/read-trace.ts): each kind of read is recorded with what
 * it saw, and the observations hold on a value exactly when that reader could not tell it apart.
 */
import { observationsHold, ReadTrace, ReadTracer, type Observation } from '../../stacks/read-trace';

type Value = Record<string, unknown>;

const base = (): Value => ({
  name: 'agency',
  replicas: 2,
  federation: { enabled: true, peers: ['a.example', 'b.example'] },
  labels: { team: 'matrix' },
  optional: undefined,
});

/** The observations of `read` run on base(). */
function observe(read: (value: Value) => unknown): readonly Observation[] {
  const tracer = new ReadTracer(base());
  const trace = new ReadTrace();
  tracer.during(trace, () => read(tracer.view));
  const observations = trace.observations();
  if (!observations) throw new Error('inexact trace');
  return observations;
}

const edited = (edit: (value: Value) => void): Value => {
  const value = base();
  edit(value);
  return value;
};
const federation = (value: Value) => value.federation as { enabled: boolean; peers: string[] };

/** A reader, an edit it cannot see (the observations hold) and one it can (they do not). */
const table: readonly {
  readonly read: string;
  readonly reader: (value: Value) => unknown;
  readonly unseen: (value: Value) => void;
  readonly seen: (value: Value) => void;
}[] = [
  {
    read: 'a property',
    reader: (value) => value.name,
    unseen: (value) => (value.replicas = 3),
    seen: (value) => (value.name = 'ministry'),
  },
  {
    read: 'a nested property',
    reader: (value) => federation(value).enabled,
    unseen: (value) => federation(value).peers.push('c.example'),
    seen: (value) => (federation(value).enabled = false),
  },
  {
    read: 'an absent property',
    reader: (value) => value.missing,
    unseen: (value) => (value.name = 'ministry'),
    seen: (value) => (value.missing = 'now here'),
  },
  {
    read: 'a property holding undefined (told apart from an absent one)',
    reader: (value) => value.optional,
    unseen: (value) => (value.optional = undefined),
    seen: (value) => delete value.optional,
  },
  {
    // Object.keys reads each key's descriptor too, which holds its value: a value edit is seen.
    read: 'the keys of an object',
    reader: (value) => Object.keys(value.labels as object),
    unseen: (value) => (value.name = 'ministry'),
    seen: (value) => ((value.labels as Value).extra = 'x'),
  },
  {
    read: 'a key test',
    reader: (value) => 'extra' in (value.labels as object),
    unseen: (value) => ((value.labels as Value).team = 'other'),
    seen: (value) => ((value.labels as Value).extra = 'x'),
  },
  {
    read: 'an array walked',
    reader: (value) => federation(value).peers.map((peer) => peer.length),
    unseen: (value) => (federation(value).enabled = false),
    seen: (value) => federation(value).peers.push('c.example'),
  },
  {
    read: 'an array element',
    reader: (value) => federation(value).peers[0],
    unseen: (value) => (federation(value).peers[1] = 'z.example'),
    seen: (value) => (federation(value).peers[0] = 'z.example'),
  },
  {
    read: 'a subtree serialized',
    reader: (value) => JSON.stringify(value.federation),
    unseen: (value) => (value.name = 'ministry'),
    seen: (value) => (federation(value).peers[1] = 'z.example'),
  },
  {
    read: 'a subtree spread and listed',
    reader: (value) => Object.entries({ ...(value.labels as object) }),
    unseen: (value) => (value.name = 'ministry'),
    seen: (value) => ((value.labels as Value).team = 'other'),
  },
  {
    read: 'a value through its property descriptor',
    reader: (value) => (Object.getOwnPropertyDescriptor(value, 'labels')?.value as Value).team,
    unseen: (value) => (value.name = 'ministry'),
    seen: (value) => ((value.labels as Value).team = 'other'),
  },
];

describe('a read trace', () => {
  it.each(table)('of $read holds on an edit the reader cannot see, not on one it can', ({ reader, unseen, seen }) => {
    const observations = observe(reader);
    expect(observationsHold(observations, base())).toBe(true);
    expect(observationsHold(observations, edited(unseen))).toBe(true);
    expect(observationsHold(observations, edited(seen))).toBe(false);
  });

  it('records one object reached by two paths once per path', () => {
    const shared = { level: 'info' };
    const tracer = new ReadTracer<Value>({ a: shared, b: shared });
    const trace = new ReadTrace();
    tracer.during(trace, () => (tracer.view.b as Value).level);
    const observations = trace.observations() ?? [];
    // The copy read is the one under b: a value where only a's copy differs still holds, b's does not.
    expect(observationsHold(observations, { a: { level: 'debug' }, b: { level: 'info' } })).toBe(true);
    expect(observationsHold(observations, { a: { level: 'info' }, b: { level: 'debug' } })).toBe(false);
  });

  it('keeps the identity of what is read through one path', () => {
    const tracer = new ReadTracer(base());
    expect(tracer.view.federation).toBe(tracer.view.federation);
  });

  it('refuses every write through the view', () => {
    const { view } = new ReadTracer(base());
    expect(() => (view.name = 'x')).toThrow(/read-only while stacks are built \(at name\)|read-only/);
    expect(() => delete view.name).toThrow(TypeError);
    expect(() => Object.defineProperty(view.labels, 'x', { value: 1 })).toThrow(/at labels/);
    expect(() => federation(view).peers.push('c.example')).toThrow(TypeError);
    expect(view.name).toBe('agency');
  });

  it('is unusable when something was read that cannot be recorded exactly', () => {
    const tracer = new ReadTracer<Value>({ call: () => 1 });
    const trace = new ReadTrace();
    tracer.during(trace, () => tracer.view.call);
    expect(trace.observations()).toBeUndefined();
  });

  it('records into every open trace, and reads outside any into the unattributed one', () => {
    const tracer = new ReadTracer(base());
    const outer = new ReadTrace();
    const inner = new ReadTrace();
    tracer.during(outer, () => {
      void tracer.view.name;
      tracer.during(inner, () => tracer.view.replicas);
    });
    void tracer.view.labels;
    const keys = (trace: ReadTrace) => (trace.observations() ?? []).map(([, path, key]) => [...path, key].join('.'));
    expect(keys(outer)).toEqual(['name', 'replicas']);
    expect(keys(inner)).toEqual(['replicas']);
    expect(keys(tracer.unattributed)).toEqual(['labels']);
  });

  it('does not hold when a path it read through is gone', () => {
    const observations = observe((value) => federation(value).enabled);
    expect(
      observationsHold(
        observations,
        edited((value) => delete value.federation),
      ),
    ).toBe(false);
    expect(
      observationsHold(
        observations,
        edited((value) => (value.federation = 'off')),
      ),
    ).toBe(false);
  });
});
