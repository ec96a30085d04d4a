// Evaluates the subset of VS Code when-clauses this extension's menus use (`&&`, `||`, `==`, `!=`,
// `=~ /re/`, `!key`, bare keys, true/false), so tests can check which actions each item offers.
export function evaluateWhen(clause: string | undefined, context: Record<string, string | boolean | undefined>): boolean {
  if (!clause) return true;
  return clause.split('||').some((alt) => alt.split('&&').every((term) => evalTerm(term.trim(), context)));
}

function evalTerm(term: string, ctx: Record<string, string | boolean | undefined>): boolean {
  if (term === 'true') return true;
  if (term === 'false') return false;
  let m = /^(\S+)\s*=~\s*\/(.*)\/([a-z]*)$/.exec(term);
  if (m) return new RegExp(m[2], m[3]).test(String(ctx[m[1]] ?? ''));
  m = /^(\S+)\s*(==|!=)\s*(.+)$/.exec(term);
  if (m) {
    const equal = String(ctx[m[1]] ?? '') === m[3].replace(/^'(.*)'$/, '$1');
    return m[2] === '==' ? equal : !equal;
  }
  if (term.startsWith('!')) return !ctx[term.slice(1)];
  return !!ctx[term];
}
