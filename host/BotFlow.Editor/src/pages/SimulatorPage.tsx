// Chat simulator: talk to a flow as a contact through the conversation endpoint, with the current block lit on the canvas.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import { api, ApiError, describeError } from '../api/client';
import type { Contact, FlowDoc, FlowSummary, MessageAnswer } from '../api/types';
import { useCatalog, useNavigation } from '../catalog';
import { useT } from '../i18n';
import { toCanvas } from '../lib/flowModel';
import { BlockNodeView } from '../components/BlockNodeView';
import { usePermissions } from '../permissions';

const nodeTypes = { block: BlockNodeView };

interface Line {
  from: 'contact' | 'bot' | 'system';
  text: string;
}

export function SimulatorPage({ flowId }: { flowId?: string }) {
  const t = useT();
  const { blockTypes } = useCatalog();
  const { navigate } = useNavigation();
  const { readConfig, converse } = usePermissions();
  const [typedFlowId, setTypedFlowId] = useState(flowId ?? '');
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [doc, setDoc] = useState<FlowDoc | null>(null);
  const [contactId, setContactId] = useState('sim-5511999990000');
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [lines, setLines] = useState<Line[]>([]);
  const [answer, setAnswer] = useState<MessageAnswer | null>(null);
  const [contact, setContact] = useState<Contact | null>(null);
  const [sending, setSending] = useState(false);
  const chatEnd = useRef<HTMLDivElement>(null);

  // The channel role cannot read flows (403): it types the flow id and chats without the canvas.
  useEffect(() => { if (readConfig) api.flows().then(setFlows).catch(() => setFlows([])); }, [readConfig]);
  useEffect(() => {
    if (flowId && readConfig) api.flow(flowId).then(setDoc).catch((error) => setLines([{ from: 'system', text: describeError(error) }]));
  }, [flowId, readConfig]);
  useEffect(() => { chatEnd.current?.scrollIntoView({ block: 'end' }); }, [lines]);

  const refreshContact = async () => {
    try {
      setContact(await api.contact(contactId));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      setContact(null);
    }
  };

  const handle = async (call: Promise<MessageAnswer>, sent?: string) => {
    setSending(true);
    if (sent !== undefined) setLines((l) => [...l, { from: 'contact', text: sent }]);
    try {
      const result = await call;
      setAnswer(result);
      setLines((l) => [...l, ...result.replies.map((r) => ({ from: 'bot' as const, text: r.text })),
        ...(result.errors ?? []).map((e) => ({ from: 'system' as const, text: e }))]);
      await refreshContact();
    } catch (error) {
      setLines((l) => [...l, { from: 'system', text: describeError(error) }]);
    } finally {
      setSending(false);
    }
  };

  const send = () => {
    if (!flowId || text === '') return;
    const fields = name ? { name } : undefined;
    void handle(api.send(flowId, contactId, { text, fields }), text);
    setText('');
  };

  const canvas = useMemo(() => {
    if (!doc) return { nodes: [], edges: [] };
    const { nodes, edges } = toCanvas(doc, blockTypes);
    return { nodes: nodes.map((n) => ({ ...n, data: { ...n.data, highlighted: n.id === answer?.blockId } })), edges };
  }, [doc, blockTypes, answer?.blockId]);

  return (
    <div className="simulator" data-testid="simulator-page">
      <div className="toolbar">
        {readConfig ? (
          <label>{t('sim.flow')}{' '}
            <select data-testid="sim-flow" value={flowId ?? ''} onChange={(e) => navigate(`/simulator/${e.target.value}`)}>
              <option value="">{t('sim.pickFlow')}</option>
              {flows.map((f) => <option key={f.id} value={f.id}>{f.name} ({f.id})</option>)}
            </select>
          </label>
        ) : (
          <form className="inline" onSubmit={(e) => { e.preventDefault(); if (typedFlowId) navigate(`/simulator/${typedFlowId}`); }}>
            <label>{t('sim.flowId')} <input data-testid="sim-flow-id" value={typedFlowId} onChange={(e) => setTypedFlowId(e.target.value)} /></label>
            <button type="submit">OK</button>
          </form>
        )}
        <label>{t('sim.contact')} <input data-testid="sim-contact" value={contactId} onChange={(e) => setContactId(e.target.value)} /></label>
        <label>{t('sim.name')} <input data-testid="sim-name" value={name} onChange={(e) => setName(e.target.value)} /></label>
        <button type="button" data-testid="sim-restart" disabled={!flowId || sending || !converse}
          onClick={() => { setLines([]); void handle(api.restart(flowId!, contactId)); }}>⟲ {t('sim.restart')}</button>
      </div>
      <div className="simulator-body">
        <section className="chat">
          <div className="chat-lines" data-testid="sim-chat">
            {lines.map((line, index) => <div key={index} className={`bubble ${line.from}`} data-testid={`sim-line-${line.from}`}>{line.text}</div>)}
            <div ref={chatEnd} />
          </div>
          <form className="chat-input" onSubmit={(e) => { e.preventDefault(); send(); }}>
            <input data-testid="sim-input" value={text} placeholder={t('sim.placeholder')} disabled={!flowId || !converse} onChange={(e) => setText(e.target.value)} autoFocus />
            <button type="submit" className="primary" data-testid="sim-send" disabled={!flowId || sending || text === '' || !converse}>{t('sim.send')}</button>
          </form>
        </section>
        <section className="sim-canvas">
          <ReactFlowProvider>
            <ReactFlow key={doc?.id} nodes={canvas.nodes} edges={canvas.edges} nodeTypes={nodeTypes} fitView nodesDraggable={false} nodesConnectable={false}
              fitViewOptions={{ maxZoom: 1 }} minZoom={0.2}>
              <Background />
              <Controls showInteractive={false} />
            </ReactFlow>
          </ReactFlowProvider>
        </section>
        <aside className="sim-side">
          <div>{t('sim.status')}: <strong data-testid="sim-status">{answer?.status ?? '—'}</strong></div>
          <div>{t('sim.block')}: <code data-testid="sim-block">{answer?.blockId ?? '—'}</code></div>
          {answer?.department && <div>→ {answer.department}</div>}
          <h4>{t('sim.fields')}</h4>
          <table className="compact" data-testid="sim-fields">
            <tbody>
              {Object.entries(contact?.fields ?? {}).map(([key, value]) => (
                <tr key={key} data-testid={`sim-field-${key}`}><td>{key}</td><td>{value}</td></tr>
              ))}
            </tbody>
          </table>
        </aside>
      </div>
    </div>
  );
}
