// The dedicated form of the Integration block: rows for headers and body with text/field toggles, a live JSON preview,
// an example-JSON box that fills the rows, the Test button with a clickable response tree, settings and the script.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { AuthConfig, BodyRow, BodyValueType, FieldDefinition, IntegrationConfig, KeyValueRow, PreviewAnswer, SaveRow, SecretInfo, TestAnswer } from '../api/types';
import { api, ApiError, describeError } from '../api/client';
import { useT } from '../i18n';
import { compareShapes, parseRowError, rowsFromExample, type ShapeDifference } from '../lib/bodyKeys';
import { JsonTree } from './JsonTree';
import { ScriptPanel } from './ScriptPanel';
import { usePermissions } from '../permissions';

interface Props {
  config: IntegrationConfig;
  onChange: (config: IntegrationConfig) => void;
  fields: FieldDefinition[];
  secrets: SecretInfo[];
  /** Save-time errors by path relative to the config ("url", "body[2].key"). */
  errors: Record<string, string>;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const TYPES: BodyValueType[] = ['string', 'number', 'boolean', 'null', 'json'];
const SECRET_REF = /^\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;
const secretRef = (name: string) => (name ? `{{ secrets.${name} }}` : undefined);

function move<T>(items: T[], from: number, to: number): T[] {
  if (to < 0 || to >= items.length) return items;
  const copy = [...items];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item);
  return copy;
}

