// Reads the `workflows` bindings of a wrangler config (wrangler.json, wrangler.jsonc, wrangler.toml)
// without a TOML or JSONC library: only the few keys the extension needs.

export interface WorkflowBinding {
  name: string;
  binding?: string;
  className: string;
  /** Set when the class lives in another Worker. */
  scriptName?: string;
}

export interface WranglerConfig {
  /** The Worker's own name. */
  name?: string;
  main?: string;
  /** `account_id`: offered when adding an account-owned token. */
  accountId?: string;
  workflows: WorkflowBinding[];
}

/** Strips // and /* comments and trailing commas, respecting strings. */
export function stripJsonc(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) i++;
      i++;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

function fromJson(value: unknown): WranglerConfig {
  const v = (value ?? {}) as { name?: unknown; main?: unknown; account_id?: unknown; workflows?: unknown };
  const workflows = Array.isArray(v.workflows) ? v.workflows : [];
  return {
    name: typeof v.name === 'string' ? v.name : undefined,
    main: typeof v.main === 'string' ? v.main : undefined,
    ...(typeof v.account_id === 'string' ? { accountId: v.account_id } : {}),
    workflows: workflows
      .filter((w): w is Record<string, unknown> => typeof w === 'object' && w !== null && typeof w.name === 'string' && typeof w.class_name === 'string')
      .map((w) => ({ name: w.name as string, binding: typeof w.binding === 'string' ? w.binding : undefined, className: w.class_name as string, scriptName: typeof w.script_name === 'string' ? w.script_name : undefined })),
  };
}

function tomlString(line: string): string | undefined {
  const m = /=\s*(?:"((?:\\.|[^"\\])*)"|'([^']*)')/.exec(line);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The subset of TOML wrangler uses for workflows: top-level name/main and [[workflows]] tables. */
function fromToml(text: string): WranglerConfig {
  const config: WranglerConfig = { workflows: [] };
  let current: Record<string, string> | undefined;
  let inOtherTable = false;
  const flush = () => {
    if (current?.name && current.class_name) config.workflows.push({ name: current.name, binding: current.binding, className: current.class_name, scriptName: current.script_name });
    current = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      flush();
      if (/^\[\[\s*workflows\s*\]\]$/.test(line)) {
        current = {};
        inOtherTable = false;
      } else inOtherTable = true;
      continue;
    }
    const key = /^([A-Za-z_][\w-]*)\s*=/.exec(line)?.[1];
    const value = tomlString(line);
    if (!key || value === undefined) continue;
    if (current) current[key] = value;
    else if (!inOtherTable && (key === 'name' || key === 'main')) config[key] = value;
    else if (!inOtherTable && key === 'account_id') config.accountId = value;
  }
  flush();
  return config;
}

export function parseWranglerConfig(fileName: string, text: string): WranglerConfig {
  if (fileName.endsWith('.toml')) return fromToml(text);
  try {
    return fromJson(JSON.parse(stripJsonc(text)));
  } catch {
    return { workflows: [] };
  }
}
