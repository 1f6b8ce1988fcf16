// The canvas: palette, blocks and their named exits, the block panel, server validation errors, Ctrl+S.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useEdgesState, useNodesState, useReactFlow,
  type Connection, type Edge, type EdgeChange, type NodeChange,
} from '@xyflow/react';
import { api, ApiError, describeError } from '../api/client';
import type { BlockDoc, BlockType, FlowDoc, FlowError, IntegrationConfig } from '../api/types';
import { useCatalog, useNavigation, Link } from '../catalog';
import { useT } from '../i18n';
import { edgeOf, exitsOf, newBlockId, toCanvas, toDocument, type BlockNode } from '../lib/flowModel';
import { BlockNodeView } from '../components/BlockNodeView';
import { SchemaForm } from '../components/SchemaForm';
import { IntegrationForm } from '../components/IntegrationForm';
import { downloadJson } from '../lib/download';
import { usePermissions } from '../permissions';

const nodeTypes = { block: BlockNodeView };
const DRAG_TYPE = 'application/botflow-block';
const ID_PATTERN = /^[a-z0-9_-]{1,64}$/;

export function FlowEditor(props: { flowId: string; initialName?: string }) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}

function Editor({ flowId, initialName }: { flowId: string; initialName?: string }) {
  const t = useT();
  const { blockTypes, fields, secrets } = useCatalog();
  const { setDirty: tellShell } = useNavigation();
  const flow = useReactFlow();
  const { editFlows } = usePermissions();
  const [meta, setMeta] = useState<FlowDoc | null>(null);
  const [isNew, setIsNew] = useState(false);
  // Fit the view to a flow that opens with blocks, once; an empty canvas keeps its viewport so drops land where aimed.
  const [fitOnOpen, setFitOnOpen] = useState(false);
  const [nodes, setNodes, onNodesChangeBase] = useNodesState<BlockNode>([]);
  const [edges, setEdges, onEdgesChangeBase] = useEdgesState<Edge>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [errors, setErrors] = useState<FlowError[]>([]);
  const [dirty, setDirtyState] = useState(false);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const typesLoaded = blockTypes.length > 0;

  const setDirty = useCallback((value: boolean) => {
    setDirtyState(value);
    tellShell(value);
  }, [tellShell]);

  useEffect(() => {
    if (!typesLoaded) return;
    api.flow(flowId)
      .then((doc) => {
        const { blocks: _blocks, ...rest } = doc;
        const canvas = toCanvas(doc, blockTypes);
        setMeta({ ...rest, blocks: [] });
        setFitOnOpen(canvas.nodes.length > 0);
        setNodes(canvas.nodes);
        setEdges(canvas.edges);
      })
      .catch((error) => {
        if (error instanceof ApiError && error.status === 404) {
          setMeta({ id: flowId, name: initialName ?? flowId, start: null, blocks: [] });
          setIsNew(true);
        } else {
          setLoadError(describeError(error));
        }
      });
  }, [flowId, initialName, typesLoaded, blockTypes, setNodes, setEdges]);

  useEffect(() => () => tellShell(false), [tellShell]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => { e.preventDefault(); };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const onNodesChange = useCallback((changes: NodeChange<BlockNode>[]) => {
    onNodesChangeBase(changes);
    if (changes.some((c) => c.type === 'position' || c.type === 'remove' || c.type === 'add')) setDirty(true);
    for (const change of changes) {
      if (change.type === 'remove') {
        setMeta((m) => (m && m.start === change.id ? { ...m, start: null } : m));
        setSelected((s) => (s === change.id ? null : s));
      }
    }
  }, [onNodesChangeBase, setDirty]);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    onEdgesChangeBase(changes);
    if (changes.some((c) => c.type === 'remove')) setDirty(true);
  }, [onEdgesChangeBase, setDirty]);

  const onConnect = useCallback((connection: Connection) => {
    const exit = connection.sourceHandle ?? 'default';
    // One target per exit: connecting an exit again replaces its edge.
    setEdges((current) => [...current.filter((e) => !(e.source === connection.source && (e.sourceHandle ?? 'default') === exit)),
      edgeOf(connection.source, exit, connection.target)]);
    setDirty(true);
  }, [setEdges, setDirty]);

  const addBlock = useCallback((type: string, position: { x: number; y: number }) => {
    const blockType = blockTypes.find((b) => b.type === type);
    const id = newBlockId(type, new Set(nodes.map((n) => n.id)));
    const config: Record<string, unknown> = type === 'integration' ? { method: 'POST', url: '' } : {};
    const block: BlockDoc = { id, type, config };
    setNodes((current) => [...current.map((n) => ({ ...n, selected: false })),
      { id, type: 'block', position, selected: true, data: { block, blockType, isStart: false, errors: [], highlighted: false } }]);
    setMeta((m) => (m && !m.start ? { ...m, start: id } : m));
    setSelected(id);
    setDirty(true);
  }, [blockTypes, nodes, setNodes, setDirty]);

  const onDrop = useCallback((event: React.DragEvent) => {
    event.preventDefault();
    const type = event.dataTransfer.getData(DRAG_TYPE);
    if (type) addBlock(type, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
  }, [addBlock, flow]);

  const updateBlock = useCallback((id: string, block: BlockDoc) => {
    setNodes((current) => current.map((n) => (n.id === id ? { ...n, data: { ...n.data, block } } : n)));
    setDirty(true);
  }, [setNodes, setDirty]);

  const renameBlock = (from: string, to: string): string | null => {
    if (!ID_PATTERN.test(to)) return 'a-z, 0-9, - _';
    if (nodes.some((n) => n.id === to)) return `'${to}' ✕`;
    setNodes((current) => current.map((n) => (n.id === from ? { ...n, id: to, data: { ...n.data, block: { ...n.data.block, id: to } } } : n)));
    setEdges((current) => current.map((e) => {
      const source = e.source === from ? to : e.source;
      return { ...e, id: `${source}:${e.sourceHandle ?? 'default'}`, source, target: e.target === from ? to : e.target };
    }));
    setMeta((m) => (m && m.start === from ? { ...m, start: to } : m));
    setErrors((current) => current.map((e) => (e.blockId === from ? { ...e, blockId: to } : e)));
    setSelected(to);
    setDirty(true);
    return null;
  };

  const deleteBlock = (id: string) => {
    setNodes((current) => current.filter((n) => n.id !== id));
    setEdges((current) => current.filter((e) => e.source !== id && e.target !== id));
    setMeta((m) => (m && m.start === id ? { ...m, start: null } : m));
    setSelected(null);
    setDirty(true);
  };

  const currentDocument = useCallback(() => toDocument(meta!, nodes, edges), [meta, nodes, edges]);

  const save = useCallback(async () => {
    // Ctrl+S too: a viewer has nothing to save (the host would answer 403).
    if (!meta || !editFlows) return;
    try {
      await api.saveFlow(currentDocument());
      setErrors([]);
      setIsNew(false);
      setDirty(false);
      setStatus({ kind: 'ok', text: t('editor.saved') });
    } catch (error) {
      setErrors(error instanceof ApiError ? error.errors : []);
      setStatus({ kind: 'error', text: describeError(error) });
    }
  }, [meta, editFlows, currentDocument, setDirty, t]);

  const validate = async () => {
    try {
      const answer = await api.validateFlow(currentDocument());
      setErrors([]);
      setStatus({ kind: 'ok', text: `${t('editor.valid')}${answer.warnings.length ? ` (${answer.warnings.map((w) => w.message).join('; ')})` : ''}` });
    } catch (error) {
      setErrors(error instanceof ApiError ? error.errors : []);
      setStatus({ kind: 'error', text: describeError(error) });
    }
  };

  // Ctrl+S (⌘S) saves from anywhere on the page, inputs included.
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void saveRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const focusBlock = (id: string | null) => {
    if (!id) return;
    const node = nodes.find((n) => n.id === id);
    if (!node) return;
    setSelected(id);
    setNodes((current) => current.map((n) => ({ ...n, selected: n.id === id })));
    void flow.setCenter(node.position.x + 110, node.position.y + 60, { zoom: 1, duration: 200 });
  };

  const errorsByBlock = useMemo(() => {
    const map = new Map<string, FlowError[]>();
    for (const error of errors) {
      if (error.blockId) map.set(error.blockId, [...(map.get(error.blockId) ?? []), error]);
    }

    return map;
  }, [errors]);

  const shownNodes = useMemo(() => nodes.map((n) => ({
    ...n,
    data: { ...n.data, isStart: meta?.start === n.id, errors: errorsByBlock.get(n.id) ?? [] },
  })), [nodes, meta?.start, errorsByBlock]);

  const groups = useMemo(() => {
    const map = new Map<string, BlockType[]>();
    for (const type of blockTypes) map.set(type.plugin, [...(map.get(type.plugin) ?? []), type]);
    return [...map.entries()];
  }, [blockTypes]);

  if (loadError) return <div className="page error">{loadError}</div>;
  if (!meta) return <div className="page">{t('common.loading')}</div>;

  const selectedNode = nodes.find((n) => n.id === selected);
  const wide = selectedNode?.data.block.type === 'integration';

  return (
    <div className="editor">
      <div className="toolbar">
        <Link to="/flows" testId="editor-back">{t('editor.back')}</Link>
        <label>
          {t('editor.flowName')}{' '}
          <input data-testid="flow-name" value={meta.name} onChange={(e) => { setMeta({ ...meta, name: e.target.value }); setDirty(true); }} />
        </label>
        <code>{meta.id}</code>
        {dirty && <span className="badge warn" data-testid="unsaved">{t('editor.unsaved')}</span>}
        {isNew && <span className="muted">{t('editor.notFoundNew')}</span>}
        <span className="grow" />
        {status && <span className={`status ${status.kind}`} data-testid="editor-status">{status.text}</span>}
        {!editFlows && <span className="badge" data-testid="read-only">{t('perm.readOnly')}</span>}
        {editFlows && <button type="button" data-testid="validate-flow" onClick={() => void validate()}>{t('editor.validate')}</button>}
        <button type="button" onClick={() => downloadJson(`${meta.id}.flow.json`, currentDocument())}>{t('editor.export')}</button>
        <Link to={`/simulator/${meta.id}`} testId="simulate" className="button">{t('editor.simulate')}</Link>
        {editFlows && <button type="button" className="primary" data-testid="save-flow" onClick={() => void save()}>{t('editor.save')}</button>}
      </div>
      <div className={`editor-body ${wide ? 'wide' : ''}`}>
        {editFlows && <aside className="palette" data-testid="palette">
          <h3>{t('editor.palette')}</h3>
          <small className="muted">{t('editor.paletteHint')}</small>
          {groups.map(([plugin, types]) => (
            <div key={plugin} className="palette-group" data-testid={`palette-group-${plugin}`}>
              <h4>{plugin}</h4>
              {types.map((type) => (
                <div key={type.type} className="palette-item" draggable tabIndex={0} role="button" data-testid={`palette-${type.type}`}
                  title={type.description ?? ''}
                  onDragStart={(e) => { e.dataTransfer.setData(DRAG_TYPE, type.type); e.dataTransfer.effectAllowed = 'move'; }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      const box = document.querySelector('.canvas')!.getBoundingClientRect();
                      addBlock(type.type, flow.screenToFlowPosition({ x: box.x + box.width / 2, y: box.y + box.height / 3 }));
                    }
                  }}>
                  {type.displayName}
                  <small className="muted"> {type.type}</small>
                </div>
              ))}
            </div>
          ))}
        </aside>}
        <div className="canvas" data-testid="canvas" onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; }} onDrop={editFlows ? onDrop : undefined}>
          <ReactFlow nodes={shownNodes} edges={edges} nodeTypes={nodeTypes} onNodesChange={onNodesChange} onEdgesChange={onEdgesChange}
            onConnect={onConnect} onNodeClick={(_, node) => setSelected(node.id)} onPaneClick={() => setSelected(null)}
            nodesDraggable={editFlows} nodesConnectable={editFlows} elementsSelectable
            deleteKeyCode={editFlows ? ['Delete', 'Backspace'] : null} fitView={fitOnOpen} fitViewOptions={{ maxZoom: 1 }} minZoom={0.2}>
            <Background />
            <Controls />
            <MiniMap pannable zoomable />
          </ReactFlow>
        </div>
        <aside className="panel" data-testid="block-panel">
          {selectedNode ? (
            // A disabled fieldset disables every control of the form at once for a role that cannot save.
            <fieldset className="plain" disabled={!editFlows}>
            <BlockPanel key={selectedNode.id} block={selectedNode.data.block} blockType={selectedNode.data.blockType} isStart={meta.start === selectedNode.id}
              errors={errorsByBlock.get(selectedNode.id) ?? []} fields={fields} secrets={secrets} edges={edges.filter((e) => e.source === selectedNode.id)}
              onChange={(block) => updateBlock(selectedNode.id, block)} onRename={(to) => renameBlock(selectedNode.id, to)}
              onSetStart={() => { setMeta({ ...meta, start: selectedNode.id }); setDirty(true); }} onDelete={() => deleteBlock(selectedNode.id)} />
            </fieldset>
          ) : (
            <p className="muted">{t('editor.selectBlock')}</p>
          )}
        </aside>
      </div>
      <div className="errors-list" data-testid="errors-list">
        <strong>{t('editor.errors')}:</strong>
        {errors.length === 0 ? <span className="muted"> {t('editor.noErrors')}</span> : (
          <ul>
            {errors.map((error, index) => (
              <li key={index}>
                <button type="button" className="link error" data-testid={`error-item-${index}`} onClick={() => focusBlock(error.blockId)}>
                  {error.blockId ? <strong>{error.blockId}</strong> : null} <code>{error.path}</code>: {error.message}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function BlockPanel({ block, blockType, isStart, errors, fields, secrets, edges, onChange, onRename, onSetStart, onDelete }: {
  block: BlockDoc; blockType?: BlockType; isStart: boolean; errors: FlowError[]; fields: ReturnType<typeof useCatalog>['fields'];
  secrets: ReturnType<typeof useCatalog>['secrets']; edges: { sourceHandle?: string | null; target: string }[];
  onChange: (block: BlockDoc) => void; onRename: (to: string) => string | null; onSetStart: () => void; onDelete: () => void;
}) {
  const t = useT();
  const [newId, setNewId] = useState(block.id);
  const [renameError, setRenameError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // Server paths are "config.text" / "config.body[2].key"; forms want them relative to the config.
  const configErrors = Object.fromEntries(errors.filter((e) => e.path.startsWith('config.')).map((e) => [e.path.slice('config.'.length), e.message]));
  const otherErrors = errors.filter((e) => !e.path.startsWith('config.'));
  const config = block.config ?? {};
  return (
    <div className="block-panel" data-testid={`block-panel-${block.id}`}>
      <h3>{blockType?.displayName ?? block.type} <small className="muted">{block.type}</small></h3>
      {blockType?.description && <p className="muted">{blockType.description}</p>}
      <div className="row-inline">
        <label className="grow">
          {t('editor.blockId')}
          <input data-testid="block-id" value={newId} onChange={(e) => setNewId(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Enter') setRenameError(onRename(newId)); }} />
        </label>
        <button type="button" disabled={newId === block.id} data-testid="block-rename" onClick={() => setRenameError(onRename(newId))}>{t('editor.rename')}</button>
      </div>
      {renameError && <small className="error">{renameError}</small>}
      <div className="row-inline">
        {isStart ? <span className="badge start-badge">▶ {t('editor.start')}</span> : (
          <button type="button" data-testid="block-set-start" onClick={onSetStart}>{t('editor.setStart')}</button>
        )}
        <button type="button" className="danger" data-testid="block-delete" onClick={() => (confirmDelete ? onDelete() : setConfirmDelete(true))}>
          {confirmDelete ? t('common.confirmDelete') : t('editor.deleteBlock')}
        </button>
      </div>
      <div className="exits-summary">
        {t('editor.exits')}: {exitsOf(block, blockType).map((exit) => (
          <code key={exit}>{exit} → {edges.find((e) => (e.sourceHandle ?? 'default') === exit)?.target ?? '∅'}</code>
        ))}
      </div>
      {otherErrors.map((e) => <div key={e.path + e.message} className="error">{e.path}: {e.message}</div>)}
      {block.type === 'integration' ? (
        <IntegrationForm config={config as unknown as IntegrationConfig} fields={fields} secrets={secrets} errors={configErrors}
          onChange={(next) => onChange({ ...block, config: next as unknown as Record<string, unknown> })} />
      ) : blockType?.configSchema ? (
        <SchemaForm schema={blockType.configSchema} value={config} fields={fields} errors={configErrors} onChange={(next) => onChange({ ...block, config: next })} />
      ) : (
        <textarea rows={10} value={JSON.stringify(config, null, 2)} readOnly />
      )}
    </div>
  );
}
