/**
 * The timeline's geometry, pure (no DOM): the visible window on the audio axis, zoom and pan within
 * it, ruler ticks, and label placement that never lets a lane's labels overlap each other or another
 * marker's dot: a marker whose dot or label would collide joins the group of the marker before it,
 * which then shows a count (`+3`) instead, and is drawn as a small tick under that label.
 */

/** A window on the audio axis, in seconds: `start < end`. */
export interface View {
  start: number;
  end: number;
}

/** The smallest window zoom goes to (seconds): a 40 ms chunk stays several pixels wide. */
export const MIN_SPAN = 0.25;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Keeps `view` inside `[0, duration]`, its span at least `MIN_SPAN` (or the whole duration). */
export function clampView(view: View, duration: number): View {
  const total = Math.max(duration, MIN_SPAN);
  const span = clamp(view.end - view.start, Math.min(MIN_SPAN, total), total);
  const start = clamp(view.start, 0, total - span);
  return { start, end: start + span };
}

/**
 * Zooms by `factor` (> 1 zooms in) around `focus` (seconds): the focus stays where it is on screen
 * unless the window hits an edge of `[0, duration]`.
 * @example zoomView({ start: 0, end: 8 }, 2, 4, 8) // { start: 2, end: 6 }
 */
export function zoomView(view: View, factor: number, focus: number, duration: number): View {
  if (!(factor > 0) || !Number.isFinite(factor)) return clampView(view, duration);
  const span = view.end - view.start;
  const total = Math.max(duration, MIN_SPAN);
  const next = clamp(span / factor, Math.min(MIN_SPAN, total), total);
  const f = clamp(focus, view.start, view.end);
  const start = f - ((f - view.start) * next) / span;
  return clampView({ start, end: start + next }, duration);
}

/** Moves the window by `seconds` (negative: left), keeping its span, within `[0, duration]`. */
export function panView(view: View, seconds: number, duration: number): View {
  return clampView({ start: view.start + seconds, end: view.end + seconds }, duration);
}

/** Pixels per second for a view shown `width` pixels wide. */
export function scaleOf(view: View, width: number): number {
  return width / (view.end - view.start);
}

const STEPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600];

/**
 * Ruler ticks: the smallest step of 1-2-5 seconds whose ticks are at least `minPx` apart, and the
 * multiples of it inside the view.
 */
export function ticksOf(view: View, width: number, minPx = 56): { step: number; ticks: number[] } {
  const pps = scaleOf(view, width);
  const step = STEPS.find((s) => s * pps >= minPx) ?? Math.ceil((minPx / pps) / 600) * 600;
  const ticks: number[] = [];
  for (let i = Math.ceil(view.start / step - 1e-9); i * step <= view.end + 1e-9 && ticks.length < 1000; i += 1) ticks.push(Math.round(i * step * 1e6) / 1e6 + 0); // + 0: no -0
  return { step, ticks };
}

/** One label to place: where its marker is (px) and how wide its text is (px). */
export interface LabelItem {
  x: number;
  width: number;
}

/** A placed group: its members, and the extent of what it shows in px. */
export interface LabelGroup {
  /** Indices into the items, in x order; the first one's dot and label are shown. */
  members: number[];
  /** Left edge of the first one's dot; right edge of its label, including the count badge. */
  left: number;
  right: number;
}

/** Where a label starts relative to its marker's position (half the dot, and a gap). */
export const LABEL_OFFSET = 8;
/** Half a marker dot's width: the dot is centred on the marker's position. */
export const DOT_RADIUS = 6;

/** The width of a `+k` count badge, in px (it is drawn with this width). */
export function badgeWidth(count: number): number {
  return 10 + 7 * String(count).length;
}

/**
 * Places the markers of one lane left to right: one whose dot would start less than `gap` px after the
 * previous shown label (with its badge) shows neither, and counts in that label's group instead.
 * Every item is in exactly one group; what the groups show (dot, label, badge) never overlaps.
 * @example placeLabels([{ x: 0, width: 50 }, { x: 20, width: 50 }, { x: 200, width: 30 }]) // two groups: [0, 1] and [2]
 */
export function placeLabels(items: readonly LabelItem[], gap = 6): LabelGroup[] {
  const order = items.map((_, i) => i).sort((a, b) => items[a]!.x - items[b]!.x || a - b);
  const groups: LabelGroup[] = [];
  let current: LabelGroup | undefined;
  for (const i of order) {
    const item = items[i]!;
    const left = item.x - DOT_RADIUS;
    if (current && left < current.right + gap) {
      current.members.push(i);
      const first = items[current.members[0]!]!;
      current.right = Math.max(current.right, first.x + LABEL_OFFSET + Math.max(0, first.width) + badgeWidth(current.members.length - 1));
      continue;
    }
    current = { members: [i], left, right: item.x + Math.max(LABEL_OFFSET + Math.max(0, item.width), DOT_RADIUS) };
    groups.push(current);
  }
  return groups;
}
