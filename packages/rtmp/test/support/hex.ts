/** Hex literal with free spacing (and `${}` pieces), so test vectors can show their fields: h`02 000000 000004`. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Buffer {
  const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** Concatenates bytes given as Buffers, latin1 strings (FourCCs) or byte arrays. */
export function cat(...parts: Array<Buffer | string | number[]>): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.isBuffer(p) ? p : Buffer.from(p))));
}
