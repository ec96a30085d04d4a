// Page objects for the VS Code workbench served by code-server, driven through real Chromium.
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { poll, until } from '../wait';

/** Installed once per page load (see Workbench.recordFocus). */
const FOCUS_RECORDER = `(() => {
  if (window.cfwfFocusLog) return;
  const log = (window.cfwfFocusLog = []);
  const describe = (el) => el ? '<' + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' class="' + String(el.className).slice(0, 80) + '"' + (el.getAttribute('aria-label') ? ' aria-label="' + el.getAttribute('aria-label').slice(0, 60) + '"' : '') + '>' : 'none';
  const add = (what) => {
    log.push(new Date().toISOString() + ' ' + what);
    if (log.length > 60) log.shift();
  };
  document.addEventListener('focusin', (e) => add('focus → ' + describe(e.target)), true);
  window.addEventListener('blur', () => add('window blur (active ' + describe(document.activeElement) + ')'));
  window.addEventListener('focus', () => add('window focus'));
  let shown;
  let found = null;
  new MutationObserver(() => {
    // Looked up until the workbench first creates it, then kept: this runs on every style change.
    const widget = found || (found = document.querySelector('.quick-input-widget'));
    const now = !!widget && widget.style.display !== 'none';
    if (now === shown) return;
    shown = now;
    const title = widget && widget.querySelector('.quick-input-title');
    const input = widget && widget.querySelector('input.input');
    add('quick input ' + (now ? 'shown: "' + (title ? title.textContent : '') + '" / "' + (input ? input.placeholder : '') + '"' : 'hidden'));
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['style'], childList: true });
})()`;

export class Workbench {
  readonly palette: CommandPalette;
  readonly quickInput: QuickInput;
  readonly notifications: Notifications;
  readonly view: WorkflowsView;
  constructor(readonly page: Page) {
    this.quickInput = new QuickInput(page);
    this.palette = new CommandPalette(page, this.quickInput);
    this.notifications = new Notifications(page);
    this.view = new WorkflowsView(page);
  }

  async waitReady(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.page.locator('.activitybar').waitFor({ timeout: 60_000 });
    // The status bar appears once the extension host is up.
    await this.page.locator('.statusbar').waitFor({ timeout: 60_000 });
    await this.recordFocus();
  }

  /**
   * Records where the focus goes and when the quick input shows or hides (the last 60 events, with
   * wall-clock times to line up with the extension's log), so a flow that lost its quick input can
   * say what took the focus. Kept with a failure's evidence (support.ts).
   */
  private async recordFocus(): Promise<void> {
    // A string, not a function: tsx compiles named closures with a `__name` helper the page lacks.
    await this.page.evaluate(FOCUS_RECORDER);
  }

  /** The focus record of recordFocus(), oldest first. */
  async focusLog(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as { cfwfFocusLog?: string[] }).cfwfFocusLog ?? []).catch(() => []);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }

  contextMenu(): ContextMenu {
    return new ContextMenu(this.page);
  }

  webview(): InstanceWebview {
    return new InstanceWebview(this.page);
  }

  /**
   * Waits until a webview holds the focus. A panel opened without preserveFocus takes the focus when
   * its frame has loaded, which can be after it painted: a flow that opened one ends here, or the next
   * flow's quick input loses the focus mid-way and closes (seen with Terminate after Create Instance).
   */
  async webviewFocused(): Promise<void> {
    await this.page.waitForFunction(() => {
      const el = document.activeElement;
      return !!el && el.tagName === 'IFRAME' && el.classList.contains('webview');
    }, undefined, { timeout: 30_000 });
  }

  /**
   * The resource names of the open editor tabs (VS Code's `data-resource-name`: "Untitled-2" even
   * when the tab's label shows the document's first line), to tell a newly opened tab from the rest.
   */
  async tabResources(): Promise<string[]> {
    return this.page.locator('.tabs-container .tab').evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-resource-name') ?? ''));
  }

  /**
   * Waits until the active tab is one that was not open before (`before` from tabResources()) and
   * its resource matches `name`. An editor left open by an earlier flow (an untitled params document
   * is kept, so that typed JSON is never lost) can be the active tab at once and match a bare title.
   */
  async newActiveTab(before: string[], name: RegExp): Promise<string> {
    const active = this.page.locator('.tabs-container .tab.active');
    let seen = '';
    await until(`a new active tab matching ${name} (open before: ${JSON.stringify(before)})`, async () => {
      seen = (await active.first().getAttribute('data-resource-name').catch(() => null)) ?? '';
      return name.test(seen) && !before.includes(seen);
    });
    return seen;
  }

  /** Closes an editor tab by its close button (not by keys, which a focused webview would take). */
  async closeTab(title: string): Promise<void> {
    const tab = this.page.locator('.tabs-container .tab', { hasText: title }).first();
    await tab.hover();
    await tab.locator('.tab-actions .action-label').first().click();
    await tab.waitFor({ state: 'detached', timeout: 10_000 });
  }

  /**
   * Closes every editor tab without unsaved changes (instance panels among them) by its close button:
   * keys would go to a focused webview, and a dirty one would ask whether to save.
   */
  async closeAllTabs(): Promise<void> {
    const close = this.page.locator('.tabs-container .tab:not(.dirty) .tab-actions .action-label');
    for (let i = 0; i < 10 && (await close.count()) > 0; i++) await close.first().click();
    await this.page.locator('.tabs-container .tab:not(.dirty)').first().waitFor({ state: 'detached', timeout: 10_000 });
  }

  async dialogButton(name: string): Promise<void> {
    await this.page.locator('.monaco-dialog-box').getByRole('button', { name, exact: true }).click();
  }
}

