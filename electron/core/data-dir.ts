import { homedir } from 'node:os';
import { join } from 'node:path';

/** The app's product name; Electron's userData folder is named after it, so CLI and app share one folder. */
export const PRODUCT_NAME = 'Hoplight';

/**
 * Hoplight's data folder: `$HOPLIGHT_HOME` when set, else the platform's app-data folder, the same one Electron
 * gives the desktop app as `userData` (main.ts sets it from here, so the two can never drift).
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (env.HOPLIGHT_HOME) return env.HOPLIGHT_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), PRODUCT_NAME);
}
