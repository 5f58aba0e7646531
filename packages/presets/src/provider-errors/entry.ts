import type { Flow } from '../preset.js';

/** What is known about an error, gathered from it and its causes. */
export interface ErrorFacts {
  /** OAuth `error` codes, lower-case (`invalid_grant`). */
  readonly errors: readonly string[];
  /** The `AADSTS` numbers in the descriptions and messages (`700082`). */
  readonly aadsts: readonly string[];
  /** Descriptions, messages and mail server replies, joined. */
  readonly text: string;
  /** Days since the refresh token was obtained, when the caller knows. */
  readonly refreshTokenAgeDays: number | undefined;
  /** The flow that failed, when the caller knows. */
  readonly flow: Flow | undefined;
  /** The redirect URL that was sent, when the caller knows. */
  readonly redirectUrl: string | undefined;
}

/**
 * One row of a provider's error table: how to recognise the error, what it means, what to do,
 * and the page that says so.
 */
export interface ProviderErrorEntry {
  /** How the error is shown: `AADSTS700082`, `invalid_grant`, `535 5.7.139`. */
  readonly code: string;
  /** An OAuth `error` code it matches (case-insensitive). */
  readonly error?: string;
  /** An AADSTS number it matches. */
  readonly aadsts?: string;
  /** A pattern of the description, message or server reply it matches. */
  readonly text?: RegExp;
  /** Matches only when the refresh token is this many days old (from, to), inclusive. */
  readonly refreshTokenAgeDays?: readonly [number, number];
  /** Matches only in these flows (or when the flow is not known). */
  readonly flows?: readonly Flow[];
  readonly explanation: string | ((facts: ErrorFacts) => string);
  readonly fix: string | ((facts: ErrorFacts) => string);
  /** The provider's page the explanation is taken from. */
  readonly source: string;
}

/** Whether a table row matches the facts of an error. */
export function entryMatches(entry: ProviderErrorEntry, facts: ErrorFacts): boolean {
  if (entry.error !== undefined && !facts.errors.includes(entry.error.toLowerCase())) return false;
  if (entry.aadsts !== undefined && !facts.aadsts.includes(entry.aadsts)) return false;
  if (entry.text !== undefined && !entry.text.test(facts.text)) return false;
  if (entry.refreshTokenAgeDays !== undefined) {
    const age = facts.refreshTokenAgeDays;
    const [from, to] = entry.refreshTokenAgeDays;
    if (age === undefined || age < from || age > to) return false;
  }
  if (entry.flows !== undefined && facts.flow !== undefined && !entry.flows.includes(facts.flow))
    return false;
  return entry.error !== undefined || entry.aadsts !== undefined || entry.text !== undefined;
}