export class CommandPalette {
  constructor(private readonly page: Page, private readonly quickInput: QuickInput) {}
  async run(title: string): Promise<void> {
    // A palette run right after another one can press F1 while the previous widget is still
    // closing: the wait below then sees the old widget and the typed title is lost.
    await this.quickInput.widget.waitFor({ state: 'hidden', timeout: 10_000 });
    await this.page.keyboard.press('F1');
    await this.quickInput.widget.waitFor();
    // Set, not typed: the palette opens with ">" pre-filled, selected or not depending on what ran
    // before, and typed keys then made ">>title" (which lists nothing).
    await this.quickInput.widget.locator('input.input').fill(`>${title}`);
    // The row whose label is exactly the title, clicked: Enter runs whichever row is on top, and a
    // longer title that contains this one ("Send Event to All…" for "Send Event…") can be on top.
    const row = this.quickInput.widget.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) }).first();
    try {
      await row.waitFor();
    } catch (e) {
      // Say where the typed keys went: a palette that lost its focus (to a webview that finished
      // loading, say) closes, and the title then lands elsewhere.
      const where = await this.page.evaluate(() => {
        const el = document.activeElement;
        const input = document.querySelector<HTMLInputElement>('.quick-input-widget input.input');
        return `focus on <${el?.tagName.toLowerCase() ?? 'none'} class="${el?.className ?? ''}">, palette input "${input?.value ?? '(none)'}"`;
      });
      throw new Error(`the palette did not list "${title}" (${where})`, { cause: e });
    }
    await row.click();
  }
}

export class QuickInput {
  readonly widget: Locator;
  constructor(private readonly page: Page) {
    this.widget = page.locator('.quick-input-widget');
  }
  row(label: string): Locator {
    return this.widget.locator('.quick-input-list .monaco-list-row', { hasText: label });
  }
  async waitTitle(text: string | RegExp): Promise<void> {
    await this.widget.locator('.quick-input-title', { hasText: text }).waitFor();
  }
  async pick(label: string): Promise<void> {
    await this.row(label).first().click();
  }
  async type(text: string, opts: { clear?: boolean } = {}): Promise<void> {
    const input = this.widget.locator('input.input');
    if (opts.clear) await input.fill('');
    await input.pressSequentially(text);
  }
  async accept(): Promise<void> {
    await this.page.keyboard.press('Enter');
  }
}

export class Notifications {
  constructor(private readonly page: Page) {}
  toast(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }
  async expect(text: string | RegExp, timeout = 20_000): Promise<void> {
    await this.toast(text).first().waitFor({ timeout });
  }
}

