/** A minimal ISO BMFF box walker for assertions (the oracle is ffprobe; this reads fields it cannot show). */
export interface Box {
  type: string;
  start: number;
  size: number;
  body: Buffer;
}

export function boxes(buf: Buffer, start = 0, end = buf.length): Box[] {
  const out: Box[] = [];
  let pos = start;
  while (pos + 8 <= end) {
    const size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (size < 8 || pos + size > end) throw new Error(`bad box ${type} of size ${size} at ${pos}`);
    out.push({ type, start: pos, size, body: buf.subarray(pos + 8, pos + size) });
    pos += size;
  }
  if (pos !== end) throw new Error(`trailing ${end - pos} bytes after the last box`);
  return out;
}

/** The first box at a path of types, e.g. ['moof', 'traf', 'tfdt']; full boxes' children start after 4 bytes. */
export function find(buf: Buffer, path: string[]): Box | undefined {
  let level = boxes(buf);
  let found: Box | undefined;
  for (let i = 0; i < path.length; i++) {
    found = level.find((b) => b.type === path[i]);
    if (found === undefined) return undefined;
    if (i + 1 < path.length) level = boxes(found.body);
  }
  return found;
}

export function findAll(buf: Buffer, path: string[]): Box[] {
  const [head, ...rest] = path;
  const here = boxes(buf).filter((b) => b.type === head);
  if (rest.length === 0) return here;
  return here.flatMap((b) => findAll(b.body, rest));
}
