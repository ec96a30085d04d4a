// Local ESLint rule: in a command, a modal message or a save dialog goes through the run's quick
// steps (`ctx.steps.dialog(() => …)`), which closes the last step first. An accepted step stays up,
// busy, until the next quick input replaces it (src/commands/steps.ts); a dialog is not a quick
// input, so without this the busy picker was left behind the dialog, and after it (a review found
// four). The open dialog is left out on purpose: in the browser it is itself a quick input that
// replaces the step without a hide (createFromFile closes the steps after it).

const MESSAGES = new Set(['showWarningMessage', 'showInformationMessage', 'showErrorMessage']);

/** `vscode.window.<name>(…)` or `window.<name>(…)`: the method's name, else undefined. */
function windowMethod(call) {
  const c = call.callee;
  if (c.type !== 'MemberExpression' || c.computed || c.property.type !== 'Identifier') return undefined;
  const o = c.object;
  const isWindow = (o.type === 'Identifier' && o.name === 'window') || (o.type === 'MemberExpression' && !o.computed && o.property.type === 'Identifier' && o.property.name === 'window');
  return isWindow ? c.property.name : undefined;
}

function isModal(call) {
  return call.arguments.some((a) => a.type === 'ObjectExpression' && a.properties.some((p) => p.type === 'Property' && !p.computed && p.key.type === 'Identifier' && p.key.name === 'modal' && p.value.type === 'Literal' && p.value.value === true));
}

/** Inside a function passed straight to `<…>.steps.dialog(…)` (or `steps.dialog(…)`)? */
function insideStepsDialog(node) {
  for (let n = node.parent; n; n = n.parent) {
    if ((n.type === 'ArrowFunctionExpression' || n.type === 'FunctionExpression') && n.parent?.type === 'CallExpression' && n.parent.arguments.includes(n)) {
      const c = n.parent.callee;
      if (c.type === 'MemberExpression' && !c.computed && c.property.type === 'Identifier' && c.property.name === 'dialog') {
        const o = c.object;
        if ((o.type === 'Identifier' && o.name === 'steps') || (o.type === 'MemberExpression' && !o.computed && o.property.type === 'Identifier' && o.property.name === 'steps')) return true;
      }
      return false;
    }
  }
  return false;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: "A command's modal messages and save dialogs go through ctx.steps.dialog()" },
    schema: [],
  },
  create(context) {
    return {
      CallExpression(node) {
        const name = windowMethod(node);
        if (!name) return;
        const dialog = name === 'showSaveDialog' || (MESSAGES.has(name) && isModal(node));
        if (!dialog || insideStepsDialog(node)) return;
        context.report({ node, message: `Show this through the run's steps, \`ctx.steps.dialog(() => vscode.window.${name}(…))\`: it closes the busy quick-input step first.` });
      },
    };
  },
};
