import { describe, expect, it } from 'vitest';
import * as hotPath from '../src/cached-access-token.js';
import { defaultAccountsDirectory, defaultHomeDirectory } from '../src/index.js';

describe('defaultHomeDirectory() and defaultAccountsDirectory(): the CLI’s rule, for every program', () => {
  it('Windows: %APPDATA%\\oauth-authorizer, with backslashes, else the roaming profile under %USERPROFILE%', () => {
    expect(
      defaultHomeDirectory({ APPDATA: 'C:\\Users\\me\\AppData\\Roaming', HOME: '/c/Users/me' }, 'win32'),
    ).toBe('C:\\Users\\me\\AppData\\Roaming\\oauth-authorizer');
    expect(defaultHomeDirectory({ USERPROFILE: 'C:\\Users\\me' }, 'win32')).toBe(
      'C:\\Users\\me\\AppData\\Roaming\\oauth-authorizer',
    );
    expect(defaultAccountsDirectory({ env: { APPDATA: 'D:\\Roaming' }, platform: 'win32' })).toBe(
      'D:\\Roaming\\oauth-authorizer\\accounts',
    );
    // XDG_CONFIG_HOME is a Unix convention: Windows ignores it.
    expect(defaultHomeDirectory({ APPDATA: 'D:\\Roaming', XDG_CONFIG_HOME: '/x' }, 'win32')).toBe(
      'D:\\Roaming\\oauth-authorizer',
    );
    expect(defaultHomeDirectory({ OAUTH_AUTHORIZER_HOME: 'E:\\oa', APPDATA: 'D:\\Roaming' }, 'win32')).toBe(
      'E:\\oa',
    );
  });

  it('macOS: Application Support, unless XDG_CONFIG_HOME is set', () => {
    expect(defaultHomeDirectory({ HOME: '/Users/me' }, 'darwin')).toBe(
      '/Users/me/Library/Application Support/oauth-authorizer',
    );
    expect(
      defaultAccountsDirectory({
        env: { HOME: '/Users/me', XDG_CONFIG_HOME: '/Users/me/.config' },
        platform: 'darwin',
      }),
    ).toBe('/Users/me/.config/oauth-authorizer/accounts');
  });

  it('Linux: $XDG_CONFIG_HOME or ~/.config; $OAUTH_AUTHORIZER_HOME above all; a given home as it is', () => {
    expect(defaultAccountsDirectory({ env: { HOME: '/home/me' }, platform: 'linux' })).toBe(
      '/home/me/.config/oauth-authorizer/accounts',
    );
    expect(
      defaultAccountsDirectory({
        env: { OAUTH_AUTHORIZER_HOME: '/srv/oa', HOME: '/home/me' },
        platform: 'linux',
      }),
    ).toBe('/srv/oa/accounts');
    expect(defaultAccountsDirectory({ home: '/srv/other', platform: 'linux' })).toBe('/srv/other/accounts');
  });

  it('is exported from the token hot path’s entry too, as the same functions', () => {
    expect(hotPath.defaultAccountsDirectory).toBe(defaultAccountsDirectory);
    expect(hotPath.defaultHomeDirectory).toBe(defaultHomeDirectory);
  });
});
