import type { RunView, Step } from './transcript-state.js';
import { runStatusInWords } from './transcript-state.js';

function seconds(from: number | null | undefined, to: number | null | undefined): string | null {
  return from && to ? `${Math.max(0, to - from)} s` : null;
}

function StepView(props: { step: Step }) {
  const { step } = props;
  const calls = step.stepDetails.toolCalls ?? [];
  return (
    <li>
      <span>
        {step.type === 'message_creation' ? 'Wrote a message' : 'Called tools'} · {step.status}
        {step.usage && ` · ${step.usage.totalTokens} tokens`}
        {step.lastError?.message && ` · ${step.lastError.message}`}
      </span>
      {calls.map((call, index) => (
        <div key={call.id || index} className="card">
          {call.function && (
            <>
              <div>
                Function <code>{call.function.name}</code>
              </div>
              <div className="muted">Arguments</div>
              <pre>{call.function.arguments}</pre>
              {call.function.output !== null && (
                <>
                  <div className="muted">Output</div>
                  <pre>{call.function.output}</pre>
                </>
              )}
            </>
          )}
          {call.codeInterpreter && (
            <>
              <div>Code interpreter</div>
              <pre>{call.codeInterpreter.input}</pre>
              {call.codeInterpreter.outputs.map((output, outputIndex) =>
                output?.logs ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: outputs are positional
                  <pre key={outputIndex}>{output.logs}</pre>
                ) : output?.image ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: outputs are positional
                  <div key={outputIndex}>Image {output.image.fileId}</div>
                ) : null,
              )}
            </>
          )}
          {call.fileSearch && (
            <>
              <div>File search: {call.fileSearch.results.length} results</div>
              <ol>
                {call.fileSearch.results.map((result, resultIndex) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: results are ranked positions
                  <li key={resultIndex}>
                    {result.fileName} · score {result.score.toFixed(3)}
                    <div className="muted">
                      {result.content
                        .map((part) => part.text)
                        .join(' ')
                        .slice(0, 280)}
                    </div>
                  </li>
                ))}
              </ol>
            </>
          )}
        </div>
      ))}
    </li>
  );
}

/** Every run of the thread shown, newest first: status, usage, timings and each step. */
export function RunTimeline(props: { runs: RunView[] }) {
  if (props.runs.length === 0) {
    return null;
  }
  return (
    <section className="timeline" aria-label="Run timeline">
      <h2>Runs</h2>
      {props.runs.map(({ run, steps }, index) => {
        const ended = run.completedAt ?? run.cancelledAt ?? run.failedAt;
        return (
          <details key={run.id} open={index === 0}>
            <summary>
              {run.id} · {runStatusInWords(run)} · {run.model}
              {run.usage && ` · ${run.usage.totalTokens} tokens`}
              {seconds(run.startedAt, ended) && ` · ${seconds(run.startedAt, ended)}`}
            </summary>
            {run.usage && (
              <p className="muted">
                Prompt {run.usage.promptTokens}, completion {run.usage.completionTokens} tokens.
                Created {new Date(run.createdAt * 1000).toLocaleTimeString()}
              </p>
            )}
            <ol aria-label={`Steps of ${run.id}`}>
              {steps.map((step) => (
                <StepView key={step.id} step={step} />
              ))}
            </ol>
          </details>
        );
      })}
    </section>
  );
}
