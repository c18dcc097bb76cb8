import { type FormEvent, useId, useState } from 'react';
import { GraphQLRequestError, graphqlRequest } from './api/graphql-request.js';
import { SignInCheckDocument } from './generated/graphql.js';

/** Asks for an API key and checks it with one read before keeping it. */
export function SignIn(props: { onSignedIn(apiKey: string): void }) {
  const inputId = useId();
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = apiKey.trim();
    if (!key) {
      setError('Enter an API key.');
      return;
    }
    setBusy(true);
    try {
      await graphqlRequest(key, SignInCheckDocument, {});
      props.onSignedIn(key);
    } catch (caught) {
      setError(
        caught instanceof GraphQLRequestError && caught.unauthenticated
          ? 'That API key was not accepted. Check it and try again.'
          : `Could not reach the server: ${caught instanceof Error ? caught.message : String(caught)}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h1>Assistants console</h1>
      <form onSubmit={submit}>
        <label htmlFor={inputId}>API key</label>
        <input
          id={inputId}
          type="password"
          // The page's one task: the field is where typing goes.
          // biome-ignore lint/a11y/noAutofocus: a sign-in page with a single field
          autoFocus
          autoComplete="off"
          spellCheck={false}
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value)}
          aria-invalid={error ? true : undefined}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      <p className="hint">
        The key stays in this tab (sessionStorage) and is sent only to this server.
      </p>
    </main>
  );
}
