// Local ESLint rule: shipped code keeps no module-level mutable state. State lives in objects with an
// owner and a lifetime (the registry, the service, a tree node, a panel), so a second activation, a
// test, or two windows never share it by accident. Deliberately syntactic: at the top level of a
// module it reports `let`/`var`, and a `const` bound to a `new` container or class instance
// (`new Map()`, `new SentLedger()`), which is mutable whatever its binding, or to an empty `[]`/`{}`
// (only ever filled later); and a class's `static` fields unless `readonly` and not a container
// (a static is module state by another name). Constant tables (non-empty object and array literals,
// a Set or Map built from a literal list) and functions are fine. The webview's own page code
// (src/webview/ui) is one page per webview and keeps its state in the page, so it is not covered.

const ALLOWED_NEW = new Set(['RegExp', 'URL', 'TextDecoder', 'TextEncoder', 'Intl']);

function newName(init) {
  if (!init || init.type !== 'NewExpression') return undefined;
  const c = init.callee;
  if (c.type === 'Identifier') return c.name;
  if (c.type === 'MemberExpression' && !c.computed && c.property.type === 'Identifier') return c.property.name;
  return '(expression)';
}

function isEmptyLiteral(node) {
  return !!node && ((node.type === 'ArrayExpression' && node.elements.length === 0) || (node.type === 'ObjectExpression' && node.properties.length === 0));
}

/** `[] as const`, or typed read-only (`readonly string[]`, `Readonly<…>`): a constant, not a bucket. */
function isFrozen(init, ann) {
  const asConst = init?.type === 'TSAsExpression' && init.typeAnnotation.type === 'TSTypeReference' && init.typeAnnotation.typeName.type === 'Identifier' && init.typeAnnotation.typeName.name === 'const';
  const readonlyType = ann?.type === 'TSTypeOperator' || (ann?.type === 'TSTypeReference' && ann.typeName.type === 'Identifier' && /^Readonly/.test(ann.typeName.name));
  return asConst || readonlyType;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'No module-level mutable state in shipped code' },
    schema: [],
  },
  create(context) {
    function checkDeclaration(decl) {
      if (decl.kind === 'let' || decl.kind === 'var') {
        context.report({ node: decl, message: `Module-level \`${decl.kind}\` is shared mutable state: keep it in an object with an owner (registry, service, node, panel).` });
        return;
      }
      for (const d of decl.declarations) {
        const init = d.init && (d.init.type === 'TSAsExpression' || d.init.type === 'TSSatisfiesExpression') ? d.init.expression : d.init;
        const name = newName(init);
        // A Set or Map built from a literal list is a constant table (read, never changed).
        const table = (name === 'Set' || name === 'Map') && init.arguments[0]?.type === 'ArrayExpression' && init.arguments[0].elements.length > 0;
        // Or one declared read-only: `const KNOWN: ReadonlySet<string> = new Set(list)`.
        const ann = d.id.typeAnnotation?.typeAnnotation;
        const readonly = ann?.type === 'TSTypeReference' && ann.typeName.type === 'Identifier' && /^Readonly(Set|Map)$/.test(ann.typeName.name);
        if (name && !ALLOWED_NEW.has(name) && !table && !readonly) {
          context.report({ node: d, message: `Module-level \`new ${name}(…)\` is shared mutable state: create it in the object that owns it (registry, service, node, panel).` });
        }
        if (isEmptyLiteral(init) && !isFrozen(d.init, ann)) {
          context.report({ node: d, message: 'A module-level empty literal is filled later: shared mutable state. Keep it in the object that owns it.' });
        }
      }
    }
    function checkStatic(prop) {
      if (!prop.static) return;
      // A class declared inside a function is made anew per call: its statics are not module state.
      const ancestors = context.sourceCode?.getAncestors ? context.sourceCode.getAncestors(prop) : context.getAncestors();
      if (ancestors.some((a) => /Function/.test(a.type))) return;
      const value = prop.value && (prop.value.type === 'TSAsExpression' || prop.value.type === 'TSSatisfiesExpression' ? prop.value.expression : prop.value);
      const ann = prop.typeAnnotation?.typeAnnotation;
      const container = newName(value);
      const table = (container === 'Set' || container === 'Map') && value.arguments[0]?.type === 'ArrayExpression' && value.arguments[0].elements.length > 0;
      const readonlyType = ann?.type === 'TSTypeReference' && ann.typeName.type === 'Identifier' && /^Readonly(Set|Map)$/.test(ann.typeName.name);
      if (!prop.readonly) context.report({ node: prop, message: 'A mutable `static` field is module-level state: make it `readonly`, or an instance field of the object that owns it.' });
      else if (container && !ALLOWED_NEW.has(container) && !table && !readonlyType) {
        context.report({ node: prop, message: `A \`static\` \`new ${container}(…)\` is shared mutable state: make it an instance field of the object that owns it.` });
      } else if (isEmptyLiteral(value) && !isFrozen(prop.value, ann)) {
        context.report({ node: prop, message: 'A `static` empty literal is filled later: shared mutable state. Keep it in the object that owns it.' });
      }
    }
    return {
      'Program > VariableDeclaration': checkDeclaration,
      'Program > ExportNamedDeclaration > VariableDeclaration': checkDeclaration,
      PropertyDefinition: checkStatic,
    };
  },
};
