// Registration fields: list, create or change, delete (the host refuses while a flow uses one).
import { useState } from 'react';
import { api, describeError } from '../api/client';
import { useCatalog } from '../catalog';
import { useT } from '../i18n';
import { usePermissions } from '../permissions';

const TYPES = ['text', 'number', 'email', 'phone', 'cpf', 'cnpj', 'date', 'boolean', 'option'];

export function FieldsPage() {
  const t = useT();
  const { fields, reload } = useCatalog();
  const { editFields } = usePermissions();
  const [key, setKey] = useState('');
  const [label, setLabel] = useState('');
  const [type, setType] = useState('text');
  const [options, setOptions] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const submit = async () => {
    try {
      await api.saveField(key, { label, type, options: type === 'option' ? options.split(',').map((o) => o.trim()).filter(Boolean) : undefined });
      setMessage({ kind: 'ok', text: t('common.saved') });
      setKey('');
      setLabel('');
      setOptions('');
      await reload();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  return (
    <div className="page" data-testid="fields-page">
      <h2>{t('fields.title')}</h2>
      {message && <div className={`banner ${message.kind}`} data-testid="fields-message">{message.text}</div>}
      {!editFields && <p className="muted" data-testid="read-only">{t('perm.readOnly')}</p>}
      {editFields && <form className="row-inline card" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label>{t('fields.key')} <input data-testid="field-key" required value={key} onChange={(e) => setKey(e.target.value)} /></label>
        <label>{t('fields.label')} <input data-testid="field-label" required value={label} onChange={(e) => setLabel(e.target.value)} /></label>
        <label>{t('fields.type')}
          <select data-testid="field-type" value={type} onChange={(e) => setType(e.target.value)}>{TYPES.map((x) => <option key={x}>{x}</option>)}</select>
        </label>
        {type === 'option' && <label>{t('fields.options')} <input value={options} onChange={(e) => setOptions(e.target.value)} /></label>}
        <button type="submit" className="primary" data-testid="field-save">{t('common.save')}</button>
      </form>}
      <table className="table" data-testid="fields-table">
        <thead><tr><th>{t('fields.key')}</th><th>{t('fields.label')}</th><th>{t('fields.type')}</th><th /></tr></thead>
        <tbody>
          {fields.map((field) => (
            <tr key={field.key} data-testid={`field-row-${field.key}`}>
              <td><code>{field.key}</code></td>
              <td>{field.label}</td>
              <td>{field.type}{field.options ? ` (${field.options.join(', ')})` : ''}</td>
              <td className="actions">
                {field.builtIn ? <span className="muted">{t('fields.builtIn')}</span> : editFields && (
                  <>
                    <button type="button" onClick={() => { setKey(field.key); setLabel(field.label); setType(field.type); setOptions((field.options ?? []).join(', ')); }}>{t('fields.edit')}</button>
                    <button type="button" className="danger" onClick={async () => {
                      try { await api.deleteField(field.key); await reload(); } catch (error) { setMessage({ kind: 'error', text: describeError(error) }); }
                    }}>{t('common.delete')}</button>
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
