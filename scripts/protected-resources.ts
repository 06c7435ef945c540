/**
 * Lists what an ordinary destroy refuses to delete (resources with `lifecycle.prevent_destroy`)
 * in a synth output, as the `tofu state rm` commands that release them, one per line. Used when
 * a deployment is retired on purpose (docs/operations.md, "Retiring a deployment"); it changes nothing itself.
 *
 * Usage: npm run protected -- [cdktf.out]
 * Exit codes: 0 listed, 2 bad usage or unreadable input.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { protectedResources } from '../tfjson/protected-resources';
import { readSynthesizedStacks } from '../tfjson/read-stacks';
import type { Output } from './audit';

const STANDARD_OUTPUT: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** A shell word: addresses are [A-Za-z0-9_.-] here, quoted all the same. */
function quoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function runProtectedResources(args: readonly string[], io: Output = STANDARD_OUTPUT): number {
  if (args.length > 1) {
    io.err('usage: npm run protected -- [cdktf.out]\n');
    return 2;
  }
  const outdir = args[0] ?? 'cdktf.out';
  const stacksDirectory = path.join(outdir, 'stacks');
  if (!fs.existsSync(stacksDirectory) || !fs.statSync(stacksDirectory).isDirectory()) {
    io.err(`${outdir}: no stacks/ directory (run npm run synth first)\n`);
    return 2;
  }
  let stacks;
  try {
    stacks = readSynthesizedStacks(stacksDirectory);
  } catch (error) {
    io.err(`${outdir}: cannot read Terraform JSON: ${(error as Error).message}\n`);
    return 2;
  }
  for (const { stack, address } of protectedResources(stacks))
    io.out(`tofu -chdir=${quoted(path.join(stacksDirectory, stack))} state rm ${quoted(address)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = runProtectedResources(process.argv.slice(2));
