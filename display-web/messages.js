// The manager's messages on the hall TV (GET /api/messages): to everyone waiting, or to one
// field's queue, named by the field. They run in the notice bar ahead of the hall's own
// notice, Vietnamese then English; one that expired leaves at once by the hall's clock. Read
// again on every snapshot and on every message posted or withdrawn (the hall feed's events).

import { api } from '/shared/api.js';

let messages = [];

/** Read the messages up now (kept as they were when the read fails: the next event reads again). */
export async function loadMessages() {
  try {
    messages = (await api('GET', '/api/messages')).messages ?? [];
  } catch {
    /* the next snapshot or message event reads them again */
  }
}

/** The messages up at `now` (ms), as one line for the notice bar. */
export function messagesText(now) {
  return messages
    .filter((m) => Date.parse(m.expires_at) > now)
    .map((m) => {
      const to = m.service ? `${m.service_name_vi}: ` : '';
      const en = m.text_en ? ` / ${m.text_en}` : '';
      return `${to}${m.text_vi}${en}`;
    })
    .join('   •   ');
}
