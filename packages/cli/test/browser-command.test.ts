import { describe, expect, it } from 'vitest';
import { browserCommand, splitCommandLine } from '../src/browser.js';

const URL_WITH_QUERY = 'https://id.example/auth?client_id=a&scope=openid%20mail&state=x';

describe('$BROWSER and the platform opener', () => {
  it('splits $BROWSER like a shell, without running one, and adds the URL as the last argument', () => {
    expect(browserCommand(URL_WITH_QUERY, { BROWSER: `firefox --new-window` }, 'linux')).toEqual({
      command: 'firefox',
      args: ['--new-window', URL_WITH_QUERY],
    });
    expect(
      browserCommand(
        URL_WITH_QUERY,
        { BROWSER: `"/opt/My Browser/browser" --profile 'work profile'` },
        'linux',
      ),
    ).toEqual({ command: '/opt/My Browser/browser', args: ['--profile', 'work profile', URL_WITH_QUERY] });
  });

  it('puts the URL where $BROWSER has %s', () => {
    expect(browserCommand(URL_WITH_QUERY, { BROWSER: 'lynx -dump %s' }, 'linux')).toEqual({
      command: 'lynx',
      args: ['-dump', URL_WITH_QUERY],
    });
  });

  it('uses the platform opener when $BROWSER is not set', () => {
    expect(browserCommand(URL_WITH_QUERY, {}, 'linux')).toEqual({
      command: 'xdg-open',
      args: [URL_WITH_QUERY],
    });
    expect(browserCommand(URL_WITH_QUERY, { BROWSER: '  ' }, 'freebsd').command).toBe('xdg-open');
    expect(browserCommand(URL_WITH_QUERY, {}, 'darwin')).toEqual({ command: 'open', args: [URL_WITH_QUERY] });
    // The URL stays one argument: `&` in the query must not reach cmd.exe.
    expect(browserCommand(URL_WITH_QUERY, {}, 'win32')).toEqual({
      command: 'rundll32',
      args: ['url.dll,FileProtocolHandler', URL_WITH_QUERY],
    });
  });

  it('splitCommandLine() keeps quoted and escaped whitespace and rejects an unterminated quote', () => {
    expect(splitCommandLine(String.raw`a\ b "c \"d\" e" 'f\g' ''`)).toEqual(['a b', 'c "d" e', 'f\\g', '']);
    expect(() => splitCommandLine('open "half')).toThrow(/unterminated double quote/);
  });
});
