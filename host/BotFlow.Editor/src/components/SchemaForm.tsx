// A form generated from a block type's JSON Schema, so any plugin's block gets an editor without front-end code.
import type { FieldDefinition, JsonSchema } from '../api/types';
import { useT } from '../i18n';

interface Props {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  fields: FieldDefinition[];
  /** Errors by path relative to the config ("text", "options[0].key"). */
  errors?: Record<string, string>;
  path?: string;
}

const typeOf = (schema: JsonSchema) => (Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type) ?? 'string';

// Properties that hold longer text (messages, scripts) get a text area.
const isLongText = (name: string, schema: JsonSchema) =>
  /text|message|script|template|expression/i.test(name) || (schema.description ?? '').toLowerCase().includes('template');

const testIdOf = (path: string) => `cfg-${path.replace(/[[\]]+/g, '.').replace(/\.$/, '')}`;

export function SchemaForm({ schema, value, onChange, fields, errors = {}, path = '' }: Props) {
  const t = useT();
  const properties = Object.entries(schema.properties ?? {});
  const set = (name: string, next: unknown) => {
    const copy = { ...value };
    if (next === undefined || next === '') delete copy[name];
    else copy[name] = next;
    onChange(copy);
  };

  return (
    <div className="schema-form">
      {properties.map(([name, property]) => {
        const propertyPath = path === '' ? name : `${path}.${name}`;
        const required = schema.required?.includes(name);
        const error = errors[propertyPath];
        return (
          <div key={name} className={`form-row ${error ? 'has-error' : ''}`}>
            <label htmlFor={testIdOf(propertyPath)}>
              {name}
              {required && <span className="required" title={t('form.required')}> *</span>}
            </label>
            <Editor
              name={name}
              schema={property}
              value={value[name]}
              onChange={(next) => set(name, next)}
              fields={fields}
              errors={errors}
              path={propertyPath}
            />
            {property.description && <small className="muted">{property.description}</small>}
            {error && <small className="error" data-testid={`error-${testIdOf(propertyPath)}`}>{error}</small>}
          </div>
        );
      })}
    </div>
  );
}

function Editor({ name, schema, value, onChange, fields, errors, path }: {
  name: string; schema: JsonSchema; value: unknown; onChange: (value: unknown) => void; fields: FieldDefinition[];
  errors: Record<string, string>; path: string;
}) {
  const t = useT();
  const id = testIdOf(path);
  const type = typeOf(schema);
  if (schema.enum) {
    return (
      <select id={id} data-testid={id} value={String(value ?? '')} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="" />
        {schema.enum.map((option) => <option key={String(option)} value={String(option)}>{String(option)}</option>)}
      </select>
    );
  }

  if (type === 'boolean') {
    return <input id={id} data-testid={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked || undefined)} />;
  }

  if (type === 'integer' || type === 'number') {
    return (
      <input id={id} data-testid={id} type="number" min={schema.minimum} max={schema.maximum} value={value === undefined || value === null ? '' : String(value)}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />
    );
  }

  if (type === 'object') {
    const object = (value ?? {}) as Record<string, unknown>;
    return (
      <fieldset className="nested">
        <SchemaForm schema={schema} value={object} fields={fields} errors={errors} path={path}
          onChange={(next) => onChange(Object.keys(next).length === 0 ? undefined : next)} />
      </fieldset>
    );
  }

  if (type === 'array') {
    const items = Array.isArray(value) ? value : [];
    const itemSchema = schema.items ?? { type: 'string' };
    const update = (next: unknown[]) => onChange(next.length === 0 ? undefined : next);
    return (
      <div className="array-editor" data-testid={id}>
        {items.map((item, index) => (
          <div key={index} className="array-item">
            <Editor name={name} schema={itemSchema} value={item} fields={fields} errors={errors} path={`${path}[${index}]`}
              onChange={(next) => update(items.map((old, i) => (i === index ? next : old)))} />
            <button type="button" className="small" aria-label={t('common.remove')} onClick={() => update(items.filter((_, i) => i !== index))}>✕</button>
          </div>
        ))}
        <button type="button" className="small" data-testid={`${id}-add`}
          onClick={() => update([...items, typeOf(itemSchema) === 'object' ? {} : ''])}>+ {t('form.addItem')}</button>
      </div>
    );
  }

  // A property named "field" holds a registration field key: offer the catalog.
  if (name === 'field') {
    return (
      <select id={id} data-testid={id} value={String(value ?? '')} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">{t('form.pickField')}</option>
        {fields.map((f) => <option key={f.key} value={f.key}>{f.label} ({f.key})</option>)}
      </select>
    );
  }

  const text = value === undefined || value === null ? '' : String(value);
  return isLongText(name, schema) ? (
    <textarea id={id} data-testid={id} rows={3} value={text} maxLength={schema.maxLength} onChange={(e) => onChange(e.target.value)} />
  ) : (
    <input id={id} data-testid={id} type="text" value={text} maxLength={schema.maxLength} onChange={(e) => onChange(e.target.value)} />
  );
}
