import { useId } from 'react';
import { checkFunctionName, checkParameters } from './json-schema-check.js';

export interface FunctionDraft {
  key: number;
  name: string;
  description: string;
  parameters: string;
}

/** One function tool: name, description and JSON-schema parameters, checked as typed. */
export function FunctionToolEditor(props: {
  draft: FunctionDraft;
  onChange(draft: FunctionDraft): void;
  onRemove(): void;
}) {
  const id = useId();
  const { draft } = props;
  const nameProblem = draft.name ? checkFunctionName(draft.name) : 'A function needs a name.';
  const parametersProblem = checkParameters(draft.parameters);
  return (
    <fieldset className="card">
      <legend>Function {draft.name || '(unnamed)'}</legend>
      <label htmlFor={`${id}-name`}>Function name</label>
      <input
        id={`${id}-name`}
        value={draft.name}
        aria-invalid={nameProblem ? true : undefined}
        aria-describedby={`${id}-name-problem`}
        onChange={(event) => props.onChange({ ...draft, name: event.target.value })}
      />
      <p id={`${id}-name-problem`} className="error">
        {nameProblem}
      </p>
      <label htmlFor={`${id}-description`}>Function description</label>
      <input
        id={`${id}-description`}
        value={draft.description}
        onChange={(event) => props.onChange({ ...draft, description: event.target.value })}
      />
      <label htmlFor={`${id}-parameters`}>Parameters (JSON Schema)</label>
      <textarea
        id={`${id}-parameters`}
        rows={6}
        spellCheck={false}
        value={draft.parameters}
        aria-invalid={parametersProblem ? true : undefined}
        aria-describedby={`${id}-parameters-problem`}
        onChange={(event) => props.onChange({ ...draft, parameters: event.target.value })}
      />
      <p id={`${id}-parameters-problem`} className={parametersProblem ? 'error' : 'muted'}>
        {parametersProblem ?? 'Valid JSON Schema.'}
      </p>
      <button type="button" onClick={props.onRemove}>
        Remove function {draft.name}
      </button>
    </fieldset>
  );
}

export function functionDraftProblems(draft: FunctionDraft): string | null {
  return checkFunctionName(draft.name) ?? checkParameters(draft.parameters);
}
