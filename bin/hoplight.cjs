#!/usr/bin/env node
'use strict';
// The `hoplight` command. The CLI is bundled by `npm install` (the prepare script) into dist/cli.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli', 'hoplight.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write('hoplight: the command is not built yet. Run "npm install" (or "npm run build") in the Hoplight folder.\n');
  process.exit(1);
}
require(bundle);
