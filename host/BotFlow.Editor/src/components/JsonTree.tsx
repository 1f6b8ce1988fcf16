// A collapsible JSON tree; each leaf is a button that hands its bracket path (data[url]) to onPick.
interface Props {
  value: unknown;
  onPick?: (path: string) => void;
  testId?: string;
}

const child = (path: string, key: string | number) => (path === '' ? String(key) : `${path}[${key}]`);

function Node({ name, value, path, onPick }: { name: string | null; value: unknown; path: string; onPick?: (path: string) => void }) {
  const label = name === null ? null : <span className="json-key">{name}: </span>;
  if (value !== null && typeof value === 'object') {
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    return (
      <details open className="json-node">
        <summary>
          {label}
          {brackets[0]}
          <span className="muted"> {entries.length} </span>
          {brackets[1]}
        </summary>
        <div className="json-children">
          {entries.map(([key, item]) => (
            <Node key={key} name={String(key)} value={item} path={child(path, key)} onPick={onPick} />
          ))}
        </div>
      </details>
    );
  }

  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return (
    <div className="json-leaf">
      {label}
      {onPick ? (
        <button type="button" className="json-value link" data-testid={`json-value-${path}`} title={`{${path}}`} onClick={() => onPick(path)}>
          {text}
        </button>
      ) : (
        <span className="json-value">{text}</span>
      )}
    </div>
  );
}

export function JsonTree({ value, onPick, testId }: Props) {
  return (
    <div className="json-tree" data-testid={testId}>
      <Node name={null} value={value} path="" onPick={onPick} />
    </div>
  );
}
