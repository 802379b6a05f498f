import type { InputEvent } from "../validate/validate-inputs.js";

interface KindCounts {
  read: number;
  valid: number;
  rejected: number;
}

/** The row counts a summary line reports: read, valid, rejected, and the same by kind. */
export interface InputCounts extends KindCounts {
  byKind: { definitions: KindCounts; assignments: KindCounts };
}

/** Starts all counts at zero. */
export function newCounts(): InputCounts {
  return {
    read: 0,
    valid: 0,
    rejected: 0,
    byKind: {
      definitions: { read: 0, valid: 0, rejected: 0 },
      assignments: { read: 0, valid: 0, rejected: 0 },
    },
  };
}

/** Adds one validate-stage event to the counts. */
export function tallyEvent(counts: InputCounts, event: InputEvent): void {
  switch (event.type) {
    case "promotion":
    case "assignment": {
      const kind = event.type === "promotion" ? counts.byKind.definitions : counts.byKind.assignments;
      counts.read += 1;
      counts.valid += 1;
      kind.read += 1;
      kind.valid += 1;
      break;
    }
    case "rejected": {
      counts.read += 1;
      counts.rejected += 1;
      if (event.kind !== "unknown") {
        counts.byKind[event.kind].read += 1;
        counts.byKind[event.kind].rejected += 1;
      }
      break;
    }
    default:
      break;
  }
}
