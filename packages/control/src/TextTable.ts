/** Fixed-width text table for terminals: left-aligned text, right-aligned numeric columns. */
export class TextTable {
  private readonly rows: string[][] = [];

  constructor(
    private readonly headers: readonly string[],
    /** Indexes of columns to right-align. */
    private readonly numeric: ReadonlySet<number> = new Set(),
  ) {}

  add(row: readonly (string | number)[]): this {
    this.rows.push(row.map((c) => String(c)));
    return this;
  }

  get size(): number {
    return this.rows.length;
  }

  render(): string {
    const widths = this.headers.map((h, i) => Math.max(h.length, ...this.rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: readonly string[]): string =>
      cells
        .map((c, i) => (this.numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
    return [line(this.headers), ...this.rows.map(line)].join('\n') + '\n';
  }
}

/** Two-column "Label: value" block for a single object. */
export function renderFields(fields: readonly (readonly [string, string | number])[]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`).join('\n') + '\n';
}
