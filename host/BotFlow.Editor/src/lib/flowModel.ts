// Converts between the host's flow document and the canvas's nodes and edges, keeping every property the editor does not know.
import type { Edge, Node } from '@xyflow/react';
import type { BlockDoc, BlockType, FlowDoc, FlowError } from '../api/types';

export interface BlockNodeData extends Record<string, unknown> {
  block: BlockDoc;
  blockType?: BlockType;
  isStart: boolean;
  errors: FlowError[];
  highlighted: boolean;
}

export type BlockNode = Node<BlockNodeData, 'block'>;

/** The exits a block offers: the type's fixed ones, plus a menu's option keys. */
export function exitsOf(block: BlockDoc, blockType?: BlockType): string[] {
  const exits = [...(blockType?.exits ?? [])];
  const options = block.config?.options;
  if (blockType?.dynamicExits && Array.isArray(options)) {
    for (const option of options) {
      const key = (option as { key?: unknown })?.key;
      if (typeof key === 'string' && key !== '' && !exits.includes(key)) exits.push(key);
    }
  }

  // Exits already wired in the document stay visible even when the type no longer declares them.
  for (const name of Object.keys(block.exits ?? {})) {
    if (!exits.includes(name)) exits.push(name);
  }

  if (block.next && !exits.includes('default')) exits.push('default');
  return exits;
}

export function toCanvas(doc: FlowDoc, types: BlockType[]): { nodes: BlockNode[]; edges: Edge[] } {
  const byType = new Map(types.map((t) => [t.type, t]));
  const nodes: BlockNode[] = doc.blocks.map((block, index) => ({
    id: block.id,
    type: 'block',
    // Blocks written by hand have no position yet: lay them out in a simple grid.
    position: block.ui ? { x: block.ui.x, y: block.ui.y } : { x: (index % 4) * 280, y: Math.floor(index / 4) * 200 },
    data: { block, blockType: byType.get(block.type), isStart: doc.start === block.id, errors: [], highlighted: false },
  }));
  const edges: Edge[] = [];
  for (const block of doc.blocks) {
    const exits: Record<string, string | null | undefined> = { ...(block.exits ?? {}) };
    if (block.next) exits.default = block.next;
    for (const [exit, target] of Object.entries(exits)) {
      if (target) edges.push(edgeOf(block.id, exit, target));
    }
  }

  return { nodes, edges };
}

export const edgeOf = (source: string, exit: string, target: string): Edge => ({
  id: `${source}:${exit}`,
  source,
  sourceHandle: exit,
  target,
  label: exit === 'default' ? undefined : exit,
});

export function toDocument(meta: FlowDoc, nodes: BlockNode[], edges: Edge[]): FlowDoc {
  const blocks = nodes.map((node) => {
    const { next: _next, exits: _exits, ui: _ui, ...rest } = node.data.block;
    const out = edges.filter((e) => e.source === node.id);
    const block: BlockDoc = { ...rest, id: node.id };
    if (out.length === 1 && (out[0].sourceHandle ?? 'default') === 'default') {
      block.next = out[0].target;
    } else if (out.length > 0) {
      block.exits = Object.fromEntries(out.map((e) => [e.sourceHandle ?? 'default', e.target]));
    }

    block.ui = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
    return block;
  });
  return { ...meta, blocks };
}

/** A fresh block id like "integration-2" (block ids are a-z, 0-9, '-' and '_'). */
export function newBlockId(type: string, taken: Set<string>): string {
  const base = type.split('.').pop()!.toLowerCase().replace(/[^a-z0-9_-]/g, '-') || 'block';
  for (let n = 1; ; n++) {
    const id = `${base}-${n}`;
    if (!taken.has(id)) return id;
  }
}
