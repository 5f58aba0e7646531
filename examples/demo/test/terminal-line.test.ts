import { describe, expect, it } from 'vitest';
import { terminalLine } from '../src/terminal-line.js';

describe("the demo's output lines", () => {
  it('escape the control characters a server could send: screen clearing, OSC 52, C1', () => {
    const reply = '535 5.7.8 bad\u001b[2J\u001b]52;c;ZXZpbA==\u0007\u009b31m';
    const line = terminalLine(`  ✗ message 1/6 failed: ${reply}`);
    expect(line).toBe('  ✗ message 1/6 failed: 535 5.7.8 bad\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07\\x9b31m\n');
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it("keep the demo's own text as it is", () => {
    expect(terminalLine('\n▶ Summary')).toBe('\n▶ Summary\n');
  });
});
