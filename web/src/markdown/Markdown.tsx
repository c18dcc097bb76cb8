import type { ReactNode } from 'react';
import { DownloadButton } from '../files/DownloadButton.js';
import { type Block, type Inline, parseMarkdown } from './markdown.js';

export interface MarkdownProps {
  source: string;
  /** Files that file-path placeholders may name. */
  files?: Map<string, { filename: string; contentUrl: string }>;
  /** The id prefix footnote links point at. */
  footnotePrefix?: string;
}

function renderInline(nodes: Inline[], props: MarkdownProps): ReactNode[] {
  return nodes.map((node, index) => {
    const key = `${node.type}-${index}`;
    switch (node.type) {
      case 'text':
        return node.text;
      case 'code':
        return <code key={key}>{node.text}</code>;
      case 'strong':
        return <strong key={key}>{renderInline(node.children, props)}</strong>;
      case 'em':
        return <em key={key}>{renderInline(node.children, props)}</em>;
      case 'break':
        return <br key={key} />;
      case 'cite':
        return (
          <sup key={key} className="cite">
            <a href={`#${props.footnotePrefix ?? 'fn'}-${node.n}`}>[{node.n}]</a>
          </sup>
        );
      case 'file': {
        const file = props.files?.get(node.fileId);
        return file ? (
          <DownloadButton key={key} contentUrl={file.contentUrl} filename={file.filename} />
        ) : (
          <span key={key}>{node.fileId}</span>
        );
      }
      case 'link': {
        const file = node.fileId ? props.files?.get(node.fileId) : undefined;
        if (file) {
          return (
            <DownloadButton key={key} contentUrl={file.contentUrl} filename={file.filename}>
              {renderInline(node.children, props)}
            </DownloadButton>
          );
        }
        return node.href ? (
          <a key={key} href={node.href} rel="noopener noreferrer nofollow" target="_blank">
            {renderInline(node.children, props)}
          </a>
        ) : (
          <span key={key}>{renderInline(node.children, props)}</span>
        );
      }
    }
    return null;
  });
}

function renderBlocks(blocks: Block[], props: MarkdownProps): ReactNode[] {
  return blocks.map((block, index) => {
    const key = `${block.type}-${index}`;
    switch (block.type) {
      case 'heading': {
        // Message headings sit under the page's own h1–h2.
        const level = Math.min(6, block.level + 2);
        const Tag = `h${level}` as 'h3';
        return <Tag key={key}>{renderInline(block.children, props)}</Tag>;
      }
      case 'paragraph':
        return <p key={key}>{renderInline(block.children, props)}</p>;
      case 'code':
        return (
          <pre key={key}>
            <code data-lang={block.lang || undefined}>{block.text}</code>
          </pre>
        );
      case 'list': {
        const items = block.items.map((item, itemIndex) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: list items have no identity but their place
          <li key={itemIndex}>{renderInline(item, props)}</li>
        ));
        return block.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
      }
      case 'quote':
        return <blockquote key={key}>{renderBlocks(block.children, props)}</blockquote>;
    }
    return null;
  });
}

/** Markdown as React elements: nothing in `source` is ever parsed as HTML. */
export function Markdown(props: MarkdownProps) {
  return <div className="markdown">{renderBlocks(parseMarkdown(props.source), props)}</div>;
}
