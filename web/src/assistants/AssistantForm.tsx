import { type FormEvent, useId, useState } from 'react';
import type {
  ConsoleAssistantFieldsFragment as Assistant,
  AssistantToolInput,
  CreateAssistantInput,
  ResponseFormatType,
} from '../generated/graphql.js';
import {
  type FunctionDraft,
  FunctionToolEditor,
  functionDraftProblems,
} from './FunctionToolEditor.js';
import { checkParameters } from './json-schema-check.js';

export const NEW_STORE = '__new__';

export interface AssistantDraft {
  input: CreateAssistantInput;
  /** NEW_STORE: make a store for it first. */
  vectorStoreId: string | null;
}

let nextKey = 1;

function draftsOf(assistant: Assistant | null): FunctionDraft[] {
  return (assistant?.tools ?? []).flatMap((tool) =>
    tool.function
      ? [
          {
            key: nextKey++,
            name: tool.function.name,
            description: tool.function.description ?? '',
            parameters:
              tool.function.parameters === null || tool.function.parameters === undefined
                ? ''
                : JSON.stringify(tool.function.parameters, null, 2),
          },
        ]
      : [],
  );
}

function numberOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

function NumberField(props: {
  label: string;
  max: number;
  step: number;
  value: string;
  onChange(value: string): void;
}) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="number"
        min={0}
        max={props.max}
        step={props.step}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </div>
  );
}

