// The shell: who is signed in, navigation, language switch, the shared catalog and a hash router (the host's SPA
// fallback serves index.html).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, auth, describeError, onSessionExpired, type Me } from './api/client';
import type { BlockType, FieldDefinition, SecretInfo } from './api/types';
import { CatalogContext, Link, NavigationContext } from './catalog';
import { LangContext, translator, type LabelKey, type Lang } from './i18n';
import { FlowsPage } from './pages/FlowsPage';
import { FlowEditor } from './pages/FlowEditor';
import { FieldsPage } from './pages/FieldsPage';
import { ChannelsPage } from './pages/ChannelsPage';
import { SecretsPage } from './pages/SecretsPage';
import { SimulatorPage } from './pages/SimulatorPage';
import { ExecutionsPage } from './pages/ExecutionsPage';
import { SignInPage } from './pages/SignInPage';
import { PermissionsContext, permissionsFor } from './permissions';

const ROLES = ['admin', 'editor', 'channel', 'viewer'];

const currentPath = () => window.location.hash.replace(/^#/, '') || '/flows';

export function App() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem('botflow.lang') as Lang | null) ?? 'pt');
  const t = useMemo(() => translator(lang), [lang]);
  const [path, setPath] = useState(currentPath);
  const [blockTypes, setBlockTypes] = useState<BlockType[]>([]);
  const [fields, setFields] = useState<FieldDefinition[]>([]);
  const [secrets, setSecrets] = useState<SecretInfo[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const dirty = useRef(false);
  // undefined while asking the host who we are; null when nobody is signed in.
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const permissions = useMemo(() => permissionsFor(me?.role ?? ''), [me?.role]);

  useEffect(() => {
    auth.me()
      .then(setMe)
      .catch((error) => {
        if (error instanceof ApiError && error.status === 401) setMe(null);
        else setStartError(describeError(error));
      });
  }, []);

  // Any call answering 401 later means the session ended: the sign-in form goes over the editor, which stays mounted.
  useEffect(() => {
    onSessionExpired(() => setExpired(true));
    return () => onSessionExpired(null);
  }, []);

  const reload = useCallback(async () => {
    // The channel role reads no configuration (the host would answer 403): it only gets the simulator.
    if (!permissions.readConfig) return;
    try {
      const [types, fieldList, secretList] = await Promise.all([api.blockTypes(), api.fields(), api.secrets()]);
      setBlockTypes(types);
      setFields(fieldList);
      setSecrets(secretList);
      setLoadError(null);
    } catch (error) {
      setLoadError(describeError(error));
    }
  }, [permissions.readConfig]);

  // Load the catalog once per user, not per sign-in: signing in again after an expired session must not reload it,
  // or the open editor would re-read its flow and drop the unsaved changes the overlay kept on screen.
  const signedInAs = me ? `${me.name}\n${me.role}` : null;
  useEffect(() => { if (signedInAs) void reload(); }, [signedInAs, reload]);
  useEffect(() => {
    const onHash = () => setPath(currentPath());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    localStorage.setItem('botflow.lang', lang);
    document.documentElement.lang = lang === 'pt' ? 'pt-BR' : 'en';
  }, [lang]);

  const navigation = useMemo(() => ({
    navigate: (to: string) => {
      if (dirty.current && !window.confirm(t('unsaved.confirm'))) return;
      dirty.current = false;
      window.location.hash = to;
    },
    setDirty: (value: boolean) => { dirty.current = value; },
  }), [t]);

  const switchLang = () => setLang(lang === 'pt' ? 'en' : 'pt');
  const signedIn = (next: Me) => {
    setMe(next);
    setExpired(false);
  };
  const signOut = async () => {
    if (dirty.current && !window.confirm(t('unsaved.confirm'))) return;
    dirty.current = false;
    try {
      await auth.signOut();
    } catch {
      // Already signed out (an expired cookie): the sign-in page is where we go either way.
    }
    setMe(null);
    setExpired(false);
  };

  if (me === undefined) {
    return (
      <LangContext.Provider value={{ lang, t }}>
        <div className="page" data-testid="app-loading">{startError ? <div className="banner error">{startError}</div> : t('common.loading')}</div>
      </LangContext.Provider>
    );
  }

  if (me === null) {
    return (
      <LangContext.Provider value={{ lang, t }}>
        <SignInPage onSignedIn={signedIn} onSwitchLang={switchLang} />
      </LangContext.Provider>
    );
  }

  const [askedRoute, ...rest] = path.split('?')[0].split('/').filter(Boolean);
  // The channel role only has the simulator: any other address lands there.
  const route = permissions.readConfig ? askedRoute : 'simulator';
  const param = rest.length > 0 && route === askedRoute ? decodeURIComponent(rest.join('/')) : undefined;
  const query = new URLSearchParams(path.split('?')[1] ?? '');
  let page: React.ReactNode;
  switch (route) {
    case 'flow':
      page = <FlowEditor key={param} flowId={param ?? ''} initialName={query.get('name') ?? undefined} />;
      break;
    case 'fields':
      page = <FieldsPage />;
      break;
    case 'secrets':
      page = <SecretsPage />;
      break;
    case 'channels':
      page = <ChannelsPage />;
      break;
    case 'simulator':
      page = <SimulatorPage key={param} flowId={param} />;
      break;
    case 'executions':
      page = <ExecutionsPage />;
      break;
    default:
      page = <FlowsPage />;
  }

  const allNav = [['flows', 'nav.flows'], ['fields', 'nav.fields'], ['secrets', 'nav.secrets'], ['channels', 'nav.channels'], ['simulator', 'nav.simulator'], ['executions', 'nav.executions']] as const;
  const nav = permissions.readConfig ? allNav : allNav.filter(([to]) => to === 'simulator');
  const roleLabel = ROLES.includes(me.role) ? t(`role.${me.role}` as LabelKey) : me.role;
  return (
    <LangContext.Provider value={{ lang, t }}>
     <PermissionsContext.Provider value={permissions}>
      <CatalogContext.Provider value={{ blockTypes, fields, secrets, reload }}>
        <NavigationContext.Provider value={navigation}>
          <div className="app">
            <header className="topbar">
              <span className="brand">{t('app.title')}</span>
              <nav>
                {nav.map(([to, label]) => (
                  <Link key={to} to={`/${to}`} testId={`nav-${to}`} className={route === to || (to === 'flows' && (route === undefined || route === 'flow')) ? 'active' : ''}>
                    {t(label)}
                  </Link>
                ))}
              </nav>
              <span className="user" data-testid="user">
                <strong data-testid="user-name">{me.name}</strong>{' · '}
                <span data-testid="user-role" data-role={me.role}>{roleLabel}</span>
              </span>
              {/* Development on loopback has no session to end. */}
              {me.method !== 'development-loopback' && (
                <button type="button" className="link" data-testid="sign-out" onClick={() => void signOut()}>{t('signin.signOut')}</button>
              )}
              <button type="button" className="link" data-testid="lang-switch" onClick={switchLang}>{t('lang.switch')}</button>
            </header>
            {loadError && <div className="banner error">{loadError}</div>}
            <main>{page}</main>
          </div>
          {expired && <SignInPage expired onSignedIn={signedIn} onSwitchLang={switchLang} />}
        </NavigationContext.Provider>
      </CatalogContext.Provider>
     </PermissionsContext.Provider>
    </LangContext.Provider>
  );
}
