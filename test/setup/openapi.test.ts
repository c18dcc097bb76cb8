import { describe, expect, it } from 'vitest';
import { expectSpec, specErrors } from './openapi.js';

const assistant = {
  id: 'asst_abc123',
  object: 'assistant',
  created_at: 1_700_000_000,
  name: null,
  description: null,
  model: 'gpt-4o',
  instructions: null,
  tools: [],
  metadata: {},
};

// Every field in RunObject.required, as a freshly queued run looks on the wire.
const run = {
  id: 'run_abc123',
  object: 'thread.run',
  created_at: 1_700_000_000,
  thread_id: 'thread_abc123',
  assistant_id: 'asst_abc123',
  status: 'queued',
  required_action: null,
  last_error: null,
  expires_at: 1_700_000_600,
  started_at: null,
  cancelled_at: null,
  failed_at: null,
  completed_at: null,
  model: 'gpt-4o',
  instructions: '',
  tools: [],
  metadata: {},
  usage: null,
  incomplete_details: null,
  max_prompt_tokens: null,
  max_completion_tokens: null,
  truncation_strategy: { type: 'auto', last_messages: null },
  tool_choice: 'auto',
  parallel_tool_calls: true,
  response_format: 'auto',
  temperature: null,
  top_p: null,
};

const emptyList = { object: 'list', data: [], first_id: null, last_id: null, has_more: false };

function without(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = value;
  return rest;
}