export function IntegrationForm({ config, onChange, fields, secrets, errors }: Props) {
  const t = useT();
  const [sample, setSample] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<PreviewAnswer | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [example, setExample] = useState('');
  const [exampleError, setExampleError] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<TestAnswer | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const [insertInto, setInsertInto] = useState<'message' | 'save'>('message');
  const messageRef = useRef<HTMLTextAreaElement>(null);

  const set = (patch: Partial<IntegrationConfig>) => {
    const next: IntegrationConfig = { ...config, ...patch };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || (Array.isArray(value) && value.length === 0)) delete next[key];
    }

    onChange(next);
  };

  const body = config.body ?? [];
  const usedFields = useMemo(() => [...new Set(body.map((r) => r.field).filter((f): f is string => !!f))], [body]);
  const sampleFields = useMemo(() => Object.fromEntries(Object.entries(sample).filter(([k, v]) => v !== '' && usedFields.includes(k))), [sample, usedFields]);

  const { testIntegrations } = usePermissions();

  // The preview follows every change, debounced so typing does not flood the host. It is an editing call (POST):
  // a viewer sees the rows only.
  useEffect(() => {
    if (!testIntegrations) return undefined;
    const timer = setTimeout(() => {
      api.preview({ config, fields: sampleFields })
        .then((answer) => { setPreview(answer); setPreviewError(null); })
        .catch((error) => setPreviewError(describeError(error)));
    }, 250);
    return () => clearTimeout(timer);
  }, [config, sampleFields, testIntegrations]);

  // Preview errors name their row ("config.body[2].key: …"): shown at that row; the rest above the preview.
  const rowErrors = new Map<string, string>();
  const otherErrors: string[] = [];
  for (const error of preview?.errors ?? []) {
    const parsed = parseRowError(error);
    if (parsed) rowErrors.set(`${parsed.section}[${parsed.index}]`, parsed.message);
    else otherErrors.push(error);
  }

  for (const [path, message] of Object.entries(errors)) {
    const match = /^(\w+)\[(\d+)\]/.exec(path);
    if (match && !rowErrors.has(`${match[1]}[${match[2]}]`)) rowErrors.set(`${match[1]}[${match[2]}]`, message);
  }

  let exampleJson: unknown = undefined;
  try {
    exampleJson = example.trim() ? JSON.parse(example) : undefined;
  } catch {
    exampleJson = undefined;
  }

  const differences: ShapeDifference[] | null = exampleJson !== undefined && preview?.body != null ? compareShapes(exampleJson, preview.body) : null;

  const fillRows = () => {
    try {
      const parsed = JSON.parse(example);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      setExampleError(null);
      set({ body: rowsFromExample(parsed) });
    } catch {
      setExampleError(t('integration.invalidExample'));
    }
  };

  const runTest = async (overrides?: Partial<IntegrationConfig>) => {
    setTesting(true);
    setTestError(null);
    try {
      const answer = await api.test({ config: { ...config, ...overrides }, fields: sampleFields });
      setTest(answer);
      return answer;
    } catch (error) {
      setTestError(error instanceof ApiError && error.errors.length > 0 ? error.errors.map((e) => `${e.path}: ${e.message}`).join('\n') : describeError(error));
      return null;
    } finally {
      setTesting(false);
    }
  };

  const insertPlaceholder = (path: string) => {
    if (insertInto === 'save') {
      set({ save: [...(config.save ?? []), { field: '', path }] });
      return;
    }

    const placeholder = `{${path}}`;
    const message = config.message ?? '';
    const area = messageRef.current;
    const at = area && document.activeElement === area ? area.selectionStart : message.length;
    set({ message: message.slice(0, at) + placeholder + message.slice(at) });
  };

  return (
    <div className="integration-form" data-testid="integration-form">
      <div className="row-inline">
        <label>
          {t('integration.method')}
          <select data-testid="integration-method" value={config.method ?? 'GET'} onChange={(e) => set({ method: e.target.value })}>
            {METHODS.map((m) => <option key={m}>{m}</option>)}
          </select>
        </label>
        <label className="grow">
          {t('integration.url')}
          <input data-testid="integration-url" value={config.url ?? ''} onChange={(e) => set({ url: e.target.value })} placeholder="https://api.example.com/…" />
        </label>
      </div>
      {errors.url && <small className="error">{errors.url}</small>}

      <KeyValueRows title={t('integration.headers')} section="headers" rows={config.headers ?? []} secrets={secrets} errors={rowErrors}
        onChange={(headers) => set({ headers })} />

      <section>
        <h4>{t('integration.body')}</h4>
        {body.map((row, index) => (
          <BodyRowEditor key={index} index={index} row={row} fields={fields} count={body.length} error={rowErrors.get(`body[${index}]`)}
            onChange={(next) => set({ body: body.map((r, i) => (i === index ? next : r)) })}
            onMove={(to) => set({ body: move(body, index, to) })}
            onRemove={() => set({ body: body.filter((_, i) => i !== index) })} />
        ))}
        <button type="button" className="small" data-testid="body-add" onClick={() => set({ body: [...body, { key: '', value: '' }] })}>
          + {t('integration.addRow')}
        </button>
      </section>

      <div className="two-columns">
        <section>
          <h4>{t('integration.preview')}</h4>
          {previewError && <div className="error">{previewError}</div>}
          {otherErrors.map((e) => <div key={e} className="error" data-testid="preview-error">{e}</div>)}
          <pre className="json-preview" data-testid="integration-preview">{preview ? JSON.stringify(preview.body, null, 2) : '…'}</pre>
        </section>
        <section>
          <h4>{t('integration.example')}</h4>
          <textarea data-testid="integration-example" rows={6} value={example} onChange={(e) => setExample(e.target.value)} placeholder='{"deal":{"name":"x"}}' />
          <button type="button" className="small" data-testid="integration-fill-rows" onClick={fillRows} disabled={!example.trim()}>{t('integration.fillRows')}</button>
          {exampleError && <div className="error">{exampleError}</div>}
          {differences && (
            <ul className="differences" data-testid="integration-differences">
              {differences.length === 0 ? <li className="ok">{t('integration.same')}</li> : differences.map((d) => (
                <li key={d.path + d.kind} className="error"><code>{d.path}</code>: {t(d.kind === 'missing' ? 'integration.missing' : d.kind === 'extra' ? 'integration.extra' : 'integration.typeDiffers')}</li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section>
        <h4>{t('integration.sample')}</h4>
        {usedFields.length === 0 && <small className="muted">{t('common.none')}</small>}
        {usedFields.map((key) => (
          <label key={key} className="sample-row">
            <span className="fixed">{key}</span>
            <input data-testid={`sample-${key}`} value={sample[key] ?? ''} onChange={(e) => setSample({ ...sample, [key]: e.target.value })} />
          </label>
        ))}
        <div className="row-inline">
          {testIntegrations && (
            <button type="button" className="primary" data-testid="integration-test" disabled={testing} onClick={() => void runTest()}>
              {testing ? t('integration.testing') : t('integration.test')}
            </button>
          )}
          <label>
            {t('integration.insertInto')}
            <select data-testid="insert-into" value={insertInto} onChange={(e) => setInsertInto(e.target.value as 'message' | 'save')}>
              <option value="message">{t('integration.insertMessage')}</option>
              <option value="save">{t('integration.insertSave')}</option>
            </select>
          </label>
        </div>
        {testError && <pre className="error" data-testid="test-error">{testError}</pre>}
        {test && <TestResult test={test} onPick={insertPlaceholder} />}
      </section>

      <section>
        <h4>{t('integration.message')}</h4>
        <textarea ref={messageRef} data-testid="integration-message" rows={2} value={config.message ?? ''}
          onChange={(e) => set({ message: e.target.value || undefined })} />
        {errors.message && <small className="error">{errors.message}</small>}
      </section>

      <SaveRows rows={config.save ?? []} fields={fields} errors={rowErrors} onChange={(save) => set({ save })} />

      <details className="settings" data-testid="integration-settings">
        <summary>{t('integration.settings')}</summary>
        <div className="row-inline">
          <label>
            {t('integration.timeout')}
            <input type="number" min={1} max={60} data-testid="integration-timeout" value={config.timeoutSeconds ?? 15}
              onChange={(e) => set({ timeoutSeconds: e.target.value === '' ? undefined : Number(e.target.value) })} />
          </label>
          <label>
            {t('integration.successStatus')}
            <input value={config.successStatus ?? ''} placeholder="200-299" onChange={(e) => set({ successStatus: e.target.value || undefined })} />
          </label>
        </div>
        <div className="row-inline">
          <label>
            {t('integration.inlineAttempts')}
            <input type="number" min={1} max={5} data-testid="integration-inline-attempts" value={config.retry?.inlineAttempts ?? 1}
              onChange={(e) => set({ retry: { ...config.retry, inlineAttempts: Number(e.target.value) } })} />
          </label>
          <label>
            {t('integration.backgroundAttempts')}
            <input type="number" min={0} max={10} value={config.retry?.backgroundAttempts ?? 0}
              onChange={(e) => set({ retry: { ...config.retry, backgroundAttempts: Number(e.target.value) } })} />
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={config.runInBackground === true} onChange={(e) => set({ runInBackground: e.target.checked || undefined })} />
            {t('integration.runInBackground')}
          </label>
        </div>
        <AuthEditor auth={config.auth} secrets={secrets} onChange={(auth) => set({ auth })} />
      </details>

      <ScriptPanel script={config.script ?? ''} onChange={(script) => set({ script: script || undefined })} canRun={test !== null}
        run={async (script) => runTest({ script })} />
    </div>
  );
}

function SecretSelect({ value, secrets, onChange, testId }: { value?: string; secrets: SecretInfo[]; onChange: (value: string | undefined) => void; testId?: string }) {
  const t = useT();
  const name = SECRET_REF.exec(value ?? '')?.[1] ?? '';
  return (
    <select data-testid={testId} value={name} onChange={(e) => onChange(secretRef(e.target.value))}>
      <option value="">{t('integration.pickSecret')}</option>
      {secrets.map((s) => <option key={s.name} value={s.name}>{s.name}</option>)}
    </select>
  );
}

function KeyValueRows({ title, section, rows, secrets, errors, onChange }: {
  title: string; section: string; rows: KeyValueRow[]; secrets: SecretInfo[]; errors: Map<string, string>; onChange: (rows: KeyValueRow[]) => void;
}) {
  const t = useT();
  const update = (index: number, patch: Partial<KeyValueRow>) => onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  return (
    <section>
      <h4>{title}</h4>
      {rows.map((row, index) => (
        <div key={index}>
          <div className="kv-row">
            <input aria-label={t('integration.key')} placeholder={t('integration.key')} data-testid={`${section}-key-${index}`} value={row.key}
              onChange={(e) => update(index, { key: e.target.value })} />
            <input aria-label={t('integration.value')} placeholder={t('integration.value')} data-testid={`${section}-value-${index}`} value={row.value ?? ''}
              onChange={(e) => update(index, { value: e.target.value })} />
            {/* Secrets are inserted by name as a template; their values never reach the browser. */}
            <select aria-label={t('integration.secret')} className="small" data-testid={`${section}-secret-${index}`} value=""
              onChange={(e) => e.target.value && update(index, { value: `${row.value ?? ''}{{ secrets.${e.target.value} }}` })}>
              <option value="">+ {t('integration.secret')}</option>
              {secrets.map((s) => <option key={s.name} value={s.name}>{s.name}</option>)}
            </select>
            <RowButtons index={index} count={rows.length} testId={section}
              onMove={(to) => onChange(move(rows, index, to))} onRemove={() => onChange(rows.filter((_, i) => i !== index))} />
          </div>
          {errors.get(`${section}[${index}]`) && <small className="error" data-testid={`row-error-${section}-${index}`}>{errors.get(`${section}[${index}]`)}</small>}
        </div>
      ))}
      <button type="button" className="small" data-testid={`${section}-add`} onClick={() => onChange([...rows, { key: '', value: '' }])}>+ {t('integration.addRow')}</button>
    </section>
  );
}

function RowButtons({ index, count, testId, onMove, onRemove }: { index: number; count: number; testId: string; onMove: (to: number) => void; onRemove: () => void }) {
  const t = useT();
  return (
    <span className="row-buttons">
      <button type="button" className="small" title={t('common.up')} aria-label={t('common.up')} data-testid={`${testId}-up-${index}`} disabled={index === 0} onClick={() => onMove(index - 1)}>↑</button>
      <button type="button" className="small" title={t('common.down')} aria-label={t('common.down')} data-testid={`${testId}-down-${index}`} disabled={index === count - 1} onClick={() => onMove(index + 1)}>↓</button>
      <button type="button" className="small" title={t('common.remove')} aria-label={t('common.remove')} data-testid={`${testId}-remove-${index}`} onClick={onRemove}>✕</button>
    </span>
  );
}

function BodyRowEditor({ index, row, fields, count, error, onChange, onMove, onRemove }: {
  index: number; row: BodyRow; fields: FieldDefinition[]; count: number; error?: string;
  onChange: (row: BodyRow) => void; onMove: (to: number) => void; onRemove: () => void;
}) {
  const t = useT();
  const isField = row.field !== undefined;
  const toggle = () => {
    const { value: _value, field: _field, ...rest } = row;
    onChange(isField ? { ...rest, value: '' } : { ...rest, field: '' });
  };

  return (
    <div>
      <div className="kv-row">
        <input aria-label={t('integration.key')} placeholder="deal[name]" data-testid={`body-key-${index}`} value={row.key} onChange={(e) => onChange({ ...row, key: e.target.value })} />
        <button type="button" className={`toggle ${isField ? 'on' : ''}`} data-testid={`body-mode-${index}`} aria-pressed={isField} onClick={toggle}
          title={isField ? t('integration.mode.field') : t('integration.mode.text')}>
          {isField ? t('integration.mode.field') : t('integration.mode.text')}
        </button>
        {isField ? (
          <select aria-label={t('integration.mode.field')} data-testid={`body-field-${index}`} value={row.field} onChange={(e) => onChange({ ...row, field: e.target.value })}>
            <option value="">{t('form.pickField')}</option>
            {fields.map((f) => <option key={f.key} value={f.key}>{f.label} ({f.key})</option>)}
          </select>
        ) : (
          <input aria-label={t('integration.value')} placeholder={t('integration.value')} data-testid={`body-value-${index}`} value={row.value ?? ''}
            onChange={(e) => onChange({ ...row, value: e.target.value })} />
        )}
        <select aria-label={t('integration.type')} data-testid={`body-type-${index}`} value={row.type ?? 'string'}
          onChange={(e) => {
            const { type: _type, ...rest } = row;
            onChange(e.target.value === 'string' ? rest : { ...rest, type: e.target.value as BodyValueType });
          }}>
          {TYPES.map((type) => <option key={type}>{type}</option>)}
        </select>
        <RowButtons index={index} count={count} testId="body" onMove={onMove} onRemove={onRemove} />
      </div>
      {error && <small className="error" data-testid={`row-error-body-${index}`}>{error}</small>}
    </div>
  );
}

function SaveRows({ rows, fields, errors, onChange }: { rows: SaveRow[]; fields: FieldDefinition[]; errors: Map<string, string>; onChange: (rows: SaveRow[]) => void }) {
  const t = useT();
  const update = (index: number, next: SaveRow) => onChange(rows.map((r, i) => (i === index ? next : r)));
  return (
    <section>
      <h4>{t('integration.save')}</h4>
      {rows.map((row, index) => {
        const toVar = row.var !== undefined;
        return (
          <div key={index}>
            <div className="kv-row">
              <input aria-label={t('integration.path')} placeholder="data[url]" data-testid={`save-path-${index}`} value={row.path}
                onChange={(e) => update(index, { ...row, path: e.target.value })} />
              <select aria-label={t('integration.target')} value={toVar ? 'var' : 'field'}
                onChange={(e) => update(index, e.target.value === 'var' ? { path: row.path, var: '' } : { path: row.path, field: '' })}>
                <option value="field">{t('integration.toField')}</option>
                <option value="var">{t('integration.toVar')}</option>
              </select>
              {toVar ? (
                <input aria-label={t('integration.toVar')} value={row.var ?? ''} onChange={(e) => update(index, { ...row, var: e.target.value })} />
              ) : (
                <select aria-label={t('integration.toField')} data-testid={`save-field-${index}`} value={row.field ?? ''} onChange={(e) => update(index, { ...row, field: e.target.value })}>
                  <option value="">{t('form.pickField')}</option>
                  {fields.map((f) => <option key={f.key} value={f.key}>{f.label} ({f.key})</option>)}
                </select>
              )}
              <RowButtons index={index} count={rows.length} testId="save" onMove={(to) => onChange(move(rows, index, to))}
                onRemove={() => onChange(rows.filter((_, i) => i !== index))} />
            </div>
            {errors.get(`save[${index}]`) && <small className="error">{errors.get(`save[${index}]`)}</small>}
          </div>
        );
      })}
      <button type="button" className="small" data-testid="save-add" onClick={() => onChange([...rows, { field: '', path: '' }])}>+ {t('integration.addRow')}</button>
    </section>
  );
}

function AuthEditor({ auth, secrets, onChange }: { auth?: AuthConfig; secrets: SecretInfo[]; onChange: (auth: AuthConfig | undefined) => void }) {
  const t = useT();
  const type = auth?.type ?? '';
  const set = (patch: Partial<AuthConfig>) => onChange({ ...(auth ?? { type }), ...patch });
  return (
    <div className="auth">
      <label>
        {t('integration.auth')}
        <select data-testid="auth-type" value={type} onChange={(e) => onChange(e.target.value ? { type: e.target.value } : undefined)}>
          <option value="">{t('integration.auth.none')}</option>
          <option value="bearer">Bearer</option>
          <option value="basic">Basic</option>
          <option value="oauth2-client-credentials">OAuth2 client credentials</option>
        </select>
      </label>
      {type === 'bearer' && (
        <label>Token ({t('integration.secret')}) <SecretSelect testId="auth-token" value={auth?.token} secrets={secrets} onChange={(token) => set({ token })} /></label>
      )}
      {type === 'basic' && (
        <>
          <label>{t('integration.username')} <input value={auth?.username ?? ''} onChange={(e) => set({ username: e.target.value })} /></label>
          <label>Password ({t('integration.secret')}) <SecretSelect value={auth?.password} secrets={secrets} onChange={(password) => set({ password })} /></label>
        </>
      )}
      {type === 'oauth2-client-credentials' && (
        <>
          <label>{t('integration.tokenUrl')} <input value={auth?.tokenUrl ?? ''} onChange={(e) => set({ tokenUrl: e.target.value })} /></label>
          <label>{t('integration.clientId')} <input value={auth?.clientId ?? ''} onChange={(e) => set({ clientId: e.target.value })} /></label>
          <label>Client secret ({t('integration.secret')}) <SecretSelect value={auth?.clientSecret} secrets={secrets} onChange={(clientSecret) => set({ clientSecret })} /></label>
          <label>{t('integration.scope')} <input value={auth?.scope ?? ''} onChange={(e) => set({ scope: e.target.value || undefined })} /></label>
        </>
      )}
    </div>
  );
}

function TestResult({ test, onPick }: { test: TestAnswer; onPick: (path: string) => void }) {
  const t = useT();
  const { response } = test;
  return (
    <div className="test-result" data-testid="test-result">
      <div className="row-inline">
        <span>{t('integration.status')}: <strong data-testid="test-status" className={response.status >= 200 && response.status < 300 ? 'ok' : 'error'}>{response.status}</strong></span>
        <span>{t('integration.time')}: <strong data-testid="test-time">{Math.round(response.elapsedMs)} ms</strong></span>
        <span>{t('integration.outcome')}: <strong data-testid="test-outcome">{test.outcome}</strong></span>
      </div>
      {response.error && <div className="error" data-testid="test-response-error">{response.error}</div>}
      {test.message !== null && <div>{t('integration.sentMessage')}: <q data-testid="test-message">{test.message}</q></div>}
      <details>
        <summary>{t('integration.request')}</summary>
        <pre>{JSON.stringify(test.request, null, 2)}</pre>
      </details>
      <details data-testid="test-headers">
        <summary>{t('integration.responseHeaders')}</summary>
        <table className="compact">
          <tbody>{Object.entries(response.headers).map(([name, value]) => <tr key={name}><td>{name}</td><td>{value}</td></tr>)}</tbody>
        </table>
      </details>
      <div>{t('integration.responseBody')}</div>
      <JsonTree value={response.body} onPick={onPick} testId="test-body" />
      {(Object.keys(test.saved.fields).length > 0 || Object.keys(test.saved.vars).length > 0) && (
        <div>{t('integration.savedValues')}: <code>{JSON.stringify(test.saved)}</code></div>
      )}
      {test.warnings.length > 0 && <ul className="warnings">{test.warnings.map((w) => <li key={w}>{w}</li>)}</ul>}
    </div>
  );
}
