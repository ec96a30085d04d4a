// Where an instance view opens when the user has not chosen a step yet: at the problem, or at what
// is happening now. Pure, so the webview and the unit tests share it.
import type { Timeline, TimelineRow } from './timeline';
import type { InstanceStatus } from './types';

const FAILED: ReadonlySet<TimelineRow['outcome']> = new Set(['failed', 'timedOut']);
const IN_PROGRESS: ReadonlySet<TimelineRow['outcome']> = new Set(['running', 'retrying', 'sleeping', 'waiting']);

/**
 * The step to select first: errored → the step that failed (the last failed one, which is what
 * ended the instance); waiting → the wait it is blocked on; running and the other live states → the
 * step in progress (the last one, retrying included). Undefined when no step fits (complete, queued).
 */
export function stepToOpenAt(timeline: Timeline, status: InstanceStatus): string | undefined {
  const rows = timeline.rows;
  const last = (pred: (r: TimelineRow) => boolean) => {
    for (let i = rows.length - 1; i >= 0; i--) if (pred(rows[i])) return rows[i].name;
    return undefined;
  };
  switch (status) {
    case 'errored':
      return last((r) => FAILED.has(r.outcome)) ?? last((r) => r.error !== undefined);
    case 'waiting':
      return last((r) => r.kind === 'waitForEvent' && r.outcome === 'waiting') ?? last((r) => IN_PROGRESS.has(r.outcome));
    case 'running':
    case 'paused':
    case 'waitingForPause':
    case 'rollingBack':
      return last((r) => IN_PROGRESS.has(r.outcome));
    default:
      return undefined;
  }
}
