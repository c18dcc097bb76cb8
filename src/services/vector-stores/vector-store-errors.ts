import { InvalidRequestError, NotFoundError } from '../../errors.js';

export function vectorStoreNotFound(id: string): NotFoundError {
  return new NotFoundError(`No vector store found with id '${id}'.`);
}

/** An expired store cannot be used again (OpenAI: recreate it with the same files). */
export function vectorStoreExpired(id: string): InvalidRequestError {
  return new InvalidRequestError(
    `Vector store ${id} is expired. Create a new vector store and add the files again.`,
  );
}
