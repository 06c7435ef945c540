/**
 * The security deltas are differences between sets of facts: (subject, setting) -> value,
 * e.g. (`Service agency-gateway/haproxy`, `type`) -> `ClusterIP`. Each extractor reads one
 * concern out of the synthesized stacks; one comparison serves them all.
 */

export interface Fact {
  /** What the setting belongs to: `Deployment agency-gateway/haproxy`, `HelmRelease ...`. */
  readonly subject: string;
  readonly setting: string;
  readonly value: string;
}

export interface FactChange {
  readonly subject: string;
  readonly setting: string;
  /** Absent when the setting is new. */
  readonly before?: string;
  /** Absent when the setting is gone. */
  readonly after?: string;
}

const keyOf = (fact: { readonly subject: string; readonly setting: string }) => `${fact.subject}\0${fact.setting}`;

/** Added, removed and changed facts, sorted by subject then setting. A repeated key keeps every value, joined. */
export function diffFacts(before: readonly Fact[], after: readonly Fact[]): FactChange[] {
  const index = (facts: readonly Fact[]) => {
    const map = new Map<string, Fact>();
    for (const fact of facts) {
      const existing = map.get(keyOf(fact));
      map.set(keyOf(fact), existing && existing.value !== fact.value ? { ...fact, value: `${existing.value}; ${fact.value}` } : fact);
    }
    return map;
  };
  const old = index(before);
  const current = index(after);
  const changes: FactChange[] = [];
  for (const key of new Set([...old.keys(), ...current.keys()])) {
    const was = old.get(key);
    const is = current.get(key);
    if (was && is && was.value === is.value) continue;
    const fact = (is ?? was) as Fact;
    changes.push({
      subject: fact.subject,
      setting: fact.setting,
      ...(was ? { before: was.value } : {}),
      ...(is ? { after: is.value } : {}),
    });
  }
  return changes.sort((a, b) => a.subject.localeCompare(b.subject) || a.setting.localeCompare(b.setting));
}

/** A JSON value as one line for a fact (strings bare, everything else as JSON). */
export function factValue(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

/** Flattens a value into dotted settings: objects by key, lists by index; leaves and scalar lists as values. */
export function flattenSettings(value: unknown, prefix: string, into: (setting: string, value: string) => void): void {
  if (Array.isArray(value) && value.some((item) => typeof item === 'object' && item !== null)) {
    value.forEach((item, index) => flattenSettings(item, `${prefix}[${index}]`, into));
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) into(prefix, '{}');
    for (const [key, child] of entries) flattenSettings(child, prefix ? `${prefix}.${key}` : key, into);
  } else into(prefix, factValue(value));
}
