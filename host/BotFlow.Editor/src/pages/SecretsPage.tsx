// Secrets: names only. A value can be set or replaced, never read back.
import { useState } from 'react';
import { api, describeError } from '../api/client';
import { useCatalog } from '../catalog';
import { useT } from '../i18n';
import { usePermissions } from '../permissions';

export function SecretsPage() {
  const t = useT();
  const { secrets, reload } = useCatalog();
  const { writeSecrets } = usePermissions();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const submit = async () => {
    try {
      await api.setSecret(name, value);
      setValue('');
      setMessage({ kind: 'ok', text: t('common.saved') });
      await reload();
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  return (
    <div className="page" data-testid="secrets-page">
      <h2>{t('secrets.title')}</h2>
      <p className="muted">{t('secrets.hint')}</p>
      {message && <div className={`banner ${message.kind}`} data-testid="secrets-message">{message.text}</div>}
      {!writeSecrets && <p className="muted" data-testid="read-only">{t('perm.secretsAdminOnly')}</p>}
      {writeSecrets && <form className="row-inline card" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label>{t('secrets.name')} <input data-testid="secret-name" required value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label>{t('secrets.value')} <input data-testid="secret-value" type="password" autoComplete="off" required value={value} onChange={(e) => setValue(e.target.value)} /></label>
        <button type="submit" className="primary" data-testid="secret-save">{t('secrets.set')}</button>
      </form>}
      <table className="table" data-testid="secrets-table">
        <thead><tr><th>{t('secrets.name')}</th><th>{t('secrets.updated')}</th><th /></tr></thead>
        <tbody>
          {secrets.map((secret) => (
            <tr key={secret.name} data-testid={`secret-row-${secret.name}`}>
              <td><code>{secret.name}</code></td>
              <td>{new Date(secret.updatedAt).toLocaleString()}</td>
              <td className="actions">
                {writeSecrets && <>
                <button type="button" onClick={() => { setName(secret.name); setValue(''); }}>{t('secrets.replace')}</button>
                <button type="button" className="danger" onClick={async () => {
                  try { await api.deleteSecret(secret.name); await reload(); } catch (error) { setMessage({ kind: 'error', text: describeError(error) }); }
                }}>{t('common.delete')}</button>
                </>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
