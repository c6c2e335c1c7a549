#!/usr/bin/env node
// Committed entry point so npm links the command at install time, before the bundle is built.
import '../bundle/cli.js';
