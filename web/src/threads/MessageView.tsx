import { FileImage } from '../files/FileImage.js';
import { Markdown } from '../markdown/Markdown.js';
import { annotatedSource, citedPassage } from './annotated-text.js';
import type { Message, Step } from './transcript-state.js';

/** One message: its parts as sanitized Markdown, images inline, citations as footnotes. */
export function MessageView(props: { message: Message; steps: Step[] }) {
  const { message } = props;
  return (
    <article className="message" aria-label={`${message.role} message`}>
      <div className="who">
        {message.role === 'user' ? 'You' : 'Assistant'}
        {message.status === 'in_progress' && ' · writing…'}
        {message.status === 'incomplete' &&
          ` · incomplete (${message.incompleteDetails?.reason ?? 'unknown'})`}
      </div>
      {message.content.map((part, index) => {
        const key = `${message.id}-${index}`;
        if (part.text) {
          const { source, footnotes, files } = annotatedSource(part.text);
          const prefix = `fn-${message.id}-${index}`;
          return (
            <div key={key}>
              <Markdown source={source} files={files} footnotePrefix={prefix} />
              {footnotes.length > 0 && (
                <ol className="footnotes" aria-label="Sources">
                  {footnotes.map((footnote) => {
                    const passage = citedPassage(props.steps, footnote.marker);
                    return (
                      <li key={footnote.n} id={`${prefix}-${footnote.n}`}>
                        <strong>{footnote.filename ?? passage?.fileName ?? footnote.fileId}</strong>
                        {passage && <blockquote>{passage.text}</blockquote>}
                      </li>
                    );
                  })}
                </ol>
              )}
            </div>
          );
        }
        if (part.imageFile) {
          const file = part.imageFile.file;
          return file ? (
            <FileImage key={key} contentUrl={file.contentUrl} alt={file.filename} />
          ) : (
            <p key={key} className="muted">
              Image {part.imageFile.fileId}
            </p>
          );
        }
        if (part.imageUrl) {
          return (
            <p key={key} className="muted">
              Image from {part.imageUrl.url}
            </p>
          );
        }
        return part.refusal ? (
          <p key={key} className="error">
            Refused: {part.refusal}
          </p>
        ) : null;
      })}
      {message.attachments && message.attachments.length > 0 && (
        <p className="muted">
          Attached:{' '}
          {message.attachments
            .map((attachment) => attachment.file?.filename ?? attachment.fileId)
            .join(', ')}
        </p>
      )}
    </article>
  );
}
