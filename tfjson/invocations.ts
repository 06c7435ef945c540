/**
 * Which programs a container starts, read from its command and args: the program itself (past
 * `exec`, `tini`, `docker-entrypoint.sh` and the like), and each command of a `sh -c` script.
 * Enough to find a server process and its flags; not a shell.
 */
import { strings, type JsonObject } from './terraform-json';
import { cachedView } from './view-cache';

export interface Invocation {
  /** Basename of the program (`/opt/bitnami/openldap/sbin/slapd` -> `slapd`). */
  readonly program: string;
  readonly args: readonly string[];
}

const WRAPPERS = ['exec', 'tini', 'dumb-init', 'docker-entrypoint.sh', '--'];
const SHELLS = ['sh', 'bash', 'ash', 'dash', 'zsh'];
const SEPARATORS = [';', '&&', '||', '|', '&'];

export function basename(word: string): string {
  return word.split('/').pop() ?? word;
}

function unwrap(words: readonly string[]): Invocation | undefined {
  let index = 0;
  while (index < words.length && WRAPPERS.includes(basename(words[index] ?? ''))) index += 1;
  const program = words[index];
  return program === undefined ? undefined : { program: basename(program), args: words.slice(index + 1) };
}

/** The commands of a shell script: words split on whitespace and quotes, commands on ; && || | & and newlines. */
function scriptCommands(script: string): string[][] {
  const commands: string[][] = [[]];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  const endWord = () => {
    if (inWord) commands[commands.length - 1]?.push(word);
    word = '';
    inWord = false;
  };
  for (let index = 0; index < script.length; index += 1) {
    const character = script[index] ?? '';
    if (quote) {
      if (character === quote) quote = undefined;
      else word += character;
    } else if (character === '"' || character === "'") {
      quote = character;
      inWord = true;
    } else if (character === '\\' && index + 1 < script.length) {
      word += script[index + 1] ?? '';
      inWord = true;
      index += 1;
    } else if (character === '\n' || SEPARATORS.some((separator) => script.startsWith(separator, index))) {
      endWord();
      commands.push([]);
      const separator = SEPARATORS.find((candidate) => script.startsWith(candidate, index));
      if (separator) index += separator.length - 1;
    } else if (/\s/.test(character)) endWord();
    else {
      word += character;
      inWord = true;
    }
  }
  endWord();
  return commands.filter((command) => command.length > 0);
}

/** A container's argv as written: command, then args. */
export function argv(container: JsonObject): string[] {
  return [...strings(container.command), ...strings(container.args)];
}

/** The programs a container runs: its argv, and the commands of a `sh -c` script. Empty without command and args (the image's own entrypoint). */
export const invocations = cachedView('container', function invocations(container: JsonObject): readonly Invocation[] {
  const direct = unwrap(argv(container));
  if (!direct) return [];
  if (!SHELLS.includes(direct.program)) return [direct];
  const flag = direct.args.findIndex((word) => /^-[a-z]*c[a-z]*$/.test(word));
  const script = flag < 0 ? undefined : direct.args[flag + 1];
  if (script === undefined) return [direct];
  return [direct, ...scriptCommands(script).flatMap((command) => unwrap(command) ?? [])];
});
