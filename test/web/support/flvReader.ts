/** Reads the first tags of an HTTP-FLV stream and classifies them (a test oracle, independent of the server code). */
export interface ReadTag {
  type: number;
  timestamp: number;
  kind: 'script' | 'video-config' | 'audio-config' | 'video' | 'audio';
  keyframe: boolean;
  /** first body bytes (codec header) */
  head: Buffer;
}

export interface ReadFlv {
  contentType: string | null;
  header: { audio: boolean; video: boolean };
  tags: ReadTag[];
}

export function parseFlv(buf: Buffer, maxTags = Infinity): { header: { audio: boolean; video: boolean }; tags: ReadTag[]; complete: boolean } {
  if (buf.length < 13 || buf.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
  const header = { audio: (buf[4]! & 4) !== 0, video: (buf[4]! & 1) !== 0 };
  const tags: ReadTag[] = [];
  let pos = 13;
  while (pos + 11 <= buf.length && tags.length < maxTags) {
    const type = buf[pos]!;
    const size = buf.readUIntBE(pos + 1, 3);
    if (pos + 11 + size + 4 > buf.length) break;
    const timestamp = buf.readUIntBE(pos + 4, 3) | (buf[pos + 7]! << 24);
    const body = buf.subarray(pos + 11, pos + 11 + size);
    if (buf.readUInt32BE(pos + 11 + size) !== size + 11) throw new Error(`bad PreviousTagSize after tag at ${pos}`);
    const b0 = body[0] ?? 0;
    let kind: ReadTag['kind'] = 'script';
    let keyframe = false;
    if (type === 9) {
      const enhanced = (b0 & 0x80) !== 0;
      const config = enhanced ? (b0 & 0x0f) === 0 : body[1] === 0;
      kind = config ? 'video-config' : 'video';
      keyframe = ((b0 >> 4) & 7) === 1 && !config;
    } else if (type === 8) {
      const enhanced = b0 >> 4 === 9;
      const config = enhanced ? (b0 & 0x0f) === 0 : b0 >> 4 === 10 && body[1] === 0;
      kind = config ? 'audio-config' : 'audio';
    }
    tags.push({ type, timestamp, kind, keyframe, head: Buffer.from(body.subarray(0, 16)) });
    pos += 11 + size + 4;
  }
  return { header, tags, complete: tags.length >= maxTags };
}

export async function readFlvTags(url: string, opts: { maxTags: number; timeoutMs?: number }): Promise<ReadFlv> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), opts.timeoutMs ?? 15_000);
  try {
    const res = await fetch(url, { signal: ctl.signal });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    const chunks: Buffer[] = [];
    const reader = res.body!.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      const parsed = parseFlv(Buffer.concat(chunks), opts.maxTags);
      if (parsed.complete) {
        await reader.cancel();
        return { contentType: res.headers.get('content-type'), ...parsed };
      }
    }
    return { contentType: res.headers.get('content-type'), ...parseFlv(Buffer.concat(chunks), opts.maxTags) };
  } finally {
    clearTimeout(timer);
  }
}
