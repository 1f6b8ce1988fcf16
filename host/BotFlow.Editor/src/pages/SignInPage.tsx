// The sign-in page: user name and password → the host's session cookie (HTTP-only) and an antiforgery token kept in memory.
// Shown at start when /api/auth/me answers 401, and over the open editor when a session expires (the editor stays
// mounted underneath, so an unsaved flow survives signing in again).
import { useState } from 'react';
import { ApiError, auth, describeError, type Me } from '../api/client';
import { useT } from '../i18n';

interface Props {
  onSignedIn: (me: Me) => void;
  onSwitchLang: () => void;
  /** The session ended while the editor was open: say so, and keep what is on screen. */
  expired?: boolean;
}

export function SignInPage({ onSignedIn, onSwitchLang, expired }: Props) {
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const me = await auth.signIn(username.trim(), password);
      setPassword('');
      onSignedIn(me);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setError(t('signin.failed'));
      else if (e instanceof ApiError && e.status === 429) setError(t('signin.tooMany', { seconds: e.retryAfter ?? 60 }));
      else setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={expired ? 'signin-overlay' : 'signin-screen'}>
      <form className="signin card" data-testid="signin-page" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <div className="signin-head">
          <h2>{t('app.title')}</h2>
          <button type="button" className="link" data-testid="signin-lang-switch" onClick={onSwitchLang}>{t('lang.switch')}</button>
        </div>
        <p className="muted">{expired ? t('signin.expired') : t('signin.intro')}</p>
        <label>{t('signin.username')}
          <input data-testid="signin-username" autoComplete="username" required autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>{t('signin.password')}
          <input data-testid="signin-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && <div className="banner error" role="alert" data-testid="signin-error">{error}</div>}
        <button type="submit" className="primary" data-testid="signin-submit" disabled={busy}>{busy ? t('signin.signingIn') : t('signin.submit')}</button>
      </form>
    </div>
  );
}
