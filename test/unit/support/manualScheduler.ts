// Timers that fire only when the test says so (for code that takes a setTimeout/clearTimeout pair).
export class ManualScheduler {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Fires every pending timer once. */
  fire(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const t of due) t.fn();
  }
  get delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }
}
