import { join, resolve, win32 } from 'node:path';
import { AuthorizerError } from '@oauth-authorizer/core';
import {
  countSetting,
  oauthAuthorizerHome,
  optionalSetting,
  requiredSetting,
  SETTING_INVALID,
  SETTING_MISSING,
} from '@oauth-authorizer/example-support';
import { describe, expect, it } from 'vitest';

function thrown(run: () => unknown): AuthorizerError {
  try {
    run();
  } catch (error) {
    if (error instanceof AuthorizerError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('optionalSetting()', () => {
  it('trims the value and treats a blank one as unset', () => {
    expect(optionalSetting({ MAILBOX: '  Archive  ' }, 'MAILBOX')).toBe('Archive');
    expect(optionalSetting({ MAILBOX: '   ' }, 'MAILBOX')).toBeUndefined();
    expect(optionalSetting({}, 'MAILBOX')).toBeUndefined();
  });
});

describe('requiredSetting()', () => {
  it('throws EXAMPLE_SETTING_MISSING naming the variable and what it must hold, with a hint', () => {
    const error = thrown(() => requiredSetting({ MAIL_TO: ' ' }, 'MAIL_TO', "the recipient's address"));
    expect(error.code).toBe(SETTING_MISSING);
    expect(error.message).toBe("MAIL_TO is not set: it must hold the recipient's address");
    expect(error.hint).toBe('set MAIL_TO in the environment');
  });
});

describe('countSetting()', () => {
  it('returns the fallback when unset and the number when it is from 1 to max', () => {
    expect(countSetting({}, 'COUNT', 10, 1000)).toBe(10);
    expect(countSetting({ COUNT: '1' }, 'COUNT', 10, 1000)).toBe(1);
    expect(countSetting({ COUNT: ' 1000 ' }, 'COUNT', 10, 1000)).toBe(1000);
  });

  it.each(['0', '-5', '1.5', '1001', '1e3', 'ten'])('throws EXAMPLE_SETTING_INVALID for "%s"', (value) => {
    const error = thrown(() => countSetting({ COUNT: value }, 'COUNT', 10, 1000));
    expect(error.code).toBe(SETTING_INVALID);
    expect(error.message).toBe(`COUNT must be a whole number from 1 to 1000, got "${value}"`);
  });

  it('shows at most 40 characters of a rejected value', () => {
    const error = thrown(() => countSetting({ COUNT: 'x'.repeat(100) }, 'COUNT', 10, 1000));
    expect(error.message).toContain(`got "${'x'.repeat(40)}"`);
    expect(error.message).not.toContain('x'.repeat(41));
  });
});

describe('oauthAuthorizerHome()', () => {
  it('uses OAUTH_AUTHORIZER_HOME first, resolved against the working directory', () => {
    expect(oauthAuthorizerHome({ OAUTH_AUTHORIZER_HOME: 'oa-home', XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe(
      resolve('oa-home'),
    );
  });

  it('uses an absolute XDG_CONFIG_HOME and ignores a relative one, as the XDG spec says', () => {
    expect(oauthAuthorizerHome({ HOME: '/home/me', XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe(
      join('/xdg', 'oauth-authorizer'),
    );
    expect(oauthAuthorizerHome({ HOME: '/home/me', XDG_CONFIG_HOME: 'xdg' }, 'linux')).toBe(
      join('/home/me', '.config', 'oauth-authorizer'),
    );
  });

  it("uses the platform's configuration directory otherwise", () => {
    expect(oauthAuthorizerHome({ HOME: '/Users/me' }, 'darwin')).toBe(
      join('/Users/me', 'Library', 'Application Support', 'oauth-authorizer'),
    );
    // Windows paths are built with Windows' separators, as the CLI's own rule (core's) builds them.
    expect(oauthAuthorizerHome({ APPDATA: 'C:\\appdata' }, 'win32')).toBe(
      win32.join('C:\\appdata', 'oauth-authorizer'),
    );
    expect(oauthAuthorizerHome({ USERPROFILE: 'C:\\profile' }, 'win32')).toBe(
      win32.join('C:\\profile', 'AppData', 'Roaming', 'oauth-authorizer'),
    );
  });
});
