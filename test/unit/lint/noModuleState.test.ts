import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import rule from '../../../eslint-rules/no-module-state.mjs';

// RuleTester reports through mocha's describe/it.
RuleTester.describe = describe;
RuleTester.it = it;
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });

tester.run('no-module-state', rule, {
  valid: [
    'const LIMIT = 100;',
    "const LABELS = { running: 'Running' };",
    "const PORTS = [8787, 8788];",
    "const KINDS = new Set(['do', 'sleep']);",
    "const CODES = new Map([[1, 'a']]);",
    'const KNOWN: ReadonlySet<string> = new Set<string>(STATUSES);',
    'const RE = new RegExp(source);',
    'export function f() { let n = 0; const m = new Map(); return [n, m]; }',
    'class A { private readonly seen = new Map<string, number>(); }',
    "class A { static readonly KIND = 'a'; static readonly ORDER = ['x', 'y']; }",
    "class A { static readonly KNOWN = new Set(['x']); }",
    'const EMPTY: readonly string[] = [];',
    'const NONE = [] as const;',
    'export function f() { const acc: string[] = []; return acc; }',
    'class A { static readonly KNOWN: ReadonlySet<string> = new Set(LIST); }',
    'export function make() { return class { static count = 0; }; }',
    'class A { static readonly NONE: readonly string[] = []; }',
  ],
  invalid: [
    { code: 'let cache: string | undefined;', errors: 1 },
    { code: 'var count = 0;', errors: 1 },
    { code: 'export let current = 1;', errors: 1 },
    { code: 'const seen = new Map<string, number>();', errors: 1 },
    { code: 'export const sentLedger = new SentLedger();', errors: 1 },
    { code: 'const until = new WeakMap<object, number>();', errors: 1 },
    { code: 'const ids = new Set<string>();', errors: 1 },
    { code: 'const pending: string[] = [];', errors: 1 },
    { code: 'export const byId: Record<string, number> = {};', errors: 1 },
    { code: 'class A { static count = 0; }', errors: 1 },
    { code: 'class A { static readonly cache = new Map<string, number>(); }', errors: 1 },
    { code: 'const byId = {} as Record<string, number>;', errors: 1 },
    { code: 'const ids = [] as string[];', errors: 1 },
    { code: 'class A { static readonly list: string[] = []; }', errors: 1 },
    { code: 'class A { static readonly ledger = new SentLedger([seed]); }', errors: 1 },
  ],
});
