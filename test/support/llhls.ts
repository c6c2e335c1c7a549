/**
 * A small LL-HLS playlist reader for tests and benchmarks: the segments (MSN, duration, URI), the parts of
 * the segment being written and the preload hint, as a player reads them. Not a player: the real ones are
 * hls.js in Chromium and ffmpeg.
 */
export interface ListedSegment {
  msn: number;
  duration: number;
  uri: string;
}

export interface ListedPart {
  msn: number;
  index: number;
  duration: number;
  uri: string;
  independent: boolean;
}

export interface ParsedPlaylist {
  mediaSequence: number;
  targetDuration: number;
  partTarget: number;
  map: string | undefined;
  segments: ListedSegment[];
  parts: ListedPart[];
  hint: { msn: number; index: number; uri: string } | undefined;
  skipped: number;
  text: string;
}

const PART_URI = /part-(\d+)\.(\d+)\.m4s/;

export function parsePlaylist(text: string): ParsedPlaylist {
  const lines = text.split('\n');
  if (lines[0] !== '#EXTM3U') throw new Error(`not a playlist: ${text.slice(0, 80)}`);
  const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);
  const out: ParsedPlaylist = {
    mediaSequence: num(/#EXT-X-MEDIA-SEQUENCE:(\d+)/),
    targetDuration: num(/#EXT-X-TARGETDURATION:(\d+)/),
    partTarget: num(/PART-TARGET=([\d.]+)/),
    map: /#EXT-X-MAP:URI="([^"]+)"/.exec(text)?.[1],
    segments: [],
    parts: [],
    hint: undefined,
    skipped: Number(/#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)/.exec(text)?.[1] ?? 0),
    text,
  };
  let msn = out.mediaSequence + out.skipped;
  let duration = 0;
  for (const line of lines) {
    if (line.startsWith('#EXTINF:')) duration = Number(line.slice(8).split(',')[0]);
    else if (line.startsWith('#EXT-X-PART:')) {
      const uri = /URI="([^"]+)"/.exec(line)![1]!;
      const m = PART_URI.exec(uri)!;
      out.parts.push({ msn: Number(m[1]), index: Number(m[2]), duration: Number(/DURATION=([\d.]+)/.exec(line)![1]), uri, independent: line.includes('INDEPENDENT=YES') });
    } else if (line.startsWith('#EXT-X-PRELOAD-HINT:')) {
      const uri = /URI="([^"]+)"/.exec(line)![1]!;
      const m = PART_URI.exec(uri)!;
      out.hint = { msn: Number(m[1]), index: Number(m[2]), uri };
    } else if (line !== '' && !line.startsWith('#')) {
      out.segments.push({ msn: msn++, duration, uri: line });
    }
  }
  return out;
}

/** The blocking reload query for the part after the newest one listed. */
export function nextPartQuery(p: ParsedPlaylist): string {
  const hint = p.hint ?? { msn: (p.segments[p.segments.length - 1]?.msn ?? p.mediaSequence) + 1, index: 0 };
  return `_HLS_msn=${hint.msn}&_HLS_part=${hint.index}`;
}
