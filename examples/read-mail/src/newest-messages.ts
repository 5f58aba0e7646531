/**
 * The newest messages of a mailbox, read without changing it: the mailbox is opened read-only
 * (EXAMINE) and only envelopes are fetched, so no message is marked as read.
 *
 * @module
 */
import { AuthorizerError } from '@oauth-authorizer/core';
import type { FetchMessageObject, ImapFlow, MailboxLockObject } from 'imapflow';

/** The mailbox could not be opened: it does not exist, or the server refused it. */
export const MAILBOX_UNAVAILABLE = 'READ_MAIL_MAILBOX_UNAVAILABLE';

/** One message, as a mailbox listing shows it. */
export interface MessageSummary {
  /** The message's sequence number in the mailbox (1 is the oldest). */
  seq: number;
  /** The `Date:` header, else when the server received the message; `undefined` when neither is known. */
  date: Date | undefined;
  /** The first `From:` address, with its display name. */
  from: string;
  /** The subject, decoded; empty when there is none. */
  subject: string;
}

/** The newest messages and how many the mailbox holds. */
export interface NewestMessages {
  /** How many messages the mailbox holds. */
  total: number;
  /** The newest messages, newest first. */
  messages: MessageSummary[];
}

function dateOf(message: FetchMessageObject): Date | undefined {
  const value = message.envelope?.date ?? message.internalDate;
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function fromOf(message: FetchMessageObject): string {
  const sender = message.envelope?.from?.[0];
  if (!sender) return '';
  const address = sender.address ?? '';
  return sender.name ? `${sender.name} <${address}>` : address;
}

async function openReadOnly(client: ImapFlow, mailbox: string): Promise<MailboxLockObject> {
  try {
    return await client.getMailboxLock(mailbox, { readOnly: true });
  } catch (error) {
    const reply = (error as { responseText?: unknown }).responseText;
    throw new AuthorizerError(
      MAILBOX_UNAVAILABLE,
      `cannot open mailbox "${mailbox}"${typeof reply === 'string' && reply !== '' ? `: ${reply}` : ''}`,
      {
        cause: error,
        hint: 'check MAILBOX: it takes the server\'s own folder names, e.g. "INBOX" or "[Gmail]/Sent Mail"',
      },
    );
  }
}

/**
 * Lists the newest `count` messages of `mailbox`, newest first, by sequence number (the order in
 * which they arrived).
 *
 * @throws {AuthorizerError} `READ_MAIL_MAILBOX_UNAVAILABLE` when the mailbox cannot be opened;
 *   imapflow's errors for a connection that fails on the way.
 * @example
 * ```ts
 * const { total, messages } = await newestMessages(client, 'INBOX', 10);
 * for (const { from, subject } of messages) console.log(from, subject);
 * ```
 */
export async function newestMessages(
  client: ImapFlow,
  mailbox: string,
  count: number,
): Promise<NewestMessages> {
  const lock = await openReadOnly(client, mailbox);
  try {
    const total = client.mailbox ? client.mailbox.exists : 0;
    if (total === 0) return { total, messages: [] };
    const first = Math.max(1, total - count + 1);
    const messages: MessageSummary[] = [];
    for await (const message of client.fetch(`${first}:*`, { envelope: true, internalDate: true })) {
      messages.push({
        seq: message.seq,
        date: dateOf(message),
        from: fromOf(message),
        subject: message.envelope?.subject ?? '',
      });
    }
    // `first:*` may also return a message that arrived while fetching; keep the newest `count`.
    messages.sort((a, b) => b.seq - a.seq);
    return { total: Math.max(total, messages[0]?.seq ?? 0), messages: messages.slice(0, count) };
  } finally {
    lock.release();
  }
}
