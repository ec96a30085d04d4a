// Local ESLint rule: text shown by VS Code (messages, quick-pick items, tree items, panel titles,
// status bar, Markdown) must be a literal or come out of a display function from src/model/display
// (`forNotification`, `forQuickPickLabel`, … , `markHidden`). Anything else — a template literal
// with an unchecked expression, a concatenation, a parameter — may carry engine text that turns into
// a link, an icon or a bidi spoof. Deliberately syntactic: it follows `const` bindings and same-file
// functions a few levels deep, and otherwise asks for the display function at the call site.

const DISPLAY_FN = /^(for[A-Z]\w*|markHidden)$/;
const SHOW_MESSAGE = /^show(Information|Warning|Error)Message$/;
const ITEM_PROPS = new Set(['label', 'description', 'detail']);
const ASSIGNED_PROPS = new Set(['label', 'description', 'title', 'text', 'tooltip']);
const MAX_DEPTH = 4;

function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') return callee.property.name;
  return undefined;
}

function propName(p) {
  if (p.type !== 'Property' || p.computed) return undefined;
  return p.key.type === 'Identifier' ? p.key.name : p.key.type === 'Literal' ? String(p.key.value) : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Untrusted text reaches VS Code UI only through src/model/display' },
    schema: [],
    messages: {
      unsafe: '{{what}} is built from text that did not pass through a display function (src/model/display: forNotification, forQuickPickLabel, forTreeLabel, forMarkdown, …).',
    },
  },
  create(context) {
    const sourceCode = context.sourceCode;
    const functions = new Map();

    /** Same-file functions and methods by name, for following `this.title(…)` or `tooltip(…)`. */
    function collect(node) {
      if (node.type === 'FunctionDeclaration' && node.id) functions.set(node.id.name, node);
      if (node.type === 'MethodDefinition' && node.key.type === 'Identifier') functions.set(node.key.name, node.value);
    }

    function returnsSafe(fn, depth) {
      if (fn.body.type !== 'BlockStatement') return isSafe(fn.body, depth + 1);
      const returns = [];
      const walk = (n) => {
        if (!n || typeof n.type !== 'string') return;
        if (n !== fn.body && /Function/.test(n.type)) return;
        if (n.type === 'ReturnStatement') returns.push(n.argument);
        for (const key of Object.keys(n)) {
          if (key === 'parent') continue;
          const v = n[key];
          if (Array.isArray(v)) v.forEach(walk);
          else if (v && typeof v.type === 'string') walk(v);
        }
      };
      walk(fn.body);
      return returns.length > 0 && returns.every((r) => r && isSafe(r, depth + 1));
    }

    function constInit(id) {
      let scope = sourceCode.getScope(id);
      while (scope) {
        const v = scope.set.get(id.name);
        if (v) {
          const def = v.defs[0];
          if (def?.type === 'Variable' && def.parent.kind === 'const' && def.node.init && def.node.id.type === 'Identifier') return def.node.init;
          return undefined;
        }
        scope = scope.upper;
      }
      return undefined;
    }

    function isSafe(node, depth = 0) {
      if (!node || depth > MAX_DEPTH) return false;
      switch (node.type) {
        case 'Literal':
          return true;
        case 'TemplateLiteral':
          return node.expressions.every((e) => isSafe(e, depth));
        case 'ConditionalExpression':
          return isSafe(node.consequent, depth) && isSafe(node.alternate, depth);
        case 'LogicalExpression':
          // `a && b` shows `a` only when it is falsy (nothing to read).
          return (node.operator === '&&' || isSafe(node.left, depth)) && isSafe(node.right, depth);
        case 'MemberExpression':
          // A lookup in a module constant table (STATUS_LABELS[s], VERB[action]) is the extension's own text.
          return node.object.type === 'Identifier' && /^[A-Z][A-Z0-9_]*$/.test(node.object.name);
        case 'BinaryExpression':
          return node.operator === '+' && isSafe(node.left, depth) && isSafe(node.right, depth);
        case 'TSAsExpression':
        case 'TSNonNullExpression':
          return isSafe(node.expression, depth);
        case 'AwaitExpression':
          return isSafe(node.argument, depth);
        case 'Identifier': {
          if (node.name === 'undefined') return true;
          const init = constInit(node);
          return !!init && isSafe(init, depth + 1);
        }
        case 'NewExpression':
          // A MarkdownString is checked where its text is appended; a ThemeIcon or Uri is no text.
          return node.arguments.length === 0 || ['MarkdownString'].includes(calleeName(node.callee)) && (node.arguments.length === 0 || isSafe(node.arguments[0], depth));
        case 'CallExpression': {
          const name = calleeName(node.callee);
          if (name && DISPLAY_FN.test(name)) return true;
          const local = name && (node.callee.type === 'Identifier' || node.callee.object?.type === 'ThisExpression') ? functions.get(name) : undefined;
          return !!local && returnsSafe(local, depth);
        }
        default:
          return false;
      }
    }

    function check(node, what) {
      if (node && node.type !== 'SpreadElement' && !isSafe(node)) context.report({ node, messageId: 'unsafe', data: { what } });
    }

    /** Quick-pick item literals anywhere inside an items expression (arrays, `.map` callbacks). */
    function checkItems(root) {
      const walk = (n) => {
        if (!n || typeof n.type !== 'string') return;
        if (n.type === 'ObjectExpression') {
          for (const p of n.properties) {
            const name = propName(p);
            if (name && ITEM_PROPS.has(name)) check(p.value, `A quick-pick item ${name}`);
          }
        }
        for (const key of Object.keys(n)) {
          if (key === 'parent') continue;
          const v = n[key];
          if (Array.isArray(v)) v.forEach(walk);
          else if (v && typeof v.type === 'string') walk(v);
        }
      };
      walk(root);
    }

    function checkOptions(obj, props, what) {
      if (obj?.type !== 'ObjectExpression') return;
      for (const p of obj.properties) {
        const name = propName(p);
        if (name && props.includes(name)) check(p.value, `${what} ${name}`);
      }
    }

    return {
      Program(program) {
        // Functions first, so a call before its definition is still followed.
        const walk = (n) => {
          if (!n || typeof n.type !== 'string') return;
          collect(n);
          for (const key of Object.keys(n)) {
            if (key === 'parent') continue;
            const v = n[key];
            if (Array.isArray(v)) v.forEach(walk);
            else if (v && typeof v.type === 'string') walk(v);
          }
        };
        walk(program);
      },
      CallExpression(node) {
        const name = calleeName(node.callee);
        if (!name) return;
        if (SHOW_MESSAGE.test(name)) {
          check(node.arguments[0], `The ${name} text`);
          checkOptions(node.arguments[1], ['detail'], `The ${name}`);
        } else if (name === 'showQuickPick') {
          checkItems(node.arguments[0]);
          checkOptions(node.arguments[1], ['title', 'placeHolder'], 'The quick pick');
        } else if (name === 'pick' && (node.arguments[0]?.type === 'ObjectExpression' || calleeName(node.callee.object ?? {}) === 'steps' || node.callee.object?.name === 'steps')) {
          // QuickSteps.pick (src/commands/steps.ts) shows its title, placeholder and items like
          // showQuickPick; its step must be written out at the call, where the rule can read it.
          const step = node.arguments[0];
          if (step?.type !== 'ObjectExpression') {
            context.report({ node, messageId: 'unsafe', data: { what: 'A steps.pick() step that is not an object literal' } });
            return;
          }
          checkOptions(step, ['title', 'placeholder'], 'The quick pick');
          for (const p of step.properties) if (propName(p) === 'items') checkItems(p.value);
        } else if (name === 'push' && node.callee.type === 'MemberExpression' && node.callee.object.type === 'Identifier' && /items$/i.test(node.callee.object.name)) {
          node.arguments.forEach(checkItems);
        } else if (name === 'createWebviewPanel') {
          check(node.arguments[1], 'A panel title');
        } else if (name === 'appendMarkdown') {
          check(node.arguments[0], 'Markdown text');
        } else if (name === 'setStatusBarMessage') {
          check(node.arguments[0], 'A status bar message');
        } else if (name === 'withProgress') {
          checkOptions(node.arguments[0], ['title'], 'The progress');
        } else if (name === 'showInputBox') {
          checkOptions(node.arguments[0], ['title', 'prompt', 'placeHolder'], 'The input box');
        }
      },
      NewExpression(node) {
        const name = calleeName(node.callee);
        if (name === 'TreeItem') check(node.arguments[0], 'A tree item label');
        if (name === 'MarkdownString' && node.arguments[0]) check(node.arguments[0], 'Markdown text');
      },
      AssignmentExpression(node) {
        const left = node.left;
        if (left.type !== 'MemberExpression' || left.computed || left.property.type !== 'Identifier') return;
        const prop = left.property.name;
        if (ASSIGNED_PROPS.has(prop)) check(node.right, `The ${prop}`);
        else if (prop === 'items') checkItems(node.right);
      },
    };
  },
};
