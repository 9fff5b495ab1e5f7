// Shapes shared by the fitting engine's modules and returned to the send flow.

/** What can be done to a file, in the order a reader wants to hear it. */
export const FIT_ACTIONS = ['rotated', 'stripped', 'resized', 're-encoded', 'converted', 'colours-reduced', 'frames-dropped'] as const;

/** One thing done to a file. */
export type FitAction = (typeof FIT_ACTIONS)[number];

/** Actions de-duplicated and in FIT_ACTIONS order, so output is stable whichever code path ran. */
export function orderActions(actions: Iterable<FitAction>): FitAction[] {
  const set = new Set(actions);
  return FIT_ACTIONS.filter((a) => set.has(a));
}

/** Type, dimensions and size of a file before or after fitting. */
export interface MediaFacts {
  type: string;
  bytes: number;
  width?: number;
  height?: number;
  /** Frames of an animated image (absent for stills). */
  frames?: number;
  /** Seconds, for video and audio. */
  durationSec?: number;
}
