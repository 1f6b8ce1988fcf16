// The response-mapping script: CodeMirror plus a Run button. Running re-sends the test request with the script
// (POST /api/integrations/test), so the outcome, fields, variables, log and errors are exactly what a conversation would get.
import { useState } from 'react';
import type { TestAnswer } from '../api/types';
import { useT } from '../i18n';
import { CodeEditor } from './CodeEditor';

interface Props {
  script: string;
  onChange: (script: string) => void;
  canRun: boolean;
  run: (script: string) => Promise<TestAnswer | null>;
}

/** "script: line 2, column 1: ReferenceError…" → 2. */
const errorLineOf = (error: string | null | undefined) => {
  const match = /line (\d+)/.exec(error ?? '');
  return match ? Number(match[1]) : null;
};

export function ScriptPanel({ script, onChange, canRun, run }: Props) {
  const t = useT();
  const [result, setResult] = useState<TestAnswer | null>(null);
  const [running, setRunning] = useState(false);
  const error = result?.response.error?.startsWith('script') ? result.response.error : null;
  return (
    <section className="script-panel">
      <h4>{t('script.title')}</h4>
      <CodeEditor value={script} onChange={onChange} errorLine={errorLineOf(error)} testId="script-editor" />
      <button type="button" data-testid="script-run" disabled={!canRun || running}
        onClick={async () => { setRunning(true); setResult(await run(script)); setRunning(false); }}>
        ▶ {t('script.run')}
      </button>
      {!canRun && <small className="muted"> {t('script.needTest')}</small>}
      {result && (
        <div className="script-result" data-testid="script-result">
          <div>{t('integration.outcome')}: <strong data-testid="script-outcome">{result.outcome}</strong></div>
          {error && <div className="error" data-testid="script-error">{t('script.error')}: {error}</div>}
          <div>{t('script.fieldsSet')}: <code>{JSON.stringify(result.saved.fields)}</code></div>
          <div>{t('script.varsSet')}: <code>{JSON.stringify(result.saved.vars)}</code></div>
          <div>{t('script.log')}:</div>
          <pre data-testid="script-log">{result.scriptLog.join('\n')}</pre>
          {result.message !== null && <div>{t('integration.sentMessage')}: <q>{result.message}</q></div>}
        </div>
      )}
    </section>
  );
}
