#!/usr/bin/env node
// Launcher for the compiled CLI (npm links bins at install time, before anything is built).
await import('../dist/cli.js');
