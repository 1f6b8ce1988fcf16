// Flows list: create, open, duplicate, delete, import/export JSON, and each flow's validation status.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, describeError } from '../api/client';
import type { FlowDoc, FlowSummary } from '../api/types';
import { Link, useNavigation } from '../catalog';
import { useT } from '../i18n';
import { downloadJson } from '../lib/download';
import { usePermissions } from '../permissions';

type Status = { valid: true } | { valid: false; count: number } | { error: string };

export function FlowsPage() {
  const t = useT();
  const { navigate } = useNavigation();
  const { editFlows } = usePermissions();
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [statuses, setStatuses] = useState<Record<string, Status>>({});
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [newId, setNewId] = useState('');
  const [newName, setNewName] = useState('');
  const [copyOf, setCopyOf] = useState<string | null>(null);
  const [copyId, setCopyId] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      const list = await api.flows();
      setFlows(list);
      // Saved flows were valid when saved, but fields or plugins may have changed since: ask the host again.
      // Validation is an editing call (POST): a viewer's status column stays empty instead of showing 403s.
      for (const flow of editFlows ? list : []) {
        api.flow(flow.id)
          .then((doc) => api.validateFlow(doc))
          .then(() => setStatuses((s) => ({ ...s, [flow.id]: { valid: true } })))
          .catch((error) => setStatuses((s) => ({ ...s, [flow.id]: error instanceof ApiError && error.status === 400
            ? { valid: false, count: error.errors.length } : { error: describeError(error) } })));
      }
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  }, [editFlows]);

  useEffect(() => { void load(); }, [load]);

  const duplicate = async (from: string, to: string) => {
    try {
      const doc = await api.flow(from);
      await api.saveFlow({ ...doc, id: to, name: `${doc.name} (copy)` });
      setCopyOf(null);
      setCopyId('');
      await load();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  const remove = async (id: string) => {
    try {
      await api.deleteFlow(id);
      setDeleting(null);
      await load();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  const importFile = async (file: File) => {
    try {
      const doc = JSON.parse(await file.text()) as FlowDoc;
      await api.saveFlow(doc);
      setMessage({ kind: 'ok', text: t('flows.imported') });
      await load();
    } catch (error) {
      const details = error instanceof ApiError ? error.errors.map((e) => `${e.blockId ?? ''} ${e.path}: ${e.message}`).join('; ') : '';
      setMessage({ kind: 'error', text: `${describeError(error)} ${details}` });
    }
  };

  return (
    <div className="page" data-testid="flows-page">
      <h2>{t('flows.title')}</h2>
      {message && <div className={`banner ${message.kind}`} data-testid="flows-message">{message.text}</div>}
      {!editFlows && <p className="muted" data-testid="read-only">{t('perm.readOnly')}</p>}
      {editFlows && <form className="row-inline card" onSubmit={(e) => { e.preventDefault(); if (newId) navigate(`/flow/${newId}?name=${encodeURIComponent(newName || newId)}`); }}>
        <strong>{t('flows.new')}</strong>
        <label>{t('flows.id')} <input data-testid="new-flow-id" value={newId} pattern="[a-z0-9_\-]{1,64}" required onChange={(e) => setNewId(e.target.value)} placeholder="segunda-via" /></label>
        <label>{t('flows.name')} <input data-testid="new-flow-name" value={newName} onChange={(e) => setNewName(e.target.value)} /></label>
        <button type="submit" className="primary" data-testid="create-flow">{t('flows.create')}</button>
        <span className="grow" />
        <button type="button" data-testid="import-flow" onClick={() => fileInput.current?.click()}>{t('flows.import')}</button>
        <input ref={fileInput} type="file" accept="application/json,.json" hidden data-testid="import-file"
          onChange={(e) => { const file = e.target.files?.[0]; if (file) void importFile(file); e.target.value = ''; }} />
      </form>}
      {flows === null ? <p>{t('common.loading')}</p> : flows.length === 0 ? <p className="muted">{t('flows.empty')}</p> : (
        <table className="table" data-testid="flows-table">
          <thead>
            <tr><th>{t('flows.id')}</th><th>{t('flows.name')}</th><th>{t('flows.version')}</th><th>{t('flows.updated')}</th><th>{t('flows.status')}</th><th /></tr>
          </thead>
          <tbody>
            {flows.map((flow) => {
              const status = statuses[flow.id];
              return (
                <tr key={flow.id} data-testid={`flow-row-${flow.id}`}>
                  <td><Link to={`/flow/${flow.id}`} testId={`open-${flow.id}`}>{flow.id}</Link></td>
                  <td>{flow.name}</td>
                  <td>{flow.version}</td>
                  <td>{new Date(flow.updatedAt).toLocaleString()}</td>
                  <td data-testid={`flow-status-${flow.id}`}>
                    {!editFlows ? '—' : !status ? '…' : 'error' in status ? <span className="error">{status.error}</span>
                      : status.valid ? <span className="ok">✓ {t('flows.valid')}</span> : <span className="error">✗ {status.count} {t('flows.problems')}</span>}
                  </td>
                  <td className="actions">
                    <Link to={`/flow/${flow.id}`} className="button">{t('flows.open')}</Link>
                    {editFlows && (copyOf === flow.id ? (
                      <form className="inline" onSubmit={(e) => { e.preventDefault(); void duplicate(flow.id, copyId); }}>
                        <input autoFocus aria-label={t('flows.duplicateAs')} placeholder={t('flows.duplicateAs')} value={copyId} onChange={(e) => setCopyId(e.target.value)} />
                        <button type="submit">OK</button>
                        <button type="button" onClick={() => setCopyOf(null)}>{t('common.cancel')}</button>
                      </form>
                    ) : (
                      <button type="button" onClick={() => { setCopyOf(flow.id); setCopyId(`${flow.id}-copia`); }}>{t('flows.duplicate')}</button>
                    ))}
                    <button type="button" onClick={async () => downloadJson(`${flow.id}.flow.json`, await api.flow(flow.id))}>{t('flows.export')}</button>
                    {editFlows && (
                      <button type="button" className="danger" data-testid={`delete-${flow.id}`} onClick={() => (deleting === flow.id ? void remove(flow.id) : setDeleting(flow.id))}>
                        {deleting === flow.id ? t('common.confirmDelete') : t('common.delete')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