export class ContextMenu {
  constructor(private readonly page: Page) {}
  items(): Locator {
    return this.page.locator('.context-view .monaco-menu .action-item .action-label');
  }
  async labels(): Promise<string[]> {
    await this.items().first().waitFor();
    return (await this.items().allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  }
  async click(label: string): Promise<void> {
    const item = this.page.locator('.context-view .monaco-menu .action-item', { hasText: label }).first();
    await item.click();
    // A click that lands while the tree re-renders under the menu can be swallowed (the menu stays
    // open with the item highlighted): Enter runs the highlighted item.
    const menu = this.page.locator('.context-view .monaco-menu');
    try {
      await menu.waitFor({ state: 'hidden', timeout: 3000 });
    } catch {
      await item.hover();
      await this.page.keyboard.press('Enter');
      await menu.waitFor({ state: 'hidden', timeout: 5000 });
    }
  }
}

interface TreeRow {
  label: string;
  level: number;
}

/**
 * Where `path` leads in these rows (flat, in tree order): its first label anywhere, each next one
 * a direct child of the previous row (a string matches exactly). -1 while it leads nowhere, which
 * includes a row whose children have not loaded yet.
 */
function findPath(rows: TreeRow[], path: (string | RegExp)[]): number {
  const matches = (p: string | RegExp, label: string) => (typeof p === 'string' ? label === p : p.test(label));
  for (let start = 0; start < rows.length; start++) {
    if (!matches(path[0], rows[start].label)) continue;
    let at = start;
    for (const p of path.slice(1)) {
      const parent = rows[at].level;
      let next = -1;
      for (let i = at + 1; i < rows.length && rows[i].level > parent; i++) {
        if (rows[i].level === parent + 1 && matches(p, rows[i].label)) {
          next = i;
          break;
        }
      }
      at = next;
      if (at < 0) break;
    }
    if (at >= 0) return at;
  }
  return -1;
}

/**
 * A CSS selector (Playwright's engine) for rows[target], named by its labels and those of all its
 * ancestors: each row a sibling after its parent's, at the next level, with no row of the
 * parent's level or above in between (so never a same-named row in another subtree). Playwright's
 * `:text-is` matches only the innermost element with the text: the label's own element, or the
 * highlighted-label span inside it.
 */
function rowSelector(rows: TreeRow[], target: number): string {
  const chain: TreeRow[] = [rows[target]];
  for (let i = target - 1; i >= 0 && chain[0].level > 1; i--) if (rows[i].level === chain[0].level - 1) chain.unshift(rows[i]);
  const one = (r: TreeRow) => {
    const text = `:text-is(${JSON.stringify(r.label)})`;
    return `[role="treeitem"][aria-level="${r.level}"]:has(:is(.label-name${text}, .label-name ${text}))`;
  };
  let selector = one(chain[0]);
  for (const r of chain.slice(1)) {
    const outside = Array.from({ length: r.level - 1 }, (_, i) => `[aria-level="${i + 1}"]`).join(', ');
    selector = `${selector} ~ ${one(r)}:not(${selector} ~ :is(${outside}) ~ *)`;
  }
  return selector;
}

export class WorkflowsView {
  constructor(private readonly page: Page) {}
  async open(): Promise<void> {
    // The only view of its container has no pane header: the sidebar title names the container.
    const title = this.page.locator('.part.sidebar .composite.title', { hasText: 'Cloudflare Workflows' });
    if (!(await title.isVisible())) await this.page.locator('.activitybar [aria-label^="Cloudflare Workflows"]').first().click();
    await title.waitFor();
  }
  item(label: string | RegExp): Locator {
    return this.page.locator('.part.sidebar [role="treeitem"]', { has: this.page.locator('.label-name', { hasText: label }) });
  }
  /** Expands the first row with this label (a string matches exactly) unless it is open already. */
  async expand(label: string | RegExp): Promise<void> {
    await this.expandAt([label]);
  }
  private async expandRow(row: Locator, label: string): Promise<void> {
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await row.locator('.monaco-tl-twistie').click();
    // Children still loading (a spinner in the twistie) means the click was taken.
    const taken = async () => (await row.getAttribute('aria-expanded')) === 'true' || (await row.locator('.monaco-tl-twistie.codicon-tree-item-loading').count()) > 0;
    if (await poll(taken, 5_000)) {
      if (!(await poll(async () => (await row.getAttribute('aria-expanded')) === 'true', 25_000))) throw new Error(`"${label}" did not finish expanding`);
      return;
    }
    // Once a twistie click expanded nothing, the row was a positional locator that had moved onto
    // another row (see rowAt); a click that is not taken now is a failure, not a retry.
    const selected = await this.page.locator('.part.sidebar [role="treeitem"][aria-selected="true"] .label-name').allTextContents();
    throw new Error(`a twistie click did not expand "${label}" (selected rows: ${selected.join(' | ') || 'none'})`);
  }
  /**
   * The row reached by `path` (see findPath), once the tree shows it.
   *
   * The locator names the row by its labels and its ancestors', not by position: rows move while
   * the tree loads, and an `nth()` did move between finding a row and clicking it. After the Watch
   * flow, order-pipeline's children were still loading when the path was read, so it led to
   * bulk-import's "Complete"; they appeared, and the twistie click at that position landed on an
   * instance instead (it opened a preview, and the group never expanded).
   */
  async rowAt(path: (string | RegExp)[], timeoutMs = 30_000): Promise<Locator> {
    const items = this.page.locator('.part.sidebar [role="treeitem"]');
    let rows: TreeRow[] = [];
    for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      rows = await items.evaluateAll((els) => els.map((e) => ({ label: e.querySelector('.label-name')?.textContent ?? '', level: Number(e.getAttribute('aria-level')) })));
      const at = findPath(rows, path);
      if (at >= 0) return this.page.locator('.part.sidebar').locator(rowSelector(rows, at)).first();
    }
    throw new Error(`${path.join(' › ')} is not in the tree (${rows.map((r) => `${r.level}:${r.label}`).join(' | ')})`);
  }
  /** Expands the row reached by `path` (see rowAt) unless it is open already. */
  async expandAt(path: (string | RegExp)[], timeoutMs = 30_000): Promise<void> {
    await this.expandRow(await this.rowAt(path, timeoutMs), path.join(' › '));
  }
  async rightClick(label: string | RegExp): Promise<ContextMenu> {
    await this.item(label).first().click({ button: 'right' });
    return new ContextMenu(this.page);
  }
}

export class InstanceWebview {
  readonly frame: FrameLocator;
  constructor(page: Page) {
    this.frame = page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
  }
  locator(selector: string): Locator {
    return this.frame.locator(selector);
  }
  text(text: string | RegExp): Locator {
    return this.frame.getByText(text);
  }
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
