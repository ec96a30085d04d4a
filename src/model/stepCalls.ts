// Finds step calls in Workflow source without a compiler: `step.do(name, …)`, `step.sleep(name, …)`,
// `step.sleepUntil(name, …)`, `step.waitForEvent(name, { type, … })`. Names must be string literals
// or template literals without substitutions; anything else is skipped, never guessed. Comments and
// other strings are blanked first, so commented-out calls don't count.

export type StepCallKind = 'do' | 'sleep' | 'sleepUntil' | 'waitForEvent';

export interface StepCall {
  kind: StepCallKind;
  name: string;
  /** 0-based line and column of the call's `step` receiver. */
  line: number;
  character: number;
  /** Offset of the name literal (for hovers). */
  nameStart: number;
  nameEnd: number;
  /** For waitForEvent: the `type` option when it is a literal. */
  eventType?: string;
  /** For waitForEvent: the `timeout` option when it is a literal (ms or a duration string). */
  timeout?: string | number;
  /** For waitForEvent: a `timeout` option is there but computed at run time. */
  timeoutDynamic?: boolean;
}

export interface WorkflowClass {
  className: string;
  line: number;
  character: number;
  start: number;
  end: number;
}

/** Replaces comments with spaces (keeping offsets and newlines) so matches inside them are ignored. */
export function blankComments(src: string): string {
  const out: string[] = [];
  let i = 0;
  const keep = (ch: string) => {
    out.push(ch);
    i++;
  };
  const blank = () => keep(src[i] === '\n' ? '\n' : ' ');
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') blank();
    } else if (c === '/' && n === '*') {
      blank();
      blank();
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) blank();
      if (i < src.length) {
        blank();
        blank();
      }
    } else if (c === '"' || c === "'" || c === '`') {
      // Strings are copied verbatim (names live in them) but skipped, so "//" inside is no comment.
      keep(c);
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') keep(src[i]);
        if (i < src.length) keep(src[i]);
      }
      if (i < src.length) keep(src[i]);
    } else keep(c);
  }
  return out.join('');
}

const CALL = /\b([A-Za-z_$][\w$]*)\s*\.\s*(do|sleepUntil|sleep|waitForEvent)\s*(?:<[^>()]*>)?\s*\(\s*(?:'((?:\\.|[^'\\\n])*)'|"((?:\\.|[^"\\\n])*)"|`((?:\\.|[^`\\$])*)`)/g;

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function position(src: string, offset: number): { line: number; character: number } {
  let line = 0;
  let last = -1;
  for (let i = 0; i < offset; i++) {
    if (src.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, character: offset - last - 1 };
}

/** Step calls in a file. `receivers` limits which identifiers count as the step object (default: any). */
export function findStepCalls(source: string, receivers?: Set<string>): StepCall[] {
  const text = blankComments(source);
  const calls: StepCall[] = [];
  for (const m of text.matchAll(CALL)) {
    if (receivers && !receivers.has(m[1])) continue;
    if (!receivers && !/step/i.test(m[1])) continue;
    const raw = m[3] ?? m[4] ?? m[5];
    if (raw === undefined) continue;
    const idx = m.index ?? 0;
    // The match ends with the closing quote; the raw name sits right before it.
    const nameStart = idx + m[0].length - 1 - raw.length;
    const pos = position(source, idx);
    const call: StepCall = { kind: m[2] as StepCallKind, name: unescape(raw), line: pos.line, character: pos.character, nameStart, nameEnd: nameStart + raw.length };
    if (call.kind === 'waitForEvent') {
      const after = text.slice(idx + m[0].length, idx + m[0].length + 400);
      const t = /^\s*,\s*\{[^}]*?\btype\s*:\s*(?:'([^'\n]*)'|"([^"\n]*)"|`([^`$\n]*)`)/.exec(after);
      if (t) call.eventType = t[1] ?? t[2] ?? t[3];
      // The options object up to its first `}`: a `timeout` literal, or a computed one (unknown).
      const opts = /^\s*,\s*\{([^}]*)/.exec(after)?.[1];
      const to = opts !== undefined ? /\btimeout\s*:\s*(?:'([^'\n]*)'|"([^"\n]*)"|`([^`$\n]*)`|(\d+(?:\.\d+)?)\s*[,}\s]|(.))/.exec(opts + '}') : null;
      if (to) {
        if (to[4] !== undefined) call.timeout = Number(to[4]);
        else if (to[5] !== undefined) call.timeoutDynamic = true;
        else call.timeout = to[1] ?? to[2] ?? to[3];
      } else if (opts === undefined || /\btimeout\b|\.\.\./.test(opts)) {
        // Options in a variable, a shorthand `timeout` or a spread: not knowable from the text.
        call.timeoutDynamic = true;
      }
    }
    calls.push(call);
  }
  return calls;
}

/** Classes extending WorkflowEntrypoint, with the offset range of their body. */
export function findWorkflowClasses(source: string): WorkflowClass[] {
  const text = blankComments(source);
  const out: WorkflowClass[] = [];
  for (const m of text.matchAll(/\bclass\s+([A-Za-z_$][\w$]*)\s+extends\s+(?:[\w$]+\.)?WorkflowEntrypoint\b/g)) {
    const start = m.index ?? 0;
    let i = start + m[0].length;
    // Type arguments may hold braces (`WorkflowEntrypoint<Env, { id: string }>`): skip them whole.
    while (/\s/.test(text[i] ?? '')) i++;
    if (text[i] === '<') {
      let angle = 0;
      for (; i < text.length; i++) {
        if (text[i] === '<') angle++;
        else if (text[i] === '>' && text[i - 1] !== '=' && --angle === 0) break;
      }
    }
    const open = text.indexOf('{', i);
    if (open < 0) continue;
    let depth = 0;
    let end = text.length;
    for (let j = open; j < text.length; j++) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}' && --depth === 0) {
        end = j + 1;
        break;
      }
    }
    const pos = position(source, start);
    out.push({ className: m[1], line: pos.line, character: pos.character, start, end });
  }
  return out;
}
