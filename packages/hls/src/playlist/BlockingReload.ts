import type { MediaWindow } from '../MediaWindow.js';

/** How far past the newest part a client may ask (RFC 8216bis 6.2.5.2, the Advance Part Limit). */
export const ADVANCE_PART_LIMIT = 3;

export interface ReloadRequest {
  msn: number;
  part: number | undefined;
}

export type ReloadDecision =
  | { kind: 'ready' }
  | { kind: 'wait' }
  | { kind: 'bad-request'; reason: string };

/**
 * Parses _HLS_msn / _HLS_part. undefined when the request does not block; a string when the
 * parameters are malformed (the answer is 400).
 */
export function parseReloadRequest(query: URLSearchParams): ReloadRequest | undefined | string {
  const msnText = query.get('_HLS_msn');
  const partText = query.get('_HLS_part');
  if (msnText === null) return partText === null ? undefined : '_HLS_part without _HLS_msn';
  const msn = decimalInteger(msnText);
  if (msn === undefined) return `_HLS_msn is not a decimal integer: '${msnText.slice(0, 32)}'`;
  if (partText === null) return { msn, part: undefined };
  const part = decimalInteger(partText);
  if (part === undefined) return `_HLS_part is not a decimal integer: '${partText.slice(0, 32)}'`;
  return { msn, part };
}

function decimalInteger(s: string): number | undefined {
  if (!/^[0-9]{1,15}$/.test(s)) return undefined;
  return Number(s);
}

/**
 * Whether a playlist that satisfies the request can be sent now: the segment `msn` is complete
 * (no part asked), or part `part` of it exists (or a later segment does). Requests more than two
 * segments past the last complete one, or past the Advance Part Limit, get 400 at once, as the
 * spec asks, so a client with a wrong clock cannot park requests on the server.
 */
export function decideReload(window: MediaWindow, req: ReloadRequest): ReloadDecision {
  const segments = window.list;
  const last = segments[segments.length - 1];
  if (last === undefined) return { kind: 'wait' };
  const lastComplete = last.complete ? last.msn : last.msn - 1;
  if (req.msn > lastComplete + 2) return { kind: 'bad-request', reason: `_HLS_msn ${req.msn} is more than two segments past ${lastComplete}` };
  // The segment being written and how many of its parts exist (none yet when the last one is complete).
  const openMsn = last.complete ? last.msn + 1 : last.msn;
  const openParts = last.complete ? 0 : last.parts.length;
  if (req.part !== undefined) {
    const limit = req.msn === openMsn ? openParts - 1 + ADVANCE_PART_LIMIT : req.msn > openMsn ? ADVANCE_PART_LIMIT - 1 : Infinity;
    if (req.part > limit) return { kind: 'bad-request', reason: `_HLS_part ${req.part} of segment ${req.msn} is more than ${ADVANCE_PART_LIMIT} parts ahead` };
  }
  if (req.msn <= lastComplete) return { kind: 'ready' };
  if (req.msn > openMsn) return { kind: 'wait' };
  // req.msn is the open segment: ready once the part asked for exists
  if (req.part !== undefined && openParts > req.part) return { kind: 'ready' };
  return { kind: 'wait' };
}