describe('specErrors / expectSpec', () => {
  it('compiles every schema the tests rely on', () => {
    const names = [
      'AssistantObject',
      'ThreadObject',
      'MessageObject',
      'RunObject',
      'RunStepObject',
      'DeleteAssistantResponse',
      'DeleteThreadResponse',
      'DeleteMessageResponse',
      'ListAssistantsResponse',
      'ListMessagesResponse',
      'ErrorResponse',
    ];
    for (const name of names) {
      // None of these is nullable at the top level, so null must be rejected.
      expect(specErrors(name, null), name).not.toEqual([]);
    }
  });

  it('accepts a valid AssistantObject, including null and union fields', () => {
    expect(specErrors('AssistantObject', assistant)).toEqual([]);
    expect(() => expectSpec('AssistantObject', assistant)).not.toThrow();
    expect(
      specErrors('AssistantObject', {
        ...assistant,
        name: 'Helper',
        tool_resources: null,
        response_format: 'auto',
        temperature: null,
        tools: [{ type: 'code_interpreter' }, { type: 'function', function: { name: 'f' } }],
        metadata: { k: 'v' },
      }),
    ).toEqual([]);
    expect(specErrors('AssistantObject', { ...assistant, response_format: null })).toEqual([]);
    expect(
      specErrors('AssistantObject', { ...assistant, response_format: { type: 'json_object' } }),
    ).toEqual([]);
  });

  it('rejects a missing required field, a wrong object literal and a wrong type', () => {
    expect(specErrors('AssistantObject', without(assistant, 'created_at')).join()).toContain(
      'created_at',
    );
    expect(specErrors('AssistantObject', without(assistant, 'name'))).not.toEqual([]);
    expect(specErrors('AssistantObject', { ...assistant, object: 'assistants' })).not.toEqual([]);
    expect(specErrors('AssistantObject', { ...assistant, created_at: '1700000000' })).not.toEqual(
      [],
    );
    expect(specErrors('AssistantObject', { ...assistant, created_at: 1.5 })).not.toEqual([]);
    expect(specErrors('AssistantObject', { ...assistant, metadata: { k: 1 } })).not.toEqual([]);
    expect(specErrors('AssistantObject', { ...assistant, tools: [{ type: 'nope' }] })).not.toEqual(
      [],
    );
    expect(() => expectSpec('AssistantObject', { ...assistant, object: 'x' })).toThrow(
      /AssistantObject[\s\S]*\/object/,
    );
  });

  it('turns `nullable: true` into "null or the schema", without loosening the schema', () => {
    expect(specErrors('RunObject', run)).toEqual([]);
    // allOf: [{$ref: TruncationObject}, {nullable: true}] and [{$ref: ToolChoice}, {nullable}]
    expect(specErrors('RunObject', { ...run, truncation_strategy: null })).toEqual([]);
    expect(specErrors('RunObject', { ...run, tool_choice: null })).toEqual([]);
    expect(
      specErrors('RunObject', {
        ...run,
        tool_choice: { type: 'function', function: { name: 'f' } },
      }),
    ).toEqual([]);
    // $ref + nullable sibling
    expect(specErrors('RunObject', { ...run, response_format: null })).toEqual([]);
    // type: object + nullable, filled in
    const toolCall = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const requiresAction = {
      ...run,
      status: 'requires_action',
      required_action: {
        type: 'submit_tool_outputs',
        submit_tool_outputs: { tool_calls: [toolCall] },
      },
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    };
    expect(specErrors('RunObject', requiresAction)).toEqual([]);

    // The non-null branch is still fully checked.
    expect(specErrors('RunObject', { ...run, truncation_strategy: { type: 'bogus' } })).not.toEqual(
      [],
    );
    expect(specErrors('RunObject', { ...run, tool_choice: 'sometimes' })).not.toEqual([]);
    expect(specErrors('RunObject', { ...run, required_action: {} })).not.toEqual([]);
    expect(
      specErrors('RunObject', { ...run, last_error: { code: 'oops', message: 'x' } }),
    ).not.toEqual([]);
    expect(specErrors('RunObject', { ...run, started_at: 'now' })).not.toEqual([]);
    expect(specErrors('RunObject', { ...run, max_prompt_tokens: 10 })).not.toEqual([]);
    // Nullable is not optional: required fields must be present even when null.
    expect(specErrors('RunObject', without(run, 'required_action'))).not.toEqual([]);
    expect(specErrors('RunObject', without(run, 'truncation_strategy'))).not.toEqual([]);
    // Not nullable in the spec stays non-null.
    expect(specErrors('RunObject', { ...run, instructions: null })).not.toEqual([]);
    expect(specErrors('RunObject', { ...run, status: null })).not.toEqual([]);
  });

  it('validates ErrorResponse', () => {
    const error = { message: 'x', type: 'invalid_request_error', param: null, code: null };
    expect(specErrors('ErrorResponse', { error })).toEqual([]);
    expect(specErrors('ErrorResponse', { error: without(error, 'param') })).not.toEqual([]);
    expect(specErrors('ErrorResponse', { error: { ...error, message: null } })).not.toEqual([]);
  });

  it('validates list envelopes; first_id/last_id accept null (OpenAI sends null on empty pages)', () => {
    expect(specErrors('ListAssistantsResponse', emptyList)).toEqual([]);
    expect(specErrors('ListMessagesResponse', emptyList)).toEqual([]);
    const page = {
      ...emptyList,
      data: [assistant],
      first_id: 'asst_abc123',
      last_id: 'asst_abc123',
    };
    expect(specErrors('ListAssistantsResponse', page)).toEqual([]);
    expect(specErrors('ListAssistantsResponse', { ...emptyList, first_id: 1 })).not.toEqual([]);
    expect(specErrors('ListAssistantsResponse', without(emptyList, 'last_id'))).not.toEqual([]);
    expect(specErrors('ListAssistantsResponse', without(emptyList, 'has_more'))).not.toEqual([]);
    const badItem = { ...page, data: [{ ...assistant, object: 'thread' }] };
    expect(specErrors('ListAssistantsResponse', badItem)).not.toEqual([]);
    // ListMessagesResponse omits `type: object` in the spec; the helper adds it back.
    expect(specErrors('ListMessagesResponse', [])).not.toEqual([]);
  });

  it('validates the other Assistants objects', () => {
    const thread = { id: 't', object: 'thread', created_at: 1, tool_resources: null, metadata: {} };
    expect(specErrors('ThreadObject', thread)).toEqual([]);
    expect(
      specErrors('DeleteThreadResponse', { id: 't', object: 'thread.deleted', deleted: true }),
    ).toEqual([]);
    expect(
      specErrors('DeleteAssistantResponse', { id: 'a', object: 'thread.deleted', deleted: true }),
    ).not.toEqual([]);
    const message = {
      id: 'msg_1',
      object: 'thread.message',
      created_at: 1,
      thread_id: 't',
      status: 'completed',
      incomplete_details: null,
      completed_at: 2,
      incomplete_at: null,
      role: 'user',
      content: [{ type: 'text', text: { value: 'hi', annotations: [] } }],
      assistant_id: null,
      run_id: null,
      attachments: [],
      metadata: {},
    };
    expect(specErrors('MessageObject', message)).toEqual([]);
    expect(specErrors('MessageObject', { ...message, content: [{ type: 'text' }] })).not.toEqual(
      [],
    );
  });

  it('handles a nullable allOf marker that carries a description (Upload.file)', () => {
    const upload = {
      id: 'upload_1',
      object: 'upload',
      created_at: 1,
      filename: 'a.txt',
      bytes: 3,
      purpose: 'assistants',
      status: 'pending',
      expires_at: 2,
      file: null,
    };
    expect(specErrors('Upload', upload)).toEqual([]);
    // OpenAIFile has no `type: object` in the spec either; a string must still be rejected.
    expect(specErrors('Upload', { ...upload, file: 'file-abc' })).not.toEqual([]);
    expect(specErrors('Upload', { ...upload, file: { id: 'file-abc' } })).not.toEqual([]);
  });

  it('follows CompoundFilter recursion ($recursiveRef) and keeps additionalProperties: false', () => {
    const leaf = { type: 'eq', key: 'k', value: 'v' };
    const nested = { type: 'and', filters: [leaf, { type: 'or', filters: [leaf] }] };
    expect(specErrors('CompoundFilter', nested)).toEqual([]);
    const badInner = { type: 'and', filters: [{ type: 'or', filters: [{ ...leaf, extra: 1 }] }] };
    expect(specErrors('CompoundFilter', badInner)).not.toEqual([]);
    expect(specErrors('CompoundFilter', { ...nested, extra: true })).not.toEqual([]);
  });

  it('throws on an unknown schema name', () => {
    expect(() => specErrors('NoSuchObject', {})).toThrow(/Unknown OpenAPI schema/);
  });
});
