import { describe, expect, it } from 'vitest';
import { isPlainHttpsUrl } from '../../electron/ipc/external-url.js';

describe('links handed to the system browser', () => {
  it('only https with a host and no credentials', () => {
    expect(isPlainHttpsUrl('https://www.rfc-editor.org/rfc/rfc8689')).toBe(true);
    for (const url of ['http://example.org/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@example.org/', 'https://evil@example.org/', 'hoplight://x', 'not a url', `https://example.org/${'a'.repeat(3000)}`]) {
      expect(isPlainHttpsUrl(url), url).toBe(false);
    }
  });
});