/** Create or edit an assistant: model settings, response format and tools. */
export function AssistantForm(props: {
  assistant: Assistant | null;
  vectorStores: { id: string; name: string }[];
  files: { id: string; filename: string }[];
  onSave(draft: AssistantDraft): Promise<void>;
  onCancel(): void;
}) {
  const id = useId();
  const a = props.assistant;
  const [name, setName] = useState(a?.name ?? '');
  const [model, setModel] = useState(a?.model ?? 'gpt-4o');
  const [instructions, setInstructions] = useState(a?.instructions ?? '');
  const [temperature, setTemperature] = useState(a?.temperature?.toString() ?? '');
  const [topP, setTopP] = useState(a?.topP?.toString() ?? '');
  const [format, setFormat] = useState<ResponseFormatType>(a?.responseFormat?.type ?? 'auto');
  const [schemaName, setSchemaName] = useState(a?.responseFormat?.jsonSchema?.name ?? 'answer');
  const [schema, setSchema] = useState(
    a?.responseFormat?.jsonSchema?.schema
      ? JSON.stringify(a.responseFormat.jsonSchema.schema, null, 2)
      : '',
  );
  const [fileSearch, setFileSearch] = useState(
    a?.tools.some((tool) => tool.type === 'file_search') ?? false,
  );
  const [vectorStoreId, setVectorStoreId] = useState(
    a?.toolResources?.fileSearch?.vectorStoreIds[0] ?? '',
  );
  const [codeInterpreter, setCodeInterpreter] = useState(
    a?.tools.some((tool) => tool.type === 'code_interpreter') ?? false,
  );
  const [codeFiles, setCodeFiles] = useState<string[]>(
    a?.toolResources?.codeInterpreter?.fileIds ?? [],
  );
  const [functions, setFunctions] = useState<FunctionDraft[]>(() => draftsOf(a));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const schemaProblem = format === 'json_schema' ? checkParameters(schema) : null;
  const problems = [
    model.trim() ? null : 'A model is required.',
    schemaProblem,
    ...functions.map(functionDraftProblems),
  ].filter((problem): problem is string => problem !== null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (problems.length > 0) {
      return;
    }
    const tools: AssistantToolInput[] = [
      ...(fileSearch ? [{ type: 'file_search' as const }] : []),
      ...(codeInterpreter ? [{ type: 'code_interpreter' as const }] : []),
      ...functions.map((draft) => ({
        type: 'function' as const,
        function: {
          name: draft.name,
          description: draft.description || null,
          parameters: draft.parameters.trim() ? JSON.parse(draft.parameters) : null,
        },
      })),
    ];
    setBusy(true);
    try {
      await props.onSave({
        vectorStoreId: fileSearch && vectorStoreId ? vectorStoreId : null,
        input: {
          name: name || null,
          model: model.trim(),
          instructions: instructions || null,
          temperature: numberOrNull(temperature),
          topP: numberOrNull(topP),
          responseFormat:
            format === 'json_schema'
              ? {
                  type: format,
                  jsonSchema: {
                    name: schemaName,
                    schema: schema.trim() ? JSON.parse(schema) : null,
                  },
                }
              : { type: format },
          tools,
          toolResources: {
            codeInterpreter: { fileIds: codeInterpreter ? codeFiles : [] },
            fileSearch: { vectorStoreIds: [] },
          },
        },
      });
      setError(null);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="card"
      onSubmit={submit}
      aria-label={a ? `Edit ${a.name ?? a.id}` : 'New assistant'}
    >
      <h2>{a ? `Edit ${a.name ?? a.id}` : 'New assistant'}</h2>
      <label htmlFor={`${id}-name`}>Name</label>
      <input id={`${id}-name`} value={name} onChange={(event) => setName(event.target.value)} />
      <label htmlFor={`${id}-model`}>Model</label>
      <input id={`${id}-model`} value={model} onChange={(event) => setModel(event.target.value)} />
      <label htmlFor={`${id}-instructions`}>Instructions</label>
      <textarea
        id={`${id}-instructions`}
        rows={4}
        value={instructions}
        onChange={(event) => setInstructions(event.target.value)}
      />
      <div className="row">
        <NumberField
          label="Temperature"
          max={2}
          step={0.1}
          value={temperature}
          onChange={setTemperature}
        />
        <NumberField label="Top P" max={1} step={0.05} value={topP} onChange={setTopP} />
        <div>
          <label htmlFor={`${id}-format`}>Response format</label>
          <select
            id={`${id}-format`}
            value={format}
            onChange={(event) => setFormat(event.target.value as ResponseFormatType)}
          >
            <option value="auto">auto</option>
            <option value="text">text</option>
            <option value="json_object">json_object</option>
            <option value="json_schema">json_schema</option>
          </select>
        </div>
      </div>
      {format === 'json_schema' && (
        <>
          <label htmlFor={`${id}-schema-name`}>Schema name</label>
          <input
            id={`${id}-schema-name`}
            value={schemaName}
            onChange={(event) => setSchemaName(event.target.value)}
          />
          <label htmlFor={`${id}-schema`}>Response JSON Schema</label>
          <textarea
            id={`${id}-schema`}
            rows={5}
            value={schema}
            aria-invalid={schemaProblem ? true : undefined}
            onChange={(event) => setSchema(event.target.value)}
          />
          {schemaProblem && <p className="error">{schemaProblem}</p>}
        </>
      )}
      <h3>Tools</h3>
      <label className="inline">
        <input
          type="checkbox"
          checked={fileSearch}
          onChange={(event) => setFileSearch(event.target.checked)}
        />
        file_search
      </label>
      {fileSearch && (
        <>
          <label htmlFor={`${id}-store`}>Vector store</label>
          <select
            id={`${id}-store`}
            value={vectorStoreId}
            onChange={(event) => setVectorStoreId(event.target.value)}
          >
            <option value="">None</option>
            {props.vectorStores.map((store) => (
              <option key={store.id} value={store.id}>
                {store.name || store.id}
              </option>
            ))}
            <option value={NEW_STORE}>Create a new vector store</option>
          </select>
        </>
      )}
      <label className="inline">
        <input
          type="checkbox"
          checked={codeInterpreter}
          onChange={(event) => setCodeInterpreter(event.target.checked)}
        />
        code_interpreter
      </label>
      {codeInterpreter && (
        <>
          <label htmlFor={`${id}-code-files`}>Files for code_interpreter</label>
          <select
            id={`${id}-code-files`}
            multiple
            value={codeFiles}
            onChange={(event) =>
              setCodeFiles([...event.target.selectedOptions].map((option) => option.value))
            }
          >
            {props.files.map((file) => (
              <option key={file.id} value={file.id}>
                {file.filename}
              </option>
            ))}
          </select>
        </>
      )}
      {functions.map((draft) => (
        <FunctionToolEditor
          key={draft.key}
          draft={draft}
          onChange={(next) =>
            setFunctions(functions.map((other) => (other.key === next.key ? next : other)))
          }
          onRemove={() => setFunctions(functions.filter((other) => other.key !== draft.key))}
        />
      ))}
      <div className="row">
        <button
          type="button"
          onClick={() =>
            setFunctions([
              ...functions,
              {
                key: nextKey++,
                name: '',
                description: '',
                parameters: '{\n  "type": "object",\n  "properties": {}\n}',
              },
            ])
          }
        >
          Add function
        </button>
      </div>
      <div className="row" style={{ marginTop: '0.8rem' }}>
        <button type="submit" className="primary" disabled={busy || problems.length > 0}>
          {a ? 'Save changes' : 'Create assistant'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      {problems.length > 0 && <p className="hint">Fix first: {problems[0]}</p>}
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
