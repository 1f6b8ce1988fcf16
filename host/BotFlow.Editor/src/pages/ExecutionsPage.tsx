// Integration runs, newest first, with filters; request and response are shown as the host stored them (secrets masked).
import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api/client';
import type { ExecutionRecord, FlowSummary } from '../api/types';
import { useT } from '../i18n';

export function ExecutionsPage() {
  const t = useT();
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [flowId, setFlowId] = useState('');
  const [contactId, setContactId] = useState('');
  const [outcome, setOutcome] = useState('');
  const [items, setItems] = useState<ExecutionRecord[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setItems(await api.executions({ flowId, contactId, outcome, limit: 100 }));
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, [flowId, contactId, outcome]);

  useEffect(() => { api.flows().then(setFlows).catch(() => setFlows([])); }, []);
  useEffect(() => { void load(); }, [load]);

  return (
    <div className="page" data-testid="executions-page">
      <h2>{t('exec.title')}</h2>
      <form className="row-inline card" onSubmit={(e) => { e.preventDefault(); void load(); }}>
        <label>{t('exec.flow')}
          <select data-testid="exec-flow" value={flowId} onChange={(e) => setFlowId(e.target.value)}>
            <option value="">{t('exec.any')}</option>
            {flows.map((f) => <option key={f.id} value={f.id}>{f.id}</option>)}
          </select>
        </label>
        <label>{t('exec.contact')} <input data-testid="exec-contact" value={contactId} onChange={(e) => setContactId(e.target.value)} /></label>
        <label>{t('exec.outcome')}
          <select data-testid="exec-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
            <option value="">{t('exec.any')}</option>
            <option value="success">{t('exec.success')}</option>
            <option value="failure">{t('exec.failure')}</option>
          </select>
        </label>
        <button type="submit">{t('common.refresh')}</button>
      </form>
      {error && <div className="banner error">{error}</div>}
      {items === null ? <p>{t('common.loading')}</p> : items.length === 0 ? <p className="muted">{t('exec.empty')}</p> : (
        <table className="table" data-testid="executions-table">
          <thead>
            <tr><th>{t('exec.when')}</th><th>{t('exec.kind')}</th><th>{t('exec.flow')}</th><th>{t('exec.block')}</th><th>{t('exec.contact')}</th>
              <th>{t('exec.outcome')}</th><th>{t('exec.duration')}</th><th>{t('exec.job')}</th></tr>
          </thead>
          <tbody>
            {items.map((item, index) => {
              const key = `${item.id}-${item.attempt ?? index}`;
              return [
                <tr key={key} className="clickable" data-testid="execution-row" tabIndex={0} onClick={() => setOpen(open === key ? null : key)}
                  onKeyDown={(e) => { if (e.key === 'Enter') setOpen(open === key ? null : key); }}>
                  <td>{new Date(item.startedAt).toLocaleString()}</td>
                  <td>{item.kind}{item.attempt && item.attempt > 1 ? ` #${item.attempt}` : ''}</td>
                  <td>{item.flowId ?? '—'}{item.flowVersion ? ` v${item.flowVersion}` : ''}</td>
                  <td>{item.blockId ?? '—'}</td>
                  <td>{item.contactId ?? '—'}</td>
                  <td className={item.outcome === 'success' ? 'ok' : 'error'}>{item.outcome}{item.error ? `: ${item.error}` : ''}</td>
                  <td>{Math.round(item.durationMs)} ms</td>
                  <td>{item.jobId ? <a href={`/hangfire/jobs/details/${encodeURIComponent(item.jobId)}`} target="_blank" rel="noreferrer" data-testid="execution-job">{item.jobId}</a> : '—'}</td>
                </tr>,
                open === key && (
                  <tr key={`${key}-details`} className="details">
                    <td colSpan={8}>
                      <div className="two-columns">
                        <div><h4>{t('exec.request')}</h4><pre>{JSON.stringify(item.request, null, 2)}</pre></div>
                        <div><h4>{t('exec.response')}</h4><pre>{JSON.stringify(item.response, null, 2)}</pre></div>
                      </div>
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
