/**
 * What a pod finds in a delivered Secret: random values shaped like External Secrets'
 * Password generator output (letters and digits, the declared length), passed through the
 * declaration's file templates by ESO's own template engine.
 */
import { randomInt } from 'node:crypto';
import type { SecretDeclaration } from '../../model/secrets';
import { renderExternalSecretTemplates } from './eso-template';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function alphanumeric(length: number): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
}

/** Values as OpenBao would hold them: generated ones random, provided ones from `provided` (or random). */
export function valuesFor(declaration: SecretDeclaration, provided: Readonly<Record<string, string>> = {}): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declaration.source.values)) {
    values[name] = provided[name] ?? (typeof spec === 'string' ? alphanumeric(32) : alphanumeric(spec.length));
  }
  return values;
}

/** The files of the Kubernetes Secret External Secrets would write for these values. */
export function deliveredFiles(declaration: SecretDeclaration, values: Readonly<Record<string, string>>): Record<string, string> {
  return renderExternalSecretTemplates(
    Object.fromEntries(Object.entries(declaration.files).map(([file, spec]) => [file, spec.template])),
    values,
  );
}
