// The shell: navigation, language switch, the shared catalog and a hash router (the host's SPA fallback serves index.html).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, describeError } from './api/client';
import type { BlockType, FieldDefinition, SecretInfo } from './api/types';
import { CatalogContext, Link, NavigationContext } from './catalog';
import { LangContext, translator, type Lang } from './i18n';
import { FlowsPage } from './pages/FlowsPage';
import { FlowEditor } from './pages/FlowEditor';
import { FieldsPage } from './pages/FieldsPage';
import { SecretsPage } from './pages/SecretsPage';
import { SimulatorPage } from './pages/SimulatorPage';
import { ExecutionsPage } from './pages/ExecutionsPage';

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

  const reload = useCallback(async () => {
    try {
      const [types, fieldList, secretList] = await Promise.all([api.blockTypes(), api.fields(), api.secrets()]);
      setBlockTypes(types);
      setFields(fieldList);
      setSecrets(secretList);
      setLoadError(null);
    } catch (error) {
      setLoadError(describeError(error));
    }
  }, []);

  useEffect(() => { void reload(); }, [reload]);
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

  const [route, ...rest] = path.split('?')[0].split('/').filter(Boolean);
  const param = rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined;
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
    case 'simulator':
      page = <SimulatorPage key={param} flowId={param} />;
      break;
    case 'executions':
      page = <ExecutionsPage />;
      break;
    default:
      page = <FlowsPage />;
  }

  const nav = [['flows', 'nav.flows'], ['fields', 'nav.fields'], ['secrets', 'nav.secrets'], ['simulator', 'nav.simulator'], ['executions', 'nav.executions']] as const;
  return (
    <LangContext.Provider value={{ lang, t }}>
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
              <button type="button" className="link" data-testid="lang-switch" onClick={() => setLang(lang === 'pt' ? 'en' : 'pt')}>{t('lang.switch')}</button>
            </header>
            {loadError && <div className="banner error">{loadError}</div>}
            <main>{page}</main>
          </div>
        </NavigationContext.Provider>
      </CatalogContext.Provider>
    </LangContext.Provider>
  );
}
