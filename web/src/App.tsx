import { useState } from 'react';
import { ApiKeyProvider } from './api/api-context.js';
import { clearSession, readApiKey, storeApiKey } from './api/session.js';
import { closeSubscriptions } from './api/subscriptions.js';
import { AssistantsPage } from './assistants/AssistantsPage.js';
import { FilesPage } from './files/FilesPage.js';
import { Link } from './Link.js';
import { navigate, usePath } from './router.js';
import { SignIn } from './SignIn.js';
import { ThreadsPage } from './threads/ThreadsPage.js';

const SECTIONS = [
  { href: '/threads', label: 'Threads' },
  { href: '/assistants', label: 'Assistants' },
  { href: '/files', label: 'Files' },
] as const;

function Page(props: { path: string }) {
  const threadMatch = /^\/threads\/(thread_[\w-]+)$/.exec(props.path);
  if (props.path.startsWith('/assistants')) {
    return <AssistantsPage />;
  }
  if (props.path.startsWith('/files')) {
    return <FilesPage />;
  }
  return <ThreadsPage threadId={threadMatch?.[1] ?? null} />;
}

export function App() {
  const [apiKey, setApiKey] = useState(readApiKey);
  const path = usePath();
  if (!apiKey) {
    return (
      <SignIn
        onSignedIn={(key) => {
          storeApiKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  const signOut = () => {
    closeSubscriptions();
    clearSession();
    setApiKey(null);
    navigate('/');
  };
  return (
    <ApiKeyProvider value={apiKey}>
      <header className="top">
        <span className="brand">Assistants</span>
        <nav aria-label="Sections">
          {SECTIONS.map((section) => (
            <Link
              key={section.href}
              href={section.href}
              aria-current={
                path.startsWith(section.href) || (path === '/' && section.href === '/threads')
                  ? 'page'
                  : undefined
              }
            >
              {section.label}
            </Link>
          ))}
        </nav>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <Page path={path} />
    </ApiKeyProvider>
  );
}
