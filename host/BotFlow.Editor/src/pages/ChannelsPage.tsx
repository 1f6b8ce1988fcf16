// Channels: which provider reaches which flow, the webhook URL to paste into the provider's console, the outbox counts.
// Settings come from the channel type's list; secret settings are picked by secret NAME, never typed as values.
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, describeError } from '../api/client';
import type { ChannelInfo, ChannelType, FlowSummary } from '../api/types';
import { useCatalog } from '../catalog';
import { useT } from '../i18n';
import { usePermissions } from '../permissions';

interface Draft {
  id: string;
  type: string;
  flowId: string;
  settings: Record<string, string>;
}

const EMPTY: Draft = { id: '', type: '', flowId: '', settings: {} };

export function ChannelsPage() {
  const t = useT();
  const { secrets } = useCatalog();
  const { editChannels } = usePermissions();
  const [channels, setChannels] = useState<ChannelInfo[]>([]);
  const [types, setTypes] = useState<ChannelType[]>([]);
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [editing, setEditing] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [channelList, typeList, flowList] = await Promise.all([api.channels(), api.channelTypes(), api.flows()]);
      setChannels(channelList);
      setTypes(typeList);
      setFlows(flowList);
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  }, []);

  useEffect(() => { void load(); }, [load]);

  const type = types.find((candidate) => candidate.type === draft.type);
  const typeName = (id: string) => types.find((candidate) => candidate.type === id)?.displayName ?? id;

  const reset = () => {
    setDraft(EMPTY);
    setEditing(null);
    setFieldErrors({});
  };

  const submit = async () => {
    setFieldErrors({});
    setMessage(null);
    // Only the settings the chosen type has (switching type must not send the old type's settings) and not empty ones.
    const settings: Record<string, string> = {};
    for (const definition of type?.settings ?? []) {
      const value = draft.settings[definition.name];
      if (value) settings[definition.name] = value;
    }

    try {
      await api.saveChannel(draft.id, { type: draft.type, flowId: draft.flowId, settings });
      setMessage({ kind: 'ok', text: t('common.saved') });
      reset();
      await load();
    } catch (error) {
      if (error instanceof ApiError && error.errors.length > 0) {
        const byPath: Record<string, string> = {};
        for (const problem of error.errors) {
          byPath[problem.path] = byPath[problem.path] ? `${byPath[problem.path]}; ${problem.message}` : problem.message;
        }

        setFieldErrors(byPath);
      }

      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  const remove = async (id: string) => {
    if (!window.confirm(t('channels.confirmDelete', { id }))) return;
    try {
      await api.deleteChannel(id);
      if (editing === id) reset();
      await load();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  const copy = async (channel: ChannelInfo) => {
    try {
      await navigator.clipboard.writeText(channel.webhookUrl);
      setCopied(channel.id);
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  const fieldError = (path: string) => fieldErrors[path]
    ? <small className="error" data-testid={`channel-error-${path}`}>{fieldErrors[path]}</small>
    : null;

  const setSetting = (name: string, value: string) => setDraft({ ...draft, settings: { ...draft.settings, [name]: value } });

  return (
    <div className="page" data-testid="channels-page">
      <h2>{t('channels.title')}</h2>
      <p className="muted">{t('channels.hint')}</p>
      {message && <div className={`banner ${message.kind}`} data-testid="channels-message">{message.text}</div>}
      {!editChannels && <p className="muted" data-testid="read-only">{t('channels.adminOnly')}</p>}
      {editChannels && (
        <form className="card channel-form" data-testid="channel-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <h3>{editing ? t('channels.editing', { id: editing }) : t('channels.new')}</h3>
          <div className="row-inline">
            <label>{t('channels.id')}
              <input data-testid="channel-id" required disabled={editing !== null} value={draft.id} onChange={(e) => setDraft({ ...draft, id: e.target.value })} />
              {fieldError('id')}
            </label>
            <label>{t('channels.type')}
              <select data-testid="channel-type" value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })}>
                <option value="">{t('channels.pickType')}</option>
                {types.map((candidate) => <option key={candidate.type} value={candidate.type}>{candidate.displayName}</option>)}
              </select>
              {fieldError('type')}
            </label>
            <label>{t('channels.flow')}
              <select data-testid="channel-flow" value={draft.flowId} onChange={(e) => setDraft({ ...draft, flowId: e.target.value })}>
                <option value="">{t('channels.pickFlow')}</option>
                {flows.map((flow) => <option key={flow.id} value={flow.id}>{flow.name} ({flow.id})</option>)}
                {draft.flowId && !flows.some((flow) => flow.id === draft.flowId) && <option value={draft.flowId}>{draft.flowId}</option>}
              </select>
              {fieldError('flowId')}
            </label>
          </div>
          {type && (
            <div className="channel-settings" data-testid="channel-settings">
              {type.settings.map((definition) => {
                const value = draft.settings[definition.name] ?? '';
                return (
                  <label key={definition.name} className="channel-setting">
                    <span><code>{definition.name}</code>{definition.required && <span className="muted"> · {t('channels.required')}</span>}</span>
                    {definition.secret ? (
                      <select data-testid={`channel-setting-${definition.name}`} value={value} onChange={(e) => setSetting(definition.name, e.target.value)}>
                        <option value="">{t('channels.pickSecret')}</option>
                        {secrets.map((secret) => <option key={secret.name} value={secret.name}>{secret.name}</option>)}
                        {value && !secrets.some((secret) => secret.name === value) && <option value={value}>{value}</option>}
                      </select>
                    ) : (
                      <input data-testid={`channel-setting-${definition.name}`} value={value} onChange={(e) => setSetting(definition.name, e.target.value)} />
                    )}
                    <small className="muted">{definition.secret ? `${t('channels.secretHint')} — ` : ''}{definition.description}</small>
                    {fieldError(`settings.${definition.name}`)}
                  </label>
                );
              })}
            </div>
          )}
          <div className="row-inline">
            <button type="submit" className="primary" data-testid="channel-save">{t('common.save')}</button>
            {(editing || draft.id) && <button type="button" onClick={reset}>{t('common.cancel')}</button>}
          </div>
        </form>
      )}
      <table className="table" data-testid="channels-table">
        <thead>
          <tr>
            <th>{t('channels.id')}</th><th>{t('channels.type')}</th><th>{t('channels.flow')}</th><th>{t('channels.webhookUrl')}</th>
            <th>{t('channels.pending')}</th><th>{t('channels.failed')}</th><th />
          </tr>
        </thead>
        <tbody>
          {channels.length === 0 && <tr><td colSpan={7} className="muted">{t('channels.empty')}</td></tr>}
          {channels.map((channel) => (
            <tr key={channel.id} data-testid={`channel-row-${channel.id}`}>
              <td><code>{channel.id}</code></td>
              <td>{typeName(channel.type)}</td>
              <td>{flows.find((flow) => flow.id === channel.flowId)?.name ?? channel.flowId}</td>
              <td>
                <code data-testid={`channel-webhook-${channel.id}`}>{channel.webhookUrl}</code>{' '}
                <button type="button" data-testid={`channel-copy-${channel.id}`} onClick={() => void copy(channel)}>
                  {copied === channel.id ? t('channels.copied') : t('channels.copy')}
                </button>
              </td>
              <td data-testid={`channel-pending-${channel.id}`}>{channel.pending}</td>
              <td data-testid={`channel-failed-${channel.id}`} className={channel.failed > 0 ? 'error' : ''}>{channel.failed}</td>
              <td className="actions">
                {editChannels && (
                  <>
                    <button type="button" data-testid={`channel-edit-${channel.id}`} onClick={() => {
                      setDraft({ id: channel.id, type: channel.type, flowId: channel.flowId, settings: { ...channel.settings } });
                      setEditing(channel.id);
                      setFieldErrors({});
                    }}>{t('channels.edit')}</button>
                    <button type="button" className="danger" data-testid={`channel-delete-${channel.id}`} onClick={() => void remove(channel.id)}>{t('common.delete')}</button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
