// CodeMirror 6 for JavaScript, with the line of the last error marked.
import { useEffect, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { Decoration, type DecorationSet } from '@codemirror/view';
import { StateEffect, StateField } from '@codemirror/state';

const setErrorLine = StateEffect.define<number | null>();

const errorLineField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, transaction) {
    decorations = decorations.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (effect.is(setErrorLine)) {
        const line = effect.value;
        if (line === null || line < 1 || line > transaction.state.doc.lines) {
          decorations = Decoration.none;
        } else {
          const from = transaction.state.doc.line(line).from;
          decorations = Decoration.set([Decoration.line({ class: 'cm-error-line' }).range(from)]);
        }
      }
    }

    return decorations;
  },
  provide: (field) => EditorView.decorations.from(field),
});

interface Props {
  value: string;
  onChange: (value: string) => void;
  errorLine?: number | null;
  testId?: string;
}

export function CodeEditor({ value, onChange, errorLine = null, testId }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The latest callback, so the editor created once always reports to the current owner.
  const change = useRef(onChange);
  change.current = onChange;

  useEffect(() => {
    view.current = new EditorView({
      parent: host.current!,
      doc: value,
      extensions: [
        basicSetup,
        javascript(),
        errorLineField,
        EditorView.updateListener.of((update) => {
          if (update.docChanged) change.current(update.state.doc.toString());
        }),
      ],
    });
    return () => view.current?.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value changed from outside (another block selected) replaces the text.
  useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== value) {
      current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: setErrorLine.of(errorLine) });
  }, [errorLine]);

  return <div className="code-editor" ref={host} data-testid={testId} />;
}
