/** The longest a progress request is held open (keeps it well under HTTP client timeouts). */
export const MAX_PROGRESS_WAIT_MS = 60_000;
