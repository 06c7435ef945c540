/**
 * Reads synthesized stacks from disk: cdktf's `stacks/<name>/cdk.tf.json`, or any `*.tf.json`
 * below a directory, within the input limits every command applies to untrusted files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseError, parseJson } from '../config/bounded-parse';
import { INPUT_LIMITS, InputFileError, readRegularFile, regularFileSize, systemReason } from '../config/input-files';
import type { SynthesizedStack, TerraformJson } from './terraform-json';

/** Directory entries one audit looks at, at most (auditing `/` by mistake ends quickly). */
const MAX_ENTRIES = 100_000;

/**
 * Reads every `cdk.tf.json` (or `*.tf.json`) below a directory, named by its folder (or file),
 * within INPUT_LIMITS (files, bytes per file, bytes in all, nesting): InputFileError otherwise.
 * Symbolic links to directories are not followed; a linked file is read only if it is a regular file.
 */
export function readSynthesizedStacks(directory: string): SynthesizedStack[] {
  const files: { name: string; file: string }[] = [];
  let entries = 0;
  const visit = (current: string) => {
    let listing: fs.Dirent[];
    try {
      listing = fs.readdirSync(current, { withFileTypes: true });
    } catch (error) {
      throw new InputFileError(current, `cannot list the directory: ${systemReason(error)}`);
    }
    entries += listing.length;
    if (entries > MAX_ENTRIES)
      throw new InputFileError(directory, `holds more than ${MAX_ENTRIES} entries: not a directory of synthesized stacks`);
    for (const entry of listing.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.terraform' && entry.name !== 'node_modules') visit(full);
      } else if (entry.name.endsWith('.tf.json')) {
        files.push({ name: entry.name === 'cdk.tf.json' ? path.basename(current) : entry.name.replace(/\.tf\.json$/, ''), file: full });
        if (files.length > INPUT_LIMITS.auditFiles)
          throw new InputFileError(directory, `holds more than ${INPUT_LIMITS.auditFiles} Terraform JSON files`);
      }
    }
  };
  visit(directory);
  // Sizes first, so an oversized input is refused before any of it is read.
  let total = 0;
  for (const { file } of files) {
    const size = regularFileSize(file);
    if (typeof size === 'string') throw new InputFileError(file, `the Terraform JSON ${size}`);
    total += size;
  }
  if (total > INPUT_LIMITS.auditTotalBytes)
    throw new InputFileError(
      directory,
      `its Terraform JSON files hold ${total} bytes, more than the limit of ${INPUT_LIMITS.auditTotalBytes / 1024 / 1024} MiB for one audit`,
    );
  return files.map(({ name, file }) => ({ name, json: readTerraformJson(file), source: file }));
}

/** One Terraform JSON file: a regular file within the limits holding a JSON object. */
export function readTerraformJson(file: string): TerraformJson {
  const text = readRegularFile(file, INPUT_LIMITS.auditFileBytes, 'Terraform JSON');
  let parsed: unknown;
  try {
    parsed = parseJson(text);
  } catch (error) {
    if (error instanceof ParseError) throw new InputFileError(file, `the Terraform JSON is ${error.message}`);
    throw error;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InputFileError(file, 'the Terraform JSON is not a JSON object');
  return parsed as TerraformJson;
}
