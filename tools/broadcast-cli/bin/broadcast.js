#!/usr/bin/env node
// The `broadcast` command (built to dist/ by `npx nx run @wab/broadcast-cli:build`).
import '../dist/cli.js';
