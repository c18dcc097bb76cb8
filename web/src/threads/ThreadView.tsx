import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { useApiKey, useRequest } from '../api/api-context.js';
import { uploadRequest } from '../api/upload-request.js';
import {
  CancelRunDocument,
  CreateMessageDocument,
  CreateRunDocument,
  SubmitToolOutputsDocument,
  UploadFileDocument,
} from '../generated/graphql.js';
import { MessageView } from './MessageView.js';
import { RequiredActionForm } from './RequiredActionForm.js';
import { RunTimeline } from './RunTimeline.js';
import { isActive, runStatusInWords, runsNewestFirst } from './transcript-state.js';
import { useThreadTranscript } from './use-thread-transcript.js';

type AttachmentTool = 'file_search' | 'code_interpreter';
type AttachmentTools = Record<AttachmentTool, boolean>;
const ATTACHMENT_TOOLS: AttachmentTool[] = ['file_search', 'code_interpreter'];

function messageOf(caught: unknown): string {
  return caught instanceof Error ? caught.message : String(caught);
}

/** One thread: the live transcript, the run's state and controls, the composer, the timeline. */
export function ThreadView(props: { threadId: string; assistantId: string }) {
  const { threadId } = props;
  const apiKey = useApiKey();
  const request = useRequest();
  const live = useThreadTranscript(threadId);
  const composerId = useId();
  const attachId = useId();
  const [text, setText] = useState('');
  const [attachments, setAttachments] = useState<File[]>([]);
  const [attachFor, setAttachFor] = useState<AttachmentTools>({
    file_search: true,
    code_interpreter: false,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const log = useRef<HTMLDivElement>(null);
  const attachInput = useRef<HTMLInputElement>(null);
  const transcript = live.transcript;

  const runs = transcript ? runsNewestFirst(transcript) : [];
  const latest = runs[0]?.run ?? null;
  const active = latest && isActive(latest) ? latest : null;

  const scrolledOnLoad = useRef(false);
  useEffect(() => {
    // After every render: open at the newest message, and keep it in view as text streams
    // (unless the reader scrolled up).
    const element = log.current;
    if (!element || !transcript) {
      return;
    }
    const nearBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 120;
    if (nearBottom || !scrolledOnLoad.current) {
      element.scrollTop = element.scrollHeight;
      scrolledOnLoad.current = true;
    }
  });

  const tools = ATTACHMENT_TOOLS.filter((tool) => attachFor[tool]).map((type) => ({ type }));
  // An attachment no tool reads would be refused by the server; say so before uploading.
  const attachmentsUnused = attachments.length > 0 && tools.length === 0;

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const content = text.trim();
    if (!content || !props.assistantId || active || attachmentsUnused) {
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const fileIds: string[] = [];
      for (const file of attachments) {
        const { uploadFile } = await uploadRequest(
          apiKey,
          UploadFileDocument,
          { purpose: 'assistants' },
          file,
          () => {},
        );
        fileIds.push(uploadFile.id);
      }
      const { createMessage } = await request(CreateMessageDocument, {
        threadId,
        input: {
          role: 'user',
          content: [{ type: 'text', text: content }],
          attachments: fileIds.map((fileId) => ({ fileId, tools })),
        },
      });
      live.addMessage(createMessage);
      setText('');
      setAttachments([]);
      if (attachInput.current) {
        attachInput.current.value = '';
      }
      const { createRun } = await request(CreateRunDocument, {
        threadId,
        input: { assistantId: props.assistantId },
      });
      live.follow(createRun);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const onComposerKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      void send();
    }
  };

  const cancel = async () => {
    if (!active) {
      return;
    }
    try {
      const { cancelRun } = await request(CancelRunDocument, { threadId, id: active.id });
      live.setRun(cancelRun);
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  const submitOutputs = async (toolOutputs: { toolCallId: string; output: string }[]) => {
    if (!active) {
      return;
    }
    try {
      const { submitToolOutputs } = await request(SubmitToolOutputsDocument, {
        threadId,
        id: active.id,
        toolOutputs,
      });
      live.setRun(submitToolOutputs);
    } catch (caught) {
      setError(messageOf(caught));
    }
  };

  return (
    <>
      <h1>{threadId}</h1>
      {live.error && <p role="alert">{live.error}</p>}
      <div ref={log} className="transcript" role="log" aria-live="polite" aria-label="Transcript">
        {!transcript && <p className="muted">Loading…</p>}
        {transcript?.messages.length === 0 && <p className="muted">No messages yet.</p>}
        {transcript?.messages.map((message) => (
          <MessageView
            key={message.id}
            message={message}
            steps={(message.runId && transcript.runs[message.runId]?.steps) || []}
          />
        ))}
      </div>
      {latest && (
        <div className="row">
          <p className="status" role="status">
            {runStatusInWords(latest)}
          </p>
          {active && active.status !== 'cancelling' && (
            <button type="button" onClick={cancel}>
              Cancel run
            </button>
          )}
        </div>
      )}
      {active?.status === 'requires_action' && (
        <RequiredActionForm key={active.eventSeq} run={active} onSubmit={submitOutputs} />
      )}
      <form className="composer" onSubmit={send}>
        <label htmlFor={composerId}>Message</label>
        <textarea
          id={composerId}
          rows={3}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onComposerKey}
        />
        <div className="row">
          <label className="inline" htmlFor={attachId}>
            Attach files
          </label>
          <input
            id={attachId}
            ref={attachInput}
            type="file"
            multiple
            onChange={(event) => setAttachments([...(event.target.files ?? [])])}
          />
          {attachments.length > 0 &&
            ATTACHMENT_TOOLS.map((tool) => (
              <label key={tool} className="inline">
                <input
                  type="checkbox"
                  checked={attachFor[tool]}
                  onChange={(event) =>
                    setAttachFor((current) => ({ ...current, [tool]: event.target.checked }))
                  }
                />
                Attach for {tool}
              </label>
            ))}
          <button
            type="submit"
            className="primary"
            disabled={
              busy || !text.trim() || !props.assistantId || active !== null || attachmentsUnused
            }
          >
            Send
          </button>
        </div>
        {!props.assistantId && <p className="hint">Create an assistant first (Assistants).</p>}
        {active && <p className="hint">A run is active; wait for it or cancel it.</p>}
        {attachmentsUnused && (
          <p className="hint">Pick file_search or code_interpreter for the attached files.</p>
        )}
        {error && <p role="alert">{error}</p>}
      </form>
      <RunTimeline runs={runs} />
    </>
  );
}
