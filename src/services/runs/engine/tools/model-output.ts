import type {
  BuiltinToolCall,
  CodeInterpreterToolCall,
  FileSearchToolCall,
} from '../../run-step-details.js';

/** `【ordinal:index†file】`: how results are labelled for the model, and how it cites them. */
export function citationMarker(ordinal: number, index: number, fileName: string): string {
  return `【${ordinal}:${index}†${fileName.replace(/[【】]/g, '')}】`;
}

function fileSearchOutput(call: FileSearchToolCall, ordinal: number): string {
  const { results } = call.fileSearch;
  if (results.length === 0) {
    return 'No relevant passages were found in the files.';
  }
  return results
    .map(
      (result, index) =>
        `${citationMarker(ordinal, index, result.fileName)}\n${result.content.map((part) => part.text).join('\n')}`,
    )
    .join('\n\n');
}

function codeInterpreterOutput(call: CodeInterpreterToolCall): string {
  const lines: string[] = [];
  for (const output of call.codeInterpreter.outputs) {
    if (output.type === 'logs') {
      lines.push(output.logs);
    }
  }
  if (lines.length === 0) {
    lines.push('(no output)');
  }
  const images = call.codeInterpreter.outputs.filter((output) => output.type === 'image').length;
  if (images > 0) {
    lines.push(`[${images} image(s) displayed to the user]`);
  }
  if (call.files.length > 0) {
    lines.push(`[files saved: ${call.files.map((file) => `sandbox:${file.path}`).join(', ')}]`);
  }
  return lines.join('\n');
}

/**
 * The tool message the model gets for a server-side call. Built from the stored step, so a run
 * resumed by another worker replays exactly what the model saw. `ordinal` numbers the run's
 * file_search calls in order (their citation markers).
 */
export function builtinOutputForModel(call: BuiltinToolCall, ordinal: number): string {
  return call.type === 'file_search'
    ? fileSearchOutput(call, ordinal)
    : codeInterpreterOutput(call);
}
