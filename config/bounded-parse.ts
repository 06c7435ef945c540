/**
 * JSON and YAML read from untrusted text with the limits that keep a small input from costing
 * unbounded time, memory or stack: a nesting depth (checked while scanning, before anything
 * recursive runs) and, for YAML, a cap on alias expansion (the "billion laughs"). Syntax errors
 * are reported by position only: a message never repeats the text, which may hold a secret.
 */
import {
  Composer,
  Lexer,
  Parser,
  parseAllDocuments,
  parseDocument,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';
import { printable } from './printable';

/** Deepest nesting of mappings/sequences accepted in any JSON or YAML input (README, "Limits"). */
export const MAX_NESTING = 128;
/** Alias expansions allowed in one YAML document (yaml's own measure; its default). */
export const MAX_YAML_ALIASES = 100;

export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}

function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let index = text.indexOf('\n'); index >= 0 && index < offset; index = text.indexOf('\n', index + 1)) {
    line += 1;
    start = index + 1;
  }
  return `line ${line}, column ${offset - start + 1}`;
}

/** Where JSON nests deeper than `max` (a scan that skips strings), or undefined. */
function jsonTooDeepAt(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index += 1;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > max) return index;
    } else if (code === 0x7d || code === 0x5d) depth -= 1;
  }
  return undefined;
}

/** JSON.parse with a nesting limit; errors name the position, never the text. */
export function parseJson(text: string, max: number = MAX_NESTING): unknown {
  const deep = jsonTooDeepAt(text, max);
  if (deep !== undefined) throw new ParseError(`nested deeper than ${max} levels (at ${lineAndColumn(text, deep)})`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const position = /at position ([0-9]+)/.exec((error as Error).message)?.[1];
    const where =
      position !== undefined
        ? ` at ${lineAndColumn(text, Number(position))}`
        : /end of JSON input/.test((error as Error).message)
          ? ' (it ends too early)'
          : '';
    throw new ParseError(`not valid JSON${where}`);
  }
}

/**
 * The parser's tokens of `text`, or undefined when YAML nests deeper than `max`: the parser's own
 * stack, watched token by token (stops early). The tokens are composed into documents without
 * lexing the text a second time.
 */
function yamlTokens(text: string, max: number): ReturnType<Parser['end']> extends Generator<infer T> ? T[] | undefined : never {
  const parser = new Parser();
  const tokens: ReturnType<Parser['end']> extends Generator<infer T> ? T[] : never = [];
  // The parser's stack holds the document and the open collections (plus one for the node being read).
  const limit = max + 2;
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > limit) return undefined;
  }
  for (const token of parser.end()) tokens.push(token);
  return tokens;
}

type YamlOptions = ParseOptions & DocumentOptions & SchemaOptions;

/** A YAML error's first line, with the position it names and without the source excerpt yaml appends. */
function yamlMessage(error: { message: string }): string {
  return printable((error.message.split('\n')[0] ?? error.message).replace(/:$/, ''));
}

function checkedDocument(document: Document.Parsed, maxAliases: number): unknown {
  const [error] = document.errors;
  if (error) throw new ParseError(yamlMessage(error));
  try {
    return document.toJS({ maxAliasCount: maxAliases });
  } catch (failure) {
    if (failure instanceof ReferenceError && /alias/i.test(failure.message))
      throw new ParseError(`aliases expand to too much data (more than ${maxAliases} alias expansions allowed)`);
    if (failure instanceof ReferenceError) throw new ParseError(printable(failure.message));
    throw failure;
  }
}

/** One YAML document as plain data, with the nesting and alias limits; ParseError on any problem. */
export function parseYaml(text: string, options: YamlOptions = {}, limits: { maxNesting?: number; maxAliases?: number } = {}): unknown {
  const maxNesting = limits.maxNesting ?? MAX_NESTING;
  const tokens = yamlTokens(text, maxNesting);
  if (!tokens) throw new ParseError(`nested deeper than ${maxNesting} levels`);
  const documentOptions = { ...options, prettyErrors: true };
  const documents = [...new Composer(documentOptions).compose(tokens, true, text.length)];
  const [document] = documents;
  // Anything but one clean document: yaml's own entry point, which words the errors with their positions.
  const clean = documents.length === 1 && document?.errors.length === 0 ? document : parseDocument(text, documentOptions);
  return checkedDocument(clean, limits.maxAliases ?? MAX_YAML_ALIASES);
}

/** The first document of a YAML stream (what Helm reads of a values string), or undefined when empty. */
export function parseFirstYamlDocument(
  text: string,
  options: YamlOptions = {},
  limits: { maxNesting?: number; maxAliases?: number } = {},
): unknown {
  const maxNesting = limits.maxNesting ?? MAX_NESTING;
  const tokens = yamlTokens(text, maxNesting);
  if (!tokens) throw new ParseError(`nested deeper than ${maxNesting} levels`);
  const documentOptions = { ...options, prettyErrors: true };
  const [first] = new Composer(documentOptions).compose(tokens);
  if (!first) return undefined;
  if (first.errors.length === 0) return checkedDocument(first, limits.maxAliases ?? MAX_YAML_ALIASES);
  // An error: yaml's own entry point, which words it with its position.
  const [document] = parseAllDocuments(text, documentOptions);
  if (!document || !('errors' in document)) return undefined;
  return checkedDocument(document, limits.maxAliases ?? MAX_YAML_ALIASES);
}
