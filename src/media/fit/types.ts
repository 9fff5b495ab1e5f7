// Shapes shared by the fitting engine's modules and returned to the send flow.

/** What was done to a file, in the order a reader would want to know. */
export type FitAction =
  | 'rotated'
  | 'stripped'
  | 'resized'
  | 're-encoded'
  | 'converted'
  | 'colours-reduced'
  | 'frames-dropped';

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
