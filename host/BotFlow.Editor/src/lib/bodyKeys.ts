// Turns a partner's example JSON into body rows (the inverse of the host's BodyBuilder) and compares shapes.
import type { BodyRow, BodyValueType } from '../api/types';

export function rowsFromExample(example: unknown): BodyRow[] {
  const rows: BodyRow[] = [];
  const walk = (value: unknown, key: string) => {
    if (Array.isArray(value)) {
      if (value.length === 0) {
        rows.push({ key, value: '[]', type: 'json' });
      }

      value.forEach((item, index) => walk(item, `${key}[${index}]`));
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0) {
        rows.push({ key, value: '{}', type: 'json' });
      }

      for (const [name, child] of entries) {
        walk(child, key === '' ? name : `${key}[${name}]`);
      }
    } else {
      rows.push(leaf(key, value));
    }
  };
  walk(example, '');
  return rows;
}

function leaf(key: string, value: unknown): BodyRow {
  const type: BodyValueType = value === null ? 'null' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
  return type === 'string' ? { key, value: String(value) } : type === 'null' ? { key, type } : { key, value: String(value), type };
}

export interface ShapeDifference {
  path: string;
  kind: 'missing' | 'extra' | 'type';
}

const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** Where the built JSON's shape differs from the example's (values themselves are samples, so only shape and types count). */
export function compareShapes(example: unknown, built: unknown, path = ''): ShapeDifference[] {
  const expected = kindOf(example);
  const actual = kindOf(built);
  if (built === undefined) {
    return [{ path: path || '$', kind: 'missing' }];
  }

  if (expected !== actual) {
    return [{ path: path || '$', kind: 'type' }];
  }

  const differences: ShapeDifference[] = [];
  if (expected === 'array') {
    const a = example as unknown[];
    const b = built as unknown[];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const child = `${path}[${i}]`;
      if (i >= b.length) differences.push({ path: child, kind: 'missing' });
      else if (i >= a.length) differences.push({ path: child, kind: 'extra' });
      else differences.push(...compareShapes(a[i], b[i], child));
    }
  } else if (expected === 'object') {
    const a = example as Record<string, unknown>;
    const b = built as Record<string, unknown>;
    for (const key of Object.keys(a)) {
      const child = path === '' ? key : `${path}[${key}]`;
      differences.push(...(key in b ? compareShapes(a[key], b[key], child) : [{ path: child, kind: 'missing' as const }]));
    }

    for (const key of Object.keys(b)) {
      if (!(key in a)) differences.push({ path: path === '' ? key : `${path}[${key}]`, kind: 'extra' });
    }
  }

  return differences;
}

/** "config.body[2].key: message" → { section: "body", index: 2, prop: "key", message }. */
export function parseRowError(error: string): { section: string; index: number; prop: string; message: string } | null {
  const match = /^config\.(\w+)\[(\d+)\](?:\.(\w+))?:\s*(.*)$/s.exec(error);
  return match ? { section: match[1], index: Number(match[2]), prop: match[3] ?? '', message: match[4] } : null;
}
