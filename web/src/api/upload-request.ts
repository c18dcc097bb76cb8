import type { TypedDocumentString } from '../generated/graphql.js';
import { GraphQLRequestError, resultOf } from './graphql-request.js';

/**
 * A GraphQL multipart request (one file, at `variables.file`), over XMLHttpRequest because
 * fetch reports no upload progress. `onProgress` gets the fraction sent, 0–1.
 */
export function uploadRequest<R, V extends { file: unknown }>(
  apiKey: string,
  document: TypedDocumentString<R, V>,
  variables: Omit<V, 'file'>,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<R> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({ query: document.toString(), variables: { ...variables, file: null } }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/graphql');
    xhr.setRequestHeader('authorization', `Bearer ${apiKey}`);
    xhr.setRequestHeader('accept', 'application/graphql-response+json, application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) {
        onProgress(event.loaded / event.total);
      }
    };
    xhr.onerror = () => reject(new GraphQLRequestError([{ message: 'Network error' }], 0));
    xhr.onload = () => {
      try {
        resolve(resultOf<R>(JSON.parse(xhr.responseText), xhr.status));
      } catch (error) {
        reject(
          error instanceof GraphQLRequestError ? error : new GraphQLRequestError([], xhr.status),
        );
      }
    };
    xhr.send(form);
  });
}
