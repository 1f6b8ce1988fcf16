// One block on the canvas: title, id, start mark, error badge, a target handle on top and one source handle per named exit.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { exitsOf, type BlockNode } from '../lib/flowModel';
import { useT } from '../i18n';

export function BlockNodeView({ id, data, selected }: NodeProps<BlockNode>) {
  const t = useT();
  const exits = exitsOf(data.block, data.blockType);
  const summary = String(data.block.config?.text ?? data.block.config?.url ?? data.block.config?.expression ?? data.block.config?.department ?? '');
  const classes = ['block-node', selected ? 'selected' : '', data.errors.length > 0 ? 'invalid' : '', data.highlighted ? 'highlighted' : '', data.isStart ? 'start' : ''];
  return (
    <div className={classes.join(' ')} data-testid={`node-${id}`} data-highlighted={data.highlighted ? 'true' : 'false'}>
      <Handle type="target" position={Position.Top} data-testid={`target-${id}`} />
      <div className="block-head">
        {data.isStart && <span className="badge start-badge" data-testid={`start-${id}`}>▶ {t('editor.start')}</span>}
        <strong>{data.blockType?.displayName ?? data.block.type}</strong>
        {data.errors.length > 0 && (
          <span className="badge error-badge" data-testid={`node-error-${id}`} title={data.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}>
            ⚠ {data.errors.length}
          </span>
        )}
      </div>
      <div className="block-id">{id}</div>
      {summary && <div className="block-summary">{summary.length > 60 ? `${summary.slice(0, 60)}…` : summary}</div>}
      {data.errors.length > 0 && <div className="block-errors">{data.errors[0].message}</div>}
      <div className="block-exits">
        {exits.map((exit) => (
          <div key={exit} className="exit">
            <span>{exit}</span>
            <Handle type="source" id={exit} position={Position.Bottom} data-testid={`exit-${id}-${exit}`} />
          </div>
        ))}
      </div>
    </div>
  );
}
