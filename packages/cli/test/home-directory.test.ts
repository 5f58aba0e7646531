import { describe, expect, it } from 'vitest';
import { resolveHome } from '../src/home.js';

describe('resolveHome()', () => {
  it('prefers $OAUTH_AUTHORIZER_HOME, made absolute', () => {
    expect(
      resolveHome({ OAUTH_AUTHORIZER_HOME: '/srv/oa', XDG_CONFIG_HOME: '/x', HOME: '/home/me' }, 'linux'),
    ).toBe('/srv/oa');
    expect(resolveHome({ OAUTH_AUTHORIZER_HOME: 'rel' }, 'linux')).toBe(`${process.cwd()}/rel`);
  });

  it('uses $XDG_CONFIG_HOME, else ~/.config, on Linux', () => {
    expect(resolveHome({ XDG_CONFIG_HOME: '/home/me/.cfg', HOME: '/home/me' }, 'linux')).toBe(
      '/home/me/.cfg/oauth-authorizer',
    );
    expect(resolveHome({ HOME: '/home/me' }, 'linux')).toBe('/home/me/.config/oauth-authorizer');
    // The XDG spec: a relative value is invalid and ignored.
    expect(resolveHome({ XDG_CONFIG_HOME: 'cfg', HOME: '/home/me' }, 'linux')).toBe(
      '/home/me/.config/oauth-authorizer',
    );
  });

  it('uses Application Support on macOS unless $XDG_CONFIG_HOME is set', () => {
    expect(resolveHome({ HOME: '/Users/me' }, 'darwin')).toBe(
      '/Users/me/Library/Application Support/oauth-authorizer',
    );
    expect(resolveHome({ HOME: '/Users/me', XDG_CONFIG_HOME: '/Users/me/.config' }, 'darwin')).toBe(
      '/Users/me/.config/oauth-authorizer',
    );
  });
});
