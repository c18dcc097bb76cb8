import { type FormEvent, useId, useState } from 'react';
import type { Run } from './transcript-state.js';

/** The pending function calls of a run in requires_action: one output each, sent together. */
export function RequiredActionForm(props: {
  run: Run;
  onSubmit(outputs: { toolCallId: string; output: string }[]): Promise<void>;
}) {
  const calls = props.run.requiredAction?.submitToolOutputs.toolCalls ?? [];
  const baseId = useId();
  const [outputs, setOutputs] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await props.onSubmit(
        calls.map((call) => ({ toolCallId: call.id, output: outputs[call.id] ?? '' })),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Function calls">
      <h3>The assistant called {calls.length === 1 ? 'a function' : 'functions'}</h3>
      {calls.map((call, index) => (
        <div key={call.id}>
          <p>
            <code>{call.function.name}</code> with arguments
          </p>
          <pre>{call.function.arguments}</pre>
          <label htmlFor={`${baseId}-${index}`}>Output for {call.function.name}</label>
          <textarea
            id={`${baseId}-${index}`}
            rows={2}
            value={outputs[call.id] ?? ''}
            onChange={(event) => setOutputs({ ...outputs, [call.id]: event.target.value })}
          />
        </div>
      ))}
      <button type="submit" className="primary" disabled={busy}>
        Submit outputs
      </button>
    </form>
  );
}
