import { AuthorizerError } from '@oauth-authorizer/core';
import { MAIL_PEER_MISSING } from './errors.js';

/**
 * Loads an optional peer dependency on first use, so a program that never calls the SMTP or IMAP
 * adapter needs neither nodemailer nor imapflow installed.
 */
export async function loadPeer<T>(name: 'nodemailer' | 'imapflow', load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new AuthorizerError(
        MAIL_PEER_MISSING,
        `the optional peer dependency "${name}" is not installed`,
        {
          cause: error,
          hint: `npm install ${name}`,
        },
      );
    }
    throw error;
  }
}
