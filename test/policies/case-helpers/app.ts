/** Mutations shared by the APP case tables (policies/rules/app/*.cases.ts). */
import type { BadCase } from '../case-table';
import type { Mutation } from '../fixtures';
import { editSynapseText, setSynapse, synapseConfigFile, workerConfigFile } from './common';

/** A case on homeserver.yaml: `path` set to `value` (undefined deletes it). */
export function fires(name: string, path: string, value: Parameters<typeof setSynapse>[1], message: BadCase['message']): BadCase {
  return { name, mutate: setSynapse(path, value), address: synapseConfigFile, message };
}

/** The same, for the worker file (worker.yaml, loaded over homeserver.yaml). */
export function firesInWorker(name: string, path: string, value: Parameters<typeof setSynapse>[1], message: BadCase['message']): BadCase {
  return { name, mutate: setSynapse(path, value, 'worker.yaml'), address: workerConfigFile, message };
}

/** Replaces one rendered line of homeserver.yaml (raw YAML 1.1 text). */
export function rawLine(from: string, to: string): Mutation {
  return editSynapseText((text) => {
    if (!text.includes(from)) throw new Error(`homeserver.yaml has no line ${JSON.stringify(from)}`);
    return text.replace(from, to);
  });
}
