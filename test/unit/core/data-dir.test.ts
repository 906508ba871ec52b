import { describe, expect, it } from 'vitest';
import { dataDir } from '../../../electron/core/data-dir.js';

describe('the data folder (same as Electron userData for "Hoplight")', () => {
  it('honours HOPLIGHT_HOME first', () => {
    expect(dataDir({ HOPLIGHT_HOME: '/x/y' }, 'linux', '/home/u')).toBe('/x/y');
  });
  it('follows each platform’s convention', () => {
    expect(dataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/Hoplight');
    expect(dataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe('/cfg/Hoplight');
    expect(dataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Hoplight');
    expect(dataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toMatch(/Roaming[\\/]Hoplight$/);
  });
});
