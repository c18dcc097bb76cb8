// The API key lives in sessionStorage only: it survives a reload of this tab, never reaches a
// URL, localStorage or a log, and is gone when the tab closes.
const KEY = 'assistants-console.api-key';

export function readApiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeApiKey(apiKey: string): void {
  sessionStorage.setItem(KEY, apiKey);
}

export function clearSession(): void {
  sessionStorage.clear();
}
