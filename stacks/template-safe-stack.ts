/**
 * The one place where literal text becomes Terraform templates: every stack of the deployment
 * extends `TemplateSafeStack`, whose JSON (the object the policy packs audit and cdktf writes)
 * has `${` and `%{` of literal text escaped as `$${` and `%%{`, so no value (a shell script, a
 * config value, a label) can interpolate, call a function or run a directive at plan time.
 * cdktf's own tokens (references to resources) are left as they are: the escaping runs on each
 * element's configuration before cdktf resolves its tokens, where literal text and tokens are
 * still apart. `Fn.rawString` is no substitute: it quotes a value for use inside a function call
 * (and turns newlines into `\n`), and leaves `%{` alone.
 */
import { TerraformElement, TerraformStack, type IResolvable, type IResolveContext } from 'cdktf';
import type { IConstruct } from 'constructs';
import { undeclaredReferences } from '../tfjson/references';
import { mapTemplateStrings } from '../tfjson/template-positions';
import type { TerraformJson } from '../tfjson/terraform-json';
import { escapeTemplateText } from '../tfjson/terraform-template';

/** cdktf's marker for a string token (`${TfToken[TOKEN.12]}`), left in place: it resolves to a reference. */
const STRING_TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

/** Escapes the literal text of an unresolved string, keeping cdktf's token markers. */
export function escapeLiteralText(text: string): string {
  let result = '';
  let start = 0;
  for (const match of text.matchAll(STRING_TOKEN)) {
    result += escapeTemplateText(text.slice(start, match.index)) + match[0];
    start = match.index + match[0].length;
  }
  return result + escapeTemplateText(text.slice(start));
}

/**
 * An element's escaped configuration, resolved with `ignoreEscapes`: cdktf would otherwise
 * read a literal `${` in a string that also holds a token as a hand-written expression and drop
 * the braces of the token that follows it.
 */
class EscapedConfiguration implements IResolvable {
  readonly creationStack: string[] = [];

  constructor(private readonly configuration: unknown) {}

  resolve(context: IResolveContext): unknown {
    context.ignoreEscapes = true;
    return this.configuration;
  }

  toString(): string {
    return 'EscapedConfiguration';
  }
}

/** The elements cdktf writes into this stack's JSON (its own, not those of nested stacks). */
function elementsOf(stack: TerraformStack): TerraformElement[] {
  const found: TerraformElement[] = [];
  const visit = (node: IConstruct) => {
    if (TerraformElement.isTerraformElement(node)) found.push(node);
    for (const child of node.node.children) if (!TerraformStack.isStack(child)) visit(child);
  };
  visit(stack);
  return found;
}

export class TemplateSafeStack extends TerraformStack {
  /**
   * cdktf prepares a stack by resolving every element once, only to turn references to another
   * stack's resources into lookups of that stack's state. The deployment's stacks share nothing
   * but their order, so the pass is skipped (about 7% of a synthesis's CPU); a reference to
   * anything a stack does not declare is refused when the stack is resolved (toTerraform).
   */
  override prepareStack(): void {
    this.ensureBackendExists();
  }

  /**
   * cdktf's JSON of this stack with every literal string escaped. Each element's own
   * `toTerraform` is shadowed for the duration of the call only, so cdktf's preparation and
   * any other reader see the elements unchanged.
   */
  override toTerraform(): { [key: string]: unknown } {
    const shadowed = elementsOf(this).map((element) => {
      const descriptor = Object.getOwnPropertyDescriptor(element, 'toTerraform');
      const configuration = element.toTerraform.bind(element);
      const escaped = (): IResolvable => new EscapedConfiguration(mapTemplateStrings(configuration(), escapeLiteralText));
      Object.defineProperty(element, 'toTerraform', { value: escaped, configurable: true, writable: true });
      return { element, descriptor };
    });
    try {
      const json = super.toTerraform() as TerraformJson;
      const undeclared = undeclaredReferences(json);
      if (undeclared.length > 0)
        throw new Error(
          `${this.node.path} refers to what it does not declare (${undeclared.join(', ')}): each stack must declare what it references`,
        );
      return json;
    } finally {
      for (const { element, descriptor } of shadowed) {
        if (descriptor) Object.defineProperty(element, 'toTerraform', descriptor);
        else Reflect.deleteProperty(element, 'toTerraform');
      }
    }
  }
}
